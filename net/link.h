/*
 * link: the rtnetlink calls netinit needs, nothing ioctl-era: list links,
 * watch link changes, set a link up / its MTU / MAC / name, create a VLAN,
 * add an IPv4 or IPv6 address with prefix, add an IPv4 or IPv6 route, list a
 * link's IPv6 addresses and its IPv6 default route, subscribe to IPv6 address,
 * route and ND user option (RDNSS, DNSSL) notifications. 0 or -errno.
 */
#ifndef NETINIT_NET_LINK_H
#define NETINIT_NET_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define LINK_MAX	32	/* links we look at */

struct nl_link {
	int ifindex;
	char name[16];
	uint8_t mac[6];
	bool has_mac;
	unsigned flags;		/* IFF_UP, IFF_LOOPBACK, IFF_LOWER_UP (carrier), ... */
	unsigned type;		/* ARPHRD_* */
	unsigned mtu;
	int master;		/* IFLA_MASTER: ifindex of its bond, 0 = none */
	uint32_t inet6_flags;	/* IFLA_AF_SPEC/AF_INET6/IFLA_INET6_FLAGS: NL_RA_* */
};

/* The kernel's IPv6 link flags (include/net/if_inet6.h; not in the uapi headers). */
#define NL_RA_OTHERCONF	0x80	/* the last router advertisement set O (other config: stateless DHCPv6) */
#define NL_RA_MANAGED	0x40	/* ... set M (managed: stateful DHCPv6) */
#define NL_RA_RCVD	0x20	/* a router advertisement was received */

/* One IPv6 address of a link (RTM_NEWADDR). */
struct nl_addr6 {
	struct in6_addr addr;
	uint8_t prefix;
	uint8_t scope;		/* RT_SCOPE_UNIVERSE (global), RT_SCOPE_LINK (fe80::) */
	uint32_t flags;		/* IFA_F_TENTATIVE, IFA_F_DADFAILED, IFA_F_PERMANENT, ... */
};

/* Bonding options for nl_bond_add; -1 leaves the kernel's default. */
struct nl_bond_opts {
	uint8_t mode;		/* 0 balance-rr ... 4 802.3ad ... 6 balance-alb */
	int32_t miimon, updelay, downdelay, min_links;
	int16_t lacp_rate, xmit_hash_policy, ad_select;
};

struct nl {
	int fd;			/* requests */
	int mon;		/* RTMGRP_LINK notifications, -1 if not opened */
	uint32_t seq;
};

/* Open the request socket and (monitor true) a notification socket whose
 * fd becomes readable when any link changes. */
int nl_open(struct nl *nl, bool monitor);
void nl_close(struct nl *nl);

/* Drain pending notifications (after poll said nl->mon is readable). */
void nl_drain(struct nl *nl);

/* Dump all links into out[max]; returns the count or -errno. */
int nl_links(struct nl *nl, struct nl_link *out, int max);

/* Change a link: up (1 up, 0 down, -1 leave), mtu (0 leave), mac (NULL
 * leave), name (NULL leave; the link should be down). */
int nl_link_set(struct nl *nl, int ifindex, int up, unsigned mtu,
		const uint8_t *mac, const char *name);

/* ip link add link <phys> name <name> type vlan id <id> */
int nl_vlan_add(struct nl *nl, const char *name, int phys_ifindex, uint16_t id);

/* ip link add <name> type bond mode <m> [miimon ...] (create), or the same options on an
 * existing bond of that name, which must be down and have no slaves (ip link set ... type bond) */
int nl_bond_add(struct nl *nl, const char *name, const struct nl_bond_opts *o, bool create);

/* ip link set <ifindex> master <master_ifindex> (the link must be down) */
int nl_link_set_master(struct nl *nl, int ifindex, int master_ifindex);

/* ip link set <bond> type bond primary <slave> (after the slave is enslaved) */
int nl_bond_set_primary(struct nl *nl, int bond_ifindex, int slave_ifindex);

/* ip addr add <addr>/<prefix> broadcast <computed> dev <ifindex> (permanent) */
int nl_addr_add(struct nl *nl, int ifindex, struct in_addr addr, uint8_t prefix);

/* ip route replace <dst>/<prefix> [via <gw> onlink] dev <ifindex>;
 * protocol is RTPROT_DHCP or RTPROT_BOOT. */
int nl_route_add(struct nl *nl, int ifindex, struct in_addr dst, uint8_t prefix,
		 struct in_addr gw, unsigned char protocol);

/* ip -6 addr replace <addr>/<prefix> dev <ifindex> [nodad] (permanent) */
int nl_addr6_add(struct nl *nl, int ifindex, const struct in6_addr *addr, uint8_t prefix, bool nodad);

/* ip -6 route replace <dst>/<prefix> [via <gw> onlink] dev <ifindex>; gw NULL = on-link */
int nl_route6_add(struct nl *nl, int ifindex, const struct in6_addr *dst, uint8_t prefix,
		  const struct in6_addr *gw, unsigned char protocol);

/* The IPv6 addresses of ifindex into out[max]: the count or -errno. */
int nl_addrs6(struct nl *nl, int ifindex, struct nl_addr6 *out, int max);
/* One RTM_NEWADDR/RTM_DELADDR message (a dump's or a notification's): 1 with *ifindex and *a
 * for an IPv6 address, 0 for anything else (another family, no address, too short). */
int nl_addr6_parse(const struct nlmsghdr *r, int *ifindex, struct nl_addr6 *a);

/* The gateway of ifindex's IPv6 default route (the router advertisement's or ours):
 * 0, or -ENOENT when there is none. */
int nl_default6(struct nl *nl, int ifindex, struct in6_addr *gw);

/* A non-blocking netlink socket subscribed to the RTNLGRP_* groups of mask
 * (bit n-1 = group n); the fd or -errno. */
int nl_subscribe(uint32_t mask);

#endif
