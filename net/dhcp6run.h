/*
 * dhcp6run: DHCPv6 on one interface over a UDP socket (the transport around
 * net/dhcp6c.h). dhcp6_run() asks and returns what the server said; it
 * configures nothing: the caller adds lease->addr as a /128 (DHCPv6 carries no
 * prefix length; the on-link prefix and the default route come from the RA),
 * writes DNS and search into resolv.conf and records the boot file.
 *
 * Precondition (the caller's job, net/ipv6 side): the link is up and IPv6 is
 * enabled on it, so the kernel has made a link-local address (fe80::/64).
 * dhcp6_run waits for that address to finish DAD (the kernel refuses a
 * tentative source address) for at most cfg->dad_wait_ms, reading
 * /proc/net/if_inet6 every 10 ms; a duplicate link-local fails at once.
 * Never prints; one line into err names the step that failed.
 */
#ifndef NETINIT_NET_DHCP6RUN_H
#define NETINIT_NET_DHCP6RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "net/dhcp6.h"

enum dhcp6_mode {
	DHCP6_STATEFUL = 0,	/* Solicit/Advertise/Request/Reply for an IA_NA (+ rapid commit) */
	DHCP6_STATELESS,	/* Information-Request/Reply: DNS, search, boot file only */
};

struct dhcp6_cfg {
	int ifindex;
	const char *ifname;		/* for SO_BINDTODEVICE and the error line */
	uint8_t mac[6];			/* DUID-LL and IAID come from it */
	enum dhcp6_mode mode;
	unsigned timeout_ms;		/* the whole exchange, after the link-local is ready */
	unsigned dad_wait_ms;		/* wait this long for a non-tentative link-local; 0: none */
	uint32_t seed;			/* randomness (xid, RAND); e.g. from getrandom */
	bool no_rapid_commit;		/* do not offer Rapid Commit in the Solicit */
};

struct dhcp6_lease {
	bool stateful;			/* true: addr is valid */
	struct in6_addr addr;		/* the first usable IAADDR */
	uint32_t preferred_s, valid_s;	/* its lifetimes; 0xffffffff = infinity */
	uint32_t t1_s, t2_s;		/* of the IA_NA */
	struct in6_addr dns[DHCP6_MAX_DNS];	/* option 23 */
	uint8_t n_dns;
	char search[DHCP6_STR_MAX];	/* option 24: "a.example b.example" */
	char bootfile_url[DHCP6_STR_MAX];	/* option 59, "" = none */
	char bootfile_param[DHCP6_STR_MAX];	/* option 60, joined by ' ' */
	struct in6_addr server;		/* where the Reply came from (its link-local) */
	uint8_t server_id[DHCP6_DUID_MAX];	/* the server's DUID */
	uint8_t server_id_len;
	bool rapid_commit;		/* bound by a Reply to the Solicit */
	struct in6_addr link_local;	/* our source address */
	unsigned dad_ms;		/* waited for the link-local's DAD */
	unsigned elapsed_ms;		/* first message sent to Reply received */
	unsigned sent;			/* messages sent */
};

/* Run DHCPv6 on cfg->ifindex. 0 and *out filled, or -errno and one line in err:
 *   -EAGAIN        "DHCPv6 on ens3: link-local address still tentative (DAD) after 2000 ms"
 *   -ENOENT        "DHCPv6 on ens3: no IPv6 link-local address (is IPv6 enabled, the link up?)"
 *   -EADDRNOTAVAIL "DHCPv6 on ens3: link-local fe80::1 failed DAD (a duplicate on the link)"
 *   -ETIMEDOUT     "DHCPv6 on ens3: no Advertise after 10 s (4 Solicits sent)", or
 *                  "... no Reply to Request after 10 s (...)", "... server said NoAddrsAvail: ..."
 *   other          "DHCPv6 on ens3: socket: ...", "... bind [::]:546: ...", "... send: ..." */
int dhcp6_run(const struct dhcp6_cfg *cfg, struct dhcp6_lease *out, char *err, size_t errlen);

/* The pieces of dhcp6_run, for a caller that runs its own poll loop. */

/* State of ifindex's link-local address in the text of /proc/net/if_inet6:
 * 0 ready (*ll set), -EAGAIN tentative, -EADDRNOTAVAIL DAD failed, -ENOENT none. */
int dhcp6_ll_state(const char *if_inet6, int ifindex, struct in6_addr *ll);

/* A UDP socket bound to [::]:546 on the interface (IPV6_V6ONLY, SO_BINDTODEVICE,
 * SO_REUSEADDR, IPV6_MULTICAST_IF, hop limit 1), non-blocking. fd or -errno. */
int dhcp6_socket(int ifindex, const char *ifname, char *err, size_t errlen);

/* Send one message to ff02::1:2 port 547 through that socket's interface. 0 or -errno. */
int dhcp6_sendto_servers(int fd, int ifindex, const uint8_t *msg, size_t len);

#endif
