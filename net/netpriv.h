/*
 * net/ internals: what the network bring-up's files share (net.c: choosing interfaces and the
 * loop; apply.c: applying a lease or a static configuration; net6.c: the IPv6 half; pkt.c: the
 * DHCPv4 packet transport; files.c: resolv.conf and the .env files). Not for use outside net/.
 */
#ifndef NETINIT_NET_NETPRIV_H
#define NETINIT_NET_NETPRIV_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/filter.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>

#include "net/dhcp6c.h"
#include "net/dhcp6run.h"
#include "net/dhcpc.h"
#include "net/ra.h"
#include "net/env.h"
#include "util/fsutil.h"
#include "net/ifnames.h"
#include "net/link.h"
#include "net/net.h"
#include "util/errbuf.h"
#include "util/clock.h"

#ifndef IFF_UP
#define IFF_UP		0x1
#endif
#ifndef IFF_LOOPBACK
#define IFF_LOOPBACK	0x8
#endif
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif
#ifndef RTPROT_DHCP
#define RTPROT_DHCP	16
#endif

#define MAX_IFC		8	/* interfaces handled at once */
#define RESCAN_MS	250	/* re-read the links this often even without notifications */
#define FRAME_MAX	2048	/* one received frame */
#define EV_MAX		256	/* one event line */
#define RX_BATCH	64	/* frames read per wake-up */
#define PATH_MAX_NET	256
#define ADDR6_MAX	16	/* IPv6 addresses of one link looked at */
#define TENT_MAX	4	/* SLAAC addresses seen tentative, to tell a DAD failure */
#define RS_INTERVAL_MS	4000	/* RFC 4861 10: RTR_SOLICITATION_INTERVAL */
#define RS_MAX		3	/* ... MAX_RTR_SOLICITATIONS */
#define CHECK6_MS	100	/* re-read a link's IPv6 addresses at most this often without a notification */

enum ifc_state {
	IFC_WAIT_CARRIER,	/* brought up, waiting for carrier */
	IFC_DHCP,		/* DHCP client running (IPv6 may run beside it) */
	IFC_WAIT6,		/* IPv4 done (or none), IPv6 still working */
	IFC_DONE,		/* configured */
	IFC_FAILED,		/* gave up on this interface */
};

/* The IPv6 half of an interface's work. */
enum v6_state {
	V6_OFF,			/* no IPv6 on this entry */
	V6_LL,			/* waiting for the link-local address (its DAD) */
	V6_ADDR,		/* waiting for a global address: the RA's (SLAAC), or ours (static, DHCPv6) to pass DAD */
	V6_DHCP,		/* DHCPv6 running (stateful or stateless) */
	V6_DONE,
	V6_FAILED,
};

/* One interface we are working on. */
struct ifc {
	struct nl_link link;
	int entry;		/* index into np->ip[], or -1: implicit ip=dhcp */
	enum ifc_state st;
	uint64_t up_ms;		/* when we set it up */
	int fd;			/* packet socket while DHCP runs */
	unsigned attempt;	/* DHCP attempts so far */
	struct dhcpc dc;
	bool done4;		/* the IPv4 half is configured (or there is none) */
	struct net_result res;
	/* IPv6 */
	enum v6_state st6;
	uint64_t up6_ms, deadline6, next6, next_rs;
	unsigned rs_sent;
	int rs_fd;		/* ICMPv6 socket for router solicitations, -1 */
	int na_fd;		/* ICMPv6 socket for neighbour advertisements (who holds a duplicate), -1 */
	bool want_set;		/* waiting for want (static or DHCPv6 address) to pass DAD */
	struct in6_addr want;
	uint8_t want_prefix;
	struct in6_addr tent[TENT_MAX];	/* SLAAC addresses seen tentative */
	int n_tent;
	bool dadfail_set;	/* the kernel deleted a SLAAC address whose DAD failed (RTM_DELADDR) */
	struct in6_addr dadfail;
	int fd6;		/* DHCPv6 UDP socket, -1 */
	struct dhcp6c dc6;
	struct ra_dns ra;	/* RDNSS/DNSSL from this link's router advertisements */
};

struct ctx {
	const struct net_plan *np;
	event_fn ev;
	void *evctx;
	struct nl nl;
	struct ifc ifc[MAX_IFC];
	int n_ifc;
	struct net_ipconf implicit;	/* ip=dhcp when the plan has no ip= */
	const struct net_ipconf *ip;
	int n_ip;
	bool entry_done[NET_MAX_IP];
	bool entry_failed[NET_MAX_IP];
	int entry_ifc[NET_MAX_IP];	/* which ifc configured the entry */
	bool vlan_failed[NET_MAX_VLAN];	/* tried once, failed: do not retry */
	bool bond_failed[NET_MAX_BOND];	/* creating it failed: do not retry */
	bool bond_ready[NET_MAX_BOND];	/* a slave is enslaved: the bond may be configured */
	bool bond_set[NET_MAX_BOND];	/* created, or its options applied, by us */
	bool slave_failed[NET_MAX_BOND][NET_MAX_BOND_SLAVES];
	bool ifname_failed[NET_MAX_IFNAME];
	int nl6;			/* IPv6 address/route/ND user option notifications, -1 */
	bool check6;			/* one arrived: re-read the links' IPv6 addresses */
	int named[LINK_MAX];		/* ifindexes the naming policy looked at (renamed or not) */
	int n_named;
	char last_err[EV_MAX];
};

struct sbuf {
	char b[2048];
	size_t n;
};

static inline const char *ip4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static inline const char *ip6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static inline bool any6(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a);
}

/* files.c */
__attribute__((format(printf, 2, 3)))
void net_sb(struct sbuf *s, const char *fmt, ...);
int net_write_env(struct ctx *c, const struct ifc *f, const char *search, const struct dhcp_msg *m);
int net_write_resolv(struct ctx *c, const struct net_result *r, const char *search);

/* apply.c */
int net_apply(struct ctx *c, struct ifc *f, const struct net_ipconf *conf, const struct dhcp_msg *m);
int net_publish(struct ctx *c, struct ifc *f);
int net_add_routes6(struct ctx *c, struct ifc *f, bool boot);

/* net6.c */
void net6_prepare(struct ctx *c, const struct nl_link *l, const struct net_ipconf *conf);
void net6_step(struct ctx *c, struct ifc *f, uint64_t now);
void net6_stop(struct ifc *f);
void net6_read_dhcp(struct ctx *c, struct ifc *f, uint64_t now);
void net6_read_nl(struct ctx *c);
uint64_t net6_dad_wait_ms(const struct ctx *c);
void net6_watch_na(struct ctx *c, struct ifc *f);

/* pkt.c */
int net_dhcp_start(struct ctx *c, struct ifc *f, uint64_t now);
void net_dhcp_stop(struct ifc *f);

/* net.c */
__attribute__((format(printf, 3, 4)))
void net_evf(struct ctx *c, int level, const char *fmt, ...);

#endif
