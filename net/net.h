/*
 * net: bring the network up as a struct net_plan (net/ipconf.h) says: wait
 * for the links, rename (ifname=) and create VLANs (vlan=), bring links up,
 * run DHCPv4 or the static configuration on the right interfaces (several
 * NICs: all at once, first lease wins), add routes, write /etc/resolv.conf,
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


/* What the boot interface ended up with (what init logs in one line). */
struct net_result {
	char iface[NET_IFNAMSIZ];	/* the configured boot interface */
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
};

/* Returns 0 when configured; -ETIMEDOUT, -ENODEV, -EPROTO, ... with err
 * filled (one line). res may not be NULL; ev may be NULL. */
int net_up(const struct net_plan *np, struct net_result *res,
	   event_fn ev, void *ctx, char *err, size_t errlen);

/* One line for the log: "eth0 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp from 10.0.2.2, lease 86400 s)". */
void net_result_format(const struct net_result *res, char *buf, size_t len);

#endif
