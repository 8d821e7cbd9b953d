/*
 * net: bring the network up as a struct net_plan (net/ipconf.h) says: wait
 * for the links, rename (ifname=) and create VLANs (vlan=), bring links up,
 * run DHCPv4 or the static configuration on the right interfaces (several
 * NICs: all at once, first lease wins), and IPv6 beside it (static, SLAAC
 * with the RA's RDNSS/DNSSL, DHCPv6 stateful or stateless, link-local),
 * add routes, write /etc/resolv.conf,
 * /run/netinit/net/<iface>.env and /run/netinit/resolv.conf (all below
 * np->root). Interfaces stay configured; the lease is never released.
 * Never prints: events go to the caller's callback, errors into err.
 */
#ifndef NETINIT_NET_NET_H
#define NETINIT_NET_NET_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "net/ipconf.h"
#include "util/event.h"


/* The IPv6 half of a configured interface. */
struct net_result6 {
	bool on;			/* IPv6 was configured on this interface */
	enum net_method6 method;
	bool has_addr;			/* addr is set (link6: only the link-local) */
	struct in6_addr addr;		/* the global address: static, SLAAC or DHCPv6 */
	uint8_t prefix;
	bool dhcp6;			/* addr (or, stateless, DNS) came from DHCPv6 */
	bool ra_managed, ra_other;	/* the router advertisement's M and O flags */
	struct in6_addr link_local;
	struct in6_addr gw;		/* the default route's gateway, :: = none */
	struct in6_addr dns[NET_MAX_DNS];	/* what went into resolv.conf */
	uint8_t n_dns;
	char search[256];		/* DNSSL or DHCPv6 option 24 */
	char boot_url[256];		/* DHCPv6 option 59 */
	char boot_param[256];		/* DHCPv6 option 60 */
	uint32_t valid_s;		/* DHCPv6 lifetime, 0 = not from DHCPv6 */
	unsigned elapsed_ms;		/* link up to IPv6 usable */
};

/* What the boot interface ended up with (what init logs in one line). */
struct net_result {
	char iface[NET_IFNAMSIZ];	/* the configured boot interface */
	bool has4;			/* IPv4 was configured (false: an IPv6-only ip=) */
	bool dhcp;			/* true: from a DHCP lease; false: static */
	struct in_addr addr;
	uint8_t prefix;
	struct in_addr gw;		/* 0 = no default route */
	struct in_addr dns[NET_MAX_DNS];	/* what went into resolv.conf */
	uint8_t n_dns;
	char domain[256];		/* option 15 */
	char hostname[NET_HOSTNAME_MAX];	/* option 12 or ip= hostname */
	uint32_t mtu;			/* 0 = unchanged */
	struct in_addr server;		/* DHCP server identifier (option 54) */
	struct in_addr next_server;	/* siaddr */
	char tftp_server[256];		/* option 66 */
	char boot_file[256];		/* option 67, else the file field */
	uint32_t lease_s;		/* option 51; 0xffffffff = infinite */
	unsigned elapsed_ms;		/* link up to lease applied */
	struct net_result6 v6;
};

/* Returns 0 when configured; -ETIMEDOUT, -ENODEV, -EPROTO, ... with err
 * filled (one line). res may not be NULL; ev may be NULL. */
int net_up(const struct net_plan *np, struct net_result *res,
	   event_fn ev, void *ctx, char *err, size_t errlen);

/* One line for the log: "eth0 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp from 10.0.2.2, lease 86400 s)",
 * then for IPv6 " ipv6 2001:db8::5/64 gw fe80::1 dns 2001:db8::53 (auto6, 2100 ms)". */
void net_result_format(const struct net_result *res, char *buf, size_t len);

#endif
