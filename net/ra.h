/*
 * ra: the IPv6 router-advertisement side of SLAAC that is not the kernel's job.
 * The kernel does the autoconfiguration itself (accept_ra, autoconf: it forms the
 * address, runs DAD, installs the default route); netinit sends a router
 * solicitation (RFC 4861 4.1) so it need not wait for the kernel's own, and takes
 * the RA's DNS options, which the kernel only passes up as RTM_NEWNDUSEROPT:
 * RDNSS (RFC 8106 type 25) and DNSSL (type 31). Pure parsing here; the socket
 * calls are small functions. It also reads neighbour advertisements, to name the
 * host that holds an address whose DAD failed. 0 or -errno, never prints.
 */
#ifndef NETINIT_NET_RA_H
#define NETINIT_NET_RA_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "net/ipconf.h"

#define RA_SEARCH_MAX	256	/* DNSSL names as "a.example b.example" incl. NUL */

/* DNS learnt from router advertisements on one link. */
struct ra_dns {
	struct in6_addr dns[NET_MAX_DNS];	/* RDNSS servers, in arrival order, no duplicates */
	uint8_t n_dns;
	char search[RA_SEARCH_MAX];		/* the last DNSSL with a lifetime */
};

/* One RTM_NEWNDUSEROPT message's payload (struct nduseroptmsg, its options, then
 * attributes), as a netlink message body of len bytes. For ifindex's router
 * advertisements, RDNSS servers with a lifetime are added to d (lifetime 0 removes
 * them) and a DNSSL replaces d->search. Returns 1 when d changed, 0 when not (another
 * link, another ICMPv6 type, options we do not use), -EBADMSG when malformed (an
 * option running past the end, a zero length, an RDNSS of a wrong size). */
int ra_parse_useropt(const uint8_t *body, size_t len, int ifindex, struct ra_dns *d);

/* A router solicitation (ICMPv6 type 133) with the source link-layer address
 * option for mac into buf (at least 16 bytes): its length. */
size_t ra_build_rs(uint8_t *buf, const uint8_t mac[6]);

/* An ICMPv6 raw socket for sending router solicitations out of ifindex (hop
 * limit 255, as RFC 4861 requires; receives nothing): the fd or -errno. */
int ra_socket(int ifindex);

/* Send buf[len] to ff02::2 (all routers) on ifindex. 0 or -errno (-EADDRNOTAVAIL
 * while the link-local address is still tentative). */
int ra_send_rs(int fd, int ifindex, const uint8_t *buf, size_t len);

/* A neighbour advertisement (ICMPv6 type 136, RFC 4861 4.4) as a raw ICMPv6 socket
 * returns it (from the ICMPv6 header on), of len bytes: its target into *target and,
 * when it carries the target link-layer address option (type 2) with an Ethernet
 * address, that into mac. Returns 1 with a MAC, 0 without one, -EBADMSG when it is
 * not a well-formed NA (short, another type or code, an option of length 0 or running
 * past the end). What a host answering DAD for our address sends: the duplicate. */
int ra_parse_na(const uint8_t *buf, size_t len, struct in6_addr *target, uint8_t mac[6]);

/* An ICMPv6 raw socket bound to the device ifname that queues only neighbour
 * advertisements, read with ra_dup_mac: the fd or -errno. */
int ra_na_socket(const char *ifname);

/* Drain fd (ra_na_socket) and look for an on-link NA (hop limit 255) whose target is
 * a: 1 and its MAC in mac, 0 when none came, -errno when reading fails. */
int ra_dup_mac(int fd, const struct in6_addr *a, uint8_t mac[6]);

#endif
