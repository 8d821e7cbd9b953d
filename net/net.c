/* net: network bring-up as the plan says (links, DHCP/static, routes, files). */
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

#include "net/dhcpc.h"
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

enum ifc_state {
	IFC_WAIT_CARRIER,	/* brought up, waiting for carrier */
	IFC_DHCP,		/* DHCP client running */
	IFC_DONE,		/* configured */
	IFC_FAILED,		/* gave up on this interface */
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
	struct net_result res;
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
	int named[LINK_MAX];		/* ifindexes the naming policy looked at (renamed or not) */
	int n_named;
	char last_err[EV_MAX];
};

__attribute__((format(printf, 3, 4)))
static void evf(struct ctx *c, int level, const char *fmt, ...)
{
	char msg[EV_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level <= EV_WARN)
		snprintf(c->last_err, sizeof(c->last_err), "%s", msg);
	if (c->ev)
		c->ev(c->evctx, level, msg);
}

static const char *ip4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- files ---------------------------------------------------------------- */

/* Write root/rel atomically (tmp + rename). */
static int write_file(const struct net_plan *np, const char *rel, const char *text)
{
	char path[PATH_MAX_NET];

	if (snprintf(path, sizeof(path), "%s/%s", np->root[0] ? np->root : "", rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return fs_write_file(path, text, 0644);
}

struct sbuf {
	char b[2048];
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static void sb(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (s->n >= sizeof(s->b))
		return;
	va_start(ap, fmt);
	k = vsnprintf(s->b + s->n, sizeof(s->b) - s->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		s->n = s->n + (size_t)k < sizeof(s->b) ? s->n + (size_t)k : sizeof(s->b) - 1;
}

static int write_env(struct ctx *c, const struct ifc *f, const char *search, const struct dhcp_msg *m)
{
	static char text[NET_ENV_MAX];
	char rel[64];
	int rc;

	rc = net_env_format(&f->res, f->link.mtu, search, m, text, sizeof(text));
	if (rc < 0)
		return rc;
	snprintf(rel, sizeof(rel), "run/netinit/net/%s.env", f->res.iface);
	return write_file(c->np, rel, text);
}

/* /etc/resolv.conf (musl reads it) and the /proc/net/pnp-style copy. */
static int write_resolv(struct ctx *c, const struct net_result *r, const char *search)
{
	struct sbuf s = { .n = 0 }, p = { .n = 0 };
	char a[INET_ADDRSTRLEN];
	int rc;

	sb(&s, "# written by netinit for %s\n", r->iface);
	for (int i = 0; i < r->n_dns; i++)
		sb(&s, "nameserver %s\n", ip4(r->dns[i], a));
	if (r->domain[0] || (search && *search)) {
		sb(&s, "search");
		if (r->domain[0])
			sb(&s, " %s", r->domain);
		if (search && *search)
			sb(&s, " %s", search);
		sb(&s, "\n");
	}
	sb(&p, r->dhcp ? "#PROTO: DHCP\n" : "#MANUAL\n");
	if (r->domain[0])
		sb(&p, "domain %s\n", r->domain);
	for (int i = 0; i < r->n_dns; i++)
		sb(&p, "nameserver %s\n", ip4(r->dns[i], a));
	if (r->server.s_addr)
		sb(&p, "bootserver %s\n", ip4(r->server, a));
	if ((rc = write_file(c->np, "etc/resolv.conf", s.b)))
		return rc;
	return write_file(c->np, "run/netinit/resolv.conf", p.b);
}

/* ---- applying a configuration --------------------------------------------- */

static void add_dns(struct net_result *r, struct in_addr a)
{
	if (!a.s_addr)
		return;
	for (int i = 0; i < r->n_dns; i++)
		if (r->dns[i].s_addr == a.s_addr)
			return;
	if (r->n_dns < NET_MAX_DNS)
		r->dns[r->n_dns++] = a;
}

static uint8_t classful_prefix(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (h >> 31 == 0)
		return 8;
	if (h >> 30 == 2)
		return 16;
	return 24;
}

/* rd.route entries for this interface (or for the boot interface when unnamed). */
static int add_cmdline_routes(struct ctx *c, struct ifc *f, bool boot)
{
	char a[INET_ADDRSTRLEN];
	int rc;

	for (int i = 0; i < c->np->n_route; i++) {
		const struct net_route *r = &c->np->route[i];

		if (r->iface[0] ? strcmp(r->iface, f->link.name) : !boot)
			continue;
		rc = nl_route_add(&c->nl, f->link.ifindex, r->dst, r->prefix, r->gw, RTPROT_BOOT);
		if (rc) {
			evf(c, EV_ERR, "%s: adding route %s/%u: %s", f->link.name, ip4(r->dst, a), r->prefix,
			    strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int apply(struct ctx *c, struct ifc *f, const struct net_ipconf *conf, const struct dhcp_msg *m)
{
	struct net_result *r = &f->res;
	struct in_addr any = { 0 };
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	bool boot = f->entry <= 0;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->iface, sizeof(r->iface), "%s", f->link.name);
	r->dhcp = m != NULL;
	if (m) {
		r->addr = m->yiaddr;
		r->prefix = m->has_netmask ? m->prefix : classful_prefix(m->yiaddr);
		r->server = m->server_id;
		r->next_server = m->siaddr;
		r->lease_s = m->lease;
		snprintf(r->domain, sizeof(r->domain), "%s", m->domain);
		snprintf(r->hostname, sizeof(r->hostname), "%s", conf->hostname[0] ? conf->hostname : m->hostname);
		snprintf(r->tftp_server, sizeof(r->tftp_server), "%s", m->tftp_server);
		snprintf(r->boot_file, sizeof(r->boot_file), "%s", m->bootfile);
		if (!conf->mtu && m->mtu && m->mtu != f->link.mtu) {
			rc = nl_link_set(&c->nl, f->link.ifindex, -1, m->mtu, NULL, NULL);
			if (rc)
				evf(c, EV_WARN, "%s: setting MTU %u from DHCP: %s", f->link.name, m->mtu,
				    strerror(-rc));
			else
				r->mtu = m->mtu;
		}
	} else {
		r->addr = conf->addr;
		r->prefix = conf->prefix;
		r->gw = conf->gw;
		snprintf(r->hostname, sizeof(r->hostname), "%s", conf->hostname);
	}
	if (conf->mtu)
		r->mtu = conf->mtu;

	rc = nl_addr_add(&c->nl, f->link.ifindex, r->addr, r->prefix);
	if (rc) {
		evf(c, EV_ERR, "%s: adding address %s/%u: %s", f->link.name, ip4(r->addr, a), r->prefix,
		    strerror(-rc));
		return rc;
	}
	if (m && m->has_classless) {	/* RFC 3442: option 121 replaces option 3 */
		for (int i = 0; i < m->n_routes; i++) {
			const struct dhcp_route *rt = &m->routes[i];

			rc = nl_route_add(&c->nl, f->link.ifindex, rt->dst, rt->prefix, rt->gw, RTPROT_DHCP);
			if (rc) {
				evf(c, EV_ERR, "%s: adding DHCP route %s/%u via %s: %s", f->link.name,
				    ip4(rt->dst, a), rt->prefix, ip4(rt->gw, g), strerror(-rc));
				return rc;
			}
			if (rt->prefix == 0)
				r->gw = rt->gw;
		}
	} else if (m && m->n_routers) {
		r->gw = m->routers[0];
	}
	if (r->gw.s_addr && !(m && m->has_classless)) {
		rc = nl_route_add(&c->nl, f->link.ifindex, any, 0, r->gw, m ? RTPROT_DHCP : RTPROT_BOOT);
		if (rc) {
			evf(c, EV_ERR, "%s: adding default route via %s: %s", f->link.name, ip4(r->gw, a),
			    strerror(-rc));
			return rc;
		}
	}
	if ((rc = add_cmdline_routes(c, f, boot)))
		return rc;

	for (int i = 0; i < c->np->n_nameserver; i++)
		add_dns(r, c->np->nameserver[i]);
	for (int i = 0; i < conf->n_dns; i++)
		add_dns(r, conf->dns[i]);
	if (m && c->np->peerdns)
		for (int i = 0; i < m->n_dns; i++)
			add_dns(r, m->dns[i]);
	if (!c->np->peerdns)
		r->domain[0] = '\0';

	r->elapsed_ms = (unsigned)(mono_ms() - f->up_ms);
	if ((rc = write_env(c, f, m && c->np->peerdns ? m->search : NULL, m)))
		evf(c, EV_WARN, "%s: writing run/netinit/net/%s.env: %s", f->link.name, f->link.name,
		    strerror(-rc));
	if (boot && (rc = write_resolv(c, r, m && c->np->peerdns ? m->search : NULL))) {
		evf(c, EV_ERR, "writing etc/resolv.conf: %s", strerror(-rc));
		return rc;
	}
	if (m)
		evf(c, EV_INFO, "%s: DHCP lease %s/%u from %s in %u ms", f->link.name, ip4(r->addr, a),
		    r->prefix, ip4(r->server, g), r->elapsed_ms);
	else
		evf(c, EV_INFO, "%s: static %s/%u%s%s", f->link.name, ip4(r->addr, a), r->prefix,
		    r->gw.s_addr ? " gw " : "", r->gw.s_addr ? ip4(r->gw, g) : "");
	return 0;
}

/* ---- DHCP transport: a packet socket per interface ------------------------ */

static int send_frame(void *ctx, const uint8_t *msg, size_t len)
{
	struct ifc *f = ctx;
	uint8_t frame[FRAME_MAX];
	struct sockaddr_ll sll;
	int n = dhcp_frame(frame, sizeof(frame), msg, len);

	if (n < 0)
		return n;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = f->link.ifindex;
	sll.sll_halen = ETH_ALEN;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	if (sendto(f->fd, frame, (size_t)n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

static int open_packet(int ifindex)
{
	/* Keep IPv4 UDP to port 68 that is not a fragment (offsets from the IP header). */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),			/* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),			/* flags + fragment offset */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),			/* X = IP header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),			/* UDP destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DHCP_CLIENT_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	struct sockaddr_ll sll;
	int fd, e;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP));
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		goto err_close;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto err_close;
	return fd;
err_close:
	e = -errno;
	close(fd);
	return e;
}

static void stop_dhcp(struct ifc *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static int start_dhcp(struct ctx *c, struct ifc *f, uint64_t now)
{
	const struct net_ipconf *conf = f->entry >= 0 ? &c->ip[f->entry] : &c->implicit;
	struct timespec ts;
	int fd;

	if (f->fd < 0) {
		fd = open_packet(f->link.ifindex);
		if (fd < 0) {
			evf(c, EV_ERR, "%s: opening a packet socket: %s (is af_packet loaded?)",
			    f->link.name, strerror(-fd));
			return fd;
		}
		f->fd = fd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&f->dc, 0, sizeof(f->dc));
	memcpy(f->dc.mac, f->link.mac, 6);
	f->dc.hostname = conf->hostname[0] ? conf->hostname : NULL;
	f->dc.vendor_class = c->np->vendor_class;
	f->dc.requested = conf->addr;
	f->dc.timeout_ms = (uint64_t)c->np->timeout.dhcp * 1000;
	f->dc.seed = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^
		     (uint32_t)(f->link.mac[2] << 24 | f->link.mac[3] << 16 | f->link.mac[4] << 8 |
				f->link.mac[5]) ^ (uint32_t)f->link.ifindex;
	f->dc.send = send_frame;
	f->dc.ctx = f;
	f->attempt++;
	f->st = IFC_DHCP;
	evf(c, EV_DEBUG, "%s: DHCP attempt %u", f->link.name, f->attempt);
	dhcpc_start(&f->dc, now);
	return 0;
}

/* ---- choosing interfaces -------------------------------------------------- */

static bool is_vlan_parent(const struct net_plan *np, const char *name)
{
	for (int i = 0; i < np->n_vlan; i++)
		if (!strcmp(np->vlan[i].phys, name))
			return true;
	return false;
}

static bool is_bond_slave(const struct net_plan *np, const char *name)
{
	for (int i = 0; i < np->n_bond; i++)
		for (int s = 0; s < np->bond[i].n_slave; s++)
			if (!strcmp(np->bond[i].slave[s], name))
				return true;
	return false;
}

/* A bond= interface without an enslaved slave yet: not to be configured (its MAC changes). */
static bool is_unready_bond(struct ctx *c, const char *name)
{
	for (int i = 0; i < c->np->n_bond; i++)
		if (!strcmp(c->np->bond[i].name, name))
			return !c->bond_ready[i];
	return false;
}

static bool named_by_entry(struct ctx *c, const char *name)
{
	for (int i = 0; i < c->n_ip; i++)
		if (!strcmp(c->ip[i].iface, name))
			return true;
	return false;
}

/* Which ip= entry (or -1 for the implicit dhcp, -2 for none) does this link serve? */
static int entry_for(struct ctx *c, const struct nl_link *l, int *any_entry)
{
	const struct net_plan *np = c->np;

	if (is_bond_slave(np, l->name) || is_unready_bond(c, l->name))
		return -2; /* a slave is never configured itself; a bond once it has a slave */
	for (int i = 0; i < c->n_ip; i++)
		if (c->ip[i].iface[0] && !strcmp(c->ip[i].iface, l->name))
			return i;
	if (*any_entry == -2)
		return -2;
	/* an entry without interface: bootdev=, then BOOTIF=, then every Ethernet link */
	if ((l->flags & IFF_LOOPBACK) || l->type != ARPHRD_ETHER || named_by_entry(c, l->name) ||
	    is_vlan_parent(np, l->name))
		return -2;
	if (np->bootdev[0])
		return strcmp(np->bootdev, l->name) ? -2 : *any_entry;
	if (np->has_bootif && np->use_bootif)
		return l->has_mac && !memcmp(l->mac, np->bootif, 6) ? *any_entry : -2;
	return *any_entry;
}

static struct ifc *find_ifc(struct ctx *c, int ifindex)
{
	for (int i = 0; i < c->n_ifc; i++)
		if (c->ifc[i].link.ifindex == ifindex)
			return &c->ifc[i];
	return NULL;
}

/* net.ifnames=1 (the default): give each physical Ethernet link the name the booted
 * system's udev would give it (net/ifnames.h), once, while it is still down. ifname=
 * wins, as under dracut: a link an ifname= entry names (by MAC) is left alone. */
static bool policy_names(struct ctx *c, const struct nl_link *links, int n)
{
	const struct net_plan *np = c->np;
	bool changed = false;

	for (int i = 0; i < n; i++) {
		const struct nl_link *l = &links[i];
		struct ifnames nm;
		char err[EV_MAX];
		bool seen = false, taken = false;
		int rc;

		for (int k = 0; k < c->n_named; k++)
			seen |= c->named[k] == l->ifindex;
		if (seen || (l->flags & IFF_LOOPBACK) || l->type != ARPHRD_ETHER)
			continue;
		if (c->n_named < LINK_MAX)
			c->named[c->n_named++] = l->ifindex;
		for (int k = 0; k < np->n_ifname; k++)
			if (l->has_mac && !memcmp(l->mac, np->ifname[k].mac, 6))
				seen = true;
		if (seen)
			continue;
		rc = ifnames_compute("/sys", l->name, np->naming_flags, &nm, err, sizeof(err));
		if (rc) {
			evf(c, EV_DEBUG, "%s: no udev name: %s", l->name, err);
			continue;
		}
		if (!nm.name[0] || !strcmp(nm.name, l->name))
			continue;
		for (int k = 0; k < n; k++)
			taken |= !strcmp(links[k].name, nm.name);
		for (int k = 0; k < np->n_ifname; k++)
			taken |= !strcmp(np->ifname[k].name, nm.name);
		if (taken) {
			evf(c, EV_WARN, "%s: not renamed to %s (%s name): the name is taken", l->name, nm.name,
			    nm.policy);
			continue;
		}
		if (l->flags & IFF_UP) {
			evf(c, EV_WARN, "%s: not renamed to %s (%s name): the link is already up", l->name,
			    nm.name, nm.policy);
			continue;
		}
		rc = nl_link_set(&c->nl, l->ifindex, -1, 0, NULL, nm.name);
		if (rc)
			evf(c, EV_WARN, "%s: renaming to %s (%s name): %s", l->name, nm.name, nm.policy,
			    strerror(-rc));
		else
			evf(c, EV_INFO, "%s: renamed to %s (udev %s name, scheme %s)", l->name, nm.name,
			    nm.policy, np->naming_scheme[0] ? np->naming_scheme : "v257");
		changed = true;
	}
	return changed;
}

/* bond=: create the bond once a slave exists, then enslave each slave as it appears (down
 * first, as the kernel wants); true when links changed. */
static bool fix_bond(struct ctx *c, int k, struct nl_link *links, int n)
{
	const struct net_bond *b = &c->np->bond[k];
	const struct nl_link *bond = NULL;
	bool changed = false, any_slave = false;
	int rc;

	if (c->bond_failed[k])
		return false;
	for (int i = 0; i < n; i++) {
		if (!strcmp(links[i].name, b->name))
			bond = &links[i];
		for (int s = 0; s < b->n_slave; s++)
			any_slave |= !strcmp(links[i].name, b->slave[s]);
	}
	if (!bond || !c->bond_set[k]) {
		struct nl_bond_opts o = {
			.mode = b->mode,
			.miimon = b->has_miimon ? (int32_t)b->miimon : -1,
			.updelay = b->has_updelay ? (int32_t)b->updelay : -1,
			.downdelay = b->has_downdelay ? (int32_t)b->downdelay : -1,
			.min_links = b->has_min_links ? (int32_t)b->min_links : -1,
			.lacp_rate = b->has_lacp_rate ? b->lacp_rate : -1,
			.xmit_hash_policy = b->has_xmit_hash ? b->xmit_hash : -1,
			.ad_select = b->has_ad_select ? b->ad_select : -1,
		};

		if (!any_slave)
			return false;
		/* a bond the bonding module made itself (max_bonds) gets our options instead */
		if (bond && (bond->flags & IFF_UP))
			nl_link_set(&c->nl, bond->ifindex, 0, 0, NULL, NULL);
		rc = nl_bond_add(&c->nl, b->name, &o, bond == NULL);
		c->bond_set[k] = true;
		if (rc) {
			evf(c, EV_ERR, "%s: creating the bond (%s): %s%s", b->name, net_bond_mode_name(b->mode),
			    strerror(-rc), rc == -EOPNOTSUPP ? " (is the bonding module loaded?)" : "");
			c->bond_failed[k] = true;
			for (int e = 0; e < c->n_ip; e++)
				if (!strcmp(c->ip[e].iface, b->name))
					c->entry_failed[e] = true;
		} else
			evf(c, EV_INFO, "%s: bond (%s) %s", b->name, net_bond_mode_name(b->mode),
			    bond ? "configured" : "created");
		return true;
	}
	for (int s = 0; s < b->n_slave; s++) {
		for (int i = 0; i < n; i++) {
			if (strcmp(links[i].name, b->slave[s]) || links[i].master == bond->ifindex || c->slave_failed[k][s])
				continue;
			nl_link_set(&c->nl, links[i].ifindex, 0, 0, NULL, NULL);
			rc = nl_link_set_master(&c->nl, links[i].ifindex, bond->ifindex);
			if (rc) {
				evf(c, EV_WARN, "%s: enslaving %s: %s", b->name, b->slave[s], strerror(-rc));
				c->slave_failed[k][s] = true;
				continue;
			}
			nl_link_set(&c->nl, links[i].ifindex, 1, 0, NULL, NULL);
			evf(c, EV_INFO, "%s: %s enslaved", b->name, b->slave[s]);
			if (b->primary[0] && !strcmp(b->primary, b->slave[s]) &&
			    (rc = nl_bond_set_primary(&c->nl, bond->ifindex, links[i].ifindex)))
				evf(c, EV_WARN, "%s: primary %s: %s", b->name, b->primary, strerror(-rc));
			if (!c->bond_ready[k] && b->mtu && (rc = nl_link_set(&c->nl, bond->ifindex, -1, b->mtu, NULL, NULL)))
				evf(c, EV_WARN, "%s: mtu %u: %s", b->name, b->mtu, strerror(-rc));
			c->bond_ready[k] = true;
			changed = true;
		}
	}
	return changed;
}

/* ifname= renames and vlan= creation; returns true when links changed. */
static bool fix_links(struct ctx *c, struct nl_link *links, int n)
{
	const struct net_plan *np = c->np;
	bool changed = false;
	int rc;

	for (int k = 0; k < np->n_ifname; k++) {
		const struct net_ifname *fn = &np->ifname[k];

		for (int i = 0; i < n && !c->ifname_failed[k]; i++) {
			if (!links[i].has_mac || memcmp(links[i].mac, fn->mac, 6) || !strcmp(links[i].name, fn->name))
				continue;
			if (links[i].flags & IFF_UP)
				nl_link_set(&c->nl, links[i].ifindex, 0, 0, NULL, NULL);
			rc = nl_link_set(&c->nl, links[i].ifindex, -1, 0, NULL, fn->name);
			if (rc) {
				evf(c, EV_WARN, "%s: renaming to %s (ifname=): %s", links[i].name, fn->name,
				    strerror(-rc));
				c->ifname_failed[k] = true;
			} else
				evf(c, EV_INFO, "%s: renamed to %s", links[i].name, fn->name);
			changed = true;
		}
	}
	if (np->ifnames && policy_names(c, links, n))
		changed = true;
	for (int k = 0; k < np->n_vlan; k++) {
		const struct net_vlan *v = &np->vlan[k];
		int phys = 0;
		bool exists = false;

		for (int i = 0; i < n; i++) {
			if (!strcmp(links[i].name, v->name))
				exists = true;
			if (!strcmp(links[i].name, v->phys))
				phys = links[i].ifindex;
		}
		if (exists || !phys || c->vlan_failed[k])
			continue;
		nl_link_set(&c->nl, phys, 1, 0, NULL, NULL);
		rc = nl_vlan_add(&c->nl, v->name, phys, v->id);
		if (rc) {
			evf(c, EV_ERR, "%s: creating VLAN %u on %s: %s%s", v->name, v->id, v->phys, strerror(-rc),
			    rc == -EOPNOTSUPP ? " (is the 8021q module loaded?)" : "");
			c->vlan_failed[k] = true;
			for (int e = 0; e < c->n_ip; e++)	/* entries on this VLAN cannot succeed */
				if (!strcmp(c->ip[e].iface, v->name))
					c->entry_failed[e] = true;
		} else
			evf(c, EV_INFO, "%s: VLAN %u on %s created", v->name, v->id, v->phys);
		changed = true;
	}
	for (int k = 0; k < np->n_bond; k++)
		changed |= fix_bond(c, k, links, n);
	return changed;
}

/* Read the links, adopt new targets (bring them up), update carrier. */
static int rescan(struct ctx *c, uint64_t now)
{
	struct nl_link links[LINK_MAX];
	int n, any_entry = -2;
	char a[INET_ADDRSTRLEN];

	for (int i = 0; i < c->n_ip; i++)
		if (!c->ip[i].iface[0] && !c->entry_done[i] && !c->entry_failed[i])
			any_entry = i;

	n = nl_links(&c->nl, links, LINK_MAX);
	if (n < 0)
		return n;
	if (fix_links(c, links, n)) {
		n = nl_links(&c->nl, links, LINK_MAX);
		if (n < 0)
			return n;
	}
	for (int i = 0; i < n; i++) {
		struct nl_link *l = &links[i];
		struct ifc *f = find_ifc(c, l->ifindex);
		int e;

		if (f) {
			bool had = f->link.flags & IFF_LOWER_UP;

			f->link = *l;
			if (!had && (l->flags & IFF_LOWER_UP))
				evf(c, EV_INFO, "%s: carrier after %u ms", l->name, (unsigned)(now - f->up_ms));
			continue;
		}
		e = entry_for(c, l, &any_entry);
		if (e == -2 || c->n_ifc >= MAX_IFC)
			continue;
		f = &c->ifc[c->n_ifc++];
		memset(f, 0, sizeof(*f));
		f->link = *l;
		f->entry = e;
		f->fd = -1;
		f->st = IFC_WAIT_CARRIER;
		{
			const struct net_ipconf *conf = &c->ip[e];
			int rc;

			if (conf->has_mac) {
				nl_link_set(&c->nl, l->ifindex, 0, 0, NULL, NULL);
				rc = nl_link_set(&c->nl, l->ifindex, -1, 0, conf->mac, NULL);
				if (rc)
					evf(c, EV_WARN, "%s: setting the MAC address: %s", l->name, strerror(-rc));
				else
					memcpy(f->link.mac, conf->mac, 6);
			}
			rc = nl_link_set(&c->nl, l->ifindex, 1, conf->mtu, NULL, NULL);
			if (rc) {
				evf(c, EV_WARN, "%s: bringing the link up: %s", l->name, strerror(-rc));
				f->st = IFC_FAILED;
				continue;
			}
		}
		f->up_ms = now;
		evf(c, EV_INFO, "%s: link up (%s)", l->name,
		    c->ip[e].method == NET_METHOD_STATIC ? ip4(c->ip[e].addr, a) : "dhcp");
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------- */

static void finish_entry(struct ctx *c, struct ifc *f)
{
	int e = f->entry;

	f->st = IFC_DONE;
	stop_dhcp(f);
	c->entry_done[e] = true;
	c->entry_ifc[e] = (int)(f - c->ifc);
	/* first lease wins: stop every other interface working on the same entry */
	for (int i = 0; i < c->n_ifc; i++) {
		struct ifc *o = &c->ifc[i];

		if (o != f && o->entry == e && o->st != IFC_DONE) {
			stop_dhcp(o);
			o->st = IFC_FAILED;
		}
	}
}

static void step_ifc(struct ctx *c, struct ifc *f, uint64_t now)
{
	const struct net_ipconf *conf = &c->ip[f->entry];
	int rc;

	if (f->st == IFC_WAIT_CARRIER) {
		if (!(f->link.flags & IFF_LOWER_UP)) {
			if (now - f->up_ms >= (uint64_t)c->np->timeout.carrier * 1000) {
				evf(c, EV_WARN, "%s: no carrier after %u s", f->link.name, c->np->timeout.carrier);
				f->st = IFC_FAILED;
			}
			return;
		}
		if (conf->method == NET_METHOD_STATIC) {
			rc = apply(c, f, conf, NULL);
			if (rc)
				f->st = IFC_FAILED;
			else
				finish_entry(c, f);
			return;
		}
		if (start_dhcp(c, f, now))
			f->st = IFC_FAILED;
		return;
	}
	if (f->st != IFC_DHCP)
		return;
	if (dhcpc_tick(&f->dc, now) == -ETIMEDOUT) {
		if (f->attempt < c->np->dhcp_retry) {
			evf(c, EV_WARN, "%s: no DHCP lease in %u s (attempt %u of %u), retrying", f->link.name,
			    c->np->timeout.dhcp, f->attempt, c->np->dhcp_retry);
			start_dhcp(c, f, now);
			return;
		}
		evf(c, EV_WARN, "%s: no DHCP lease after %u attempt(s) of %u s (%u sent, %u malformed, %u ignored)",
		    f->link.name, f->attempt, c->np->timeout.dhcp, f->dc.sent, f->dc.malformed, f->dc.ignored);
		stop_dhcp(f);
		f->st = IFC_FAILED;
	}
}

static void read_packets(struct ctx *c, struct ifc *f, uint64_t now)
{
	uint8_t frame[FRAME_MAX];
	const uint8_t *payload;
	size_t plen;
	ssize_t n = 0;
	int rc;

	/* a bounded batch: a flood must not starve the timers */
	for (int batch = 0; batch < RX_BATCH && f->fd >= 0 && f->st == IFC_DHCP &&
	     (n = recv(f->fd, frame, sizeof(frame), 0)) >= 0; batch++) {
		rc = dhcp_unframe(frame, (size_t)n, &payload, &plen);
		if (rc == -EBADMSG) {
			f->dc.malformed++;
			continue;
		}
		if (rc)
			continue;
		{
			unsigned bad = f->dc.malformed, naks = f->dc.naks;

			if (dhcpc_input(&f->dc, payload, plen, now) == 1) {
				const struct net_ipconf *conf = &c->ip[f->entry];

				if (apply(c, f, conf, &f->dc.lease)) {
					stop_dhcp(f);
					f->st = IFC_FAILED;
				} else {
					finish_entry(c, f);
				}
				return;
			}
			if (f->dc.malformed != bad)
				evf(c, EV_DEBUG, "%s: dropped a malformed DHCP packet", f->link.name);
			if (f->dc.naks != naks)
				evf(c, EV_WARN, "%s: DHCP NAK, starting over", f->link.name);
			else if (f->dc.state == DHCPC_REQUESTING && f->dc.tries == 1 && f->dc.offer.yiaddr.s_addr) {
				char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];

				evf(c, EV_DEBUG, "%s: offer %s from %s", f->link.name,
				    ip4(f->dc.offer.yiaddr, a), ip4(f->dc.offer.server_id, s));
			}
		}
	}
	/* e.g. ENETDOWN after a carrier flap: reading it cleared the socket error, so
	 * poll does not spin; the DHCP timers decide whether this interface fails */
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		evf(c, EV_DEBUG, "%s: receiving DHCP replies: %s", f->link.name, strerror(errno));
}
/* Is every entry resolved? Entries with nothing to work on yet are not. */
static bool all_resolved(struct ctx *c)
{
	for (int e = 0; e < c->n_ip; e++) {
		bool working = false, any = false;

		if (c->entry_done[e] || c->entry_failed[e])
			continue;
		for (int i = 0; i < c->n_ifc; i++) {
			if (c->ifc[i].entry != e)
				continue;
			any = true;
			if (c->ifc[i].st != IFC_FAILED)
				working = true;
		}
		if (!any || working)
			return false;
		c->entry_failed[e] = true;
	}
	return true;
}

int net_up(const struct net_plan *np, struct net_result *res,
	   event_fn ev, void *evctx, char *err, size_t errlen)
{
	static struct ctx c;	/* large; net_up runs once per boot */
	uint64_t start, iflink_deadline, next_scan;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.np = np;
	c.ev = ev;
	c.evctx = evctx;
	c.ip = np->ip;
	c.n_ip = np->n_ip;
	if (c.n_ip == 0) {	/* rd.neednet=1 without ip=: dracut's default is dhcp */
		c.implicit.method = NET_METHOD_DHCP;
		c.ip = &c.implicit;
		c.n_ip = 1;
	}
	if (np->unsupported[0]) {
		seterr(err, errlen, "%s%s", np->v6 ? "IPv6 configuration is not supported yet: " : "unsupported: ",
		       np->unsupported);
		return -EINVAL;
	}
	rc = nl_open(&c.nl, true);
	if (rc) {
		seterr(err, errlen, "network: opening rtnetlink: %s", strerror(-rc));
		return rc;
	}
	start = mono_ms();
	iflink_deadline = start + (uint64_t)np->timeout.iflink * 1000;
	next_scan = start;

	for (;;) {
		struct pollfd pfd[MAX_IFC + 1];
		struct ifc *map[MAX_IFC + 1];
		uint64_t now = mono_ms(), wake;
		int n = 0;

		if (now >= next_scan) {
			rc = rescan(&c, now);
			if (rc) {
				seterr(err, errlen, "network: listing links: %s", strerror(-rc));
				goto err_close;
			}
			next_scan = now + RESCAN_MS;
		}
		for (int i = 0; i < c.n_ifc; i++)
			step_ifc(&c, &c.ifc[i], now);
		if (all_resolved(&c))
			break;
		if (c.n_ifc == 0 && now >= iflink_deadline) {
			rc = -ENODEV;
			seterr(err, errlen, "network: no usable network interface appeared in %u s "
			       "(rd.net.timeout.iflink; check the NIC driver module%s%s)", np->timeout.iflink,
			       c.ip[0].iface[0] ? " and the interface " : "", c.ip[0].iface);
			goto err_close;
		}
		/* an unnamed entry with candidates that all failed: do not wait for more links forever */
		if (now >= iflink_deadline) {
			for (int e = 0; e < c.n_ip; e++) {
				bool any = false;

				for (int i = 0; i < c.n_ifc; i++)
					if (c.ifc[i].entry == e)
						any = true;
				if (!any && !c.entry_done[e])
					c.entry_failed[e] = true;
			}
			if (all_resolved(&c))
				break;
		}

		wake = next_scan;
		if (c.nl.mon >= 0) {
			pfd[n].fd = c.nl.mon;
			pfd[n].events = POLLIN;
			map[n++] = NULL;
		}
		for (int i = 0; i < c.n_ifc; i++) {
			struct ifc *f = &c.ifc[i];

			if (f->st == IFC_WAIT_CARRIER) {
				uint64_t t = f->up_ms + (uint64_t)np->timeout.carrier * 1000;

				if (t < wake)
					wake = t;
			}
			if (f->st != IFC_DHCP)
				continue;
			if (dhcpc_next_ms(&f->dc) < wake)
				wake = dhcpc_next_ms(&f->dc);
			pfd[n].fd = f->fd;
			pfd[n].events = POLLIN;
			map[n++] = f;
		}
		now = mono_ms();
		rc = poll(pfd, (nfds_t)n, wake > now ? (int)(wake - now) : 0);
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			seterr(err, errlen, "network: poll: %s", strerror(-rc));
			goto err_close;
		}
		now = mono_ms();
		for (int i = 0; rc > 0 && i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR)))
				continue;
			if (!map[i]) {
				nl_drain(&c.nl);
				next_scan = now;	/* a link changed: look now */
			} else {
				read_packets(&c, map[i], now);
			}
		}
	}

	for (int i = 0; i < c.n_ifc; i++)
		stop_dhcp(&c.ifc[i]);
	for (int e = 1; e < c.n_ip; e++)
		if (!c.entry_done[e])
			evf(&c, EV_WARN, "ip=%s: not configured", c.ip[e].iface[0] ? c.ip[e].iface : "(any)");
	if (!c.entry_done[0]) {
		rc = -ETIMEDOUT;
		if (c.n_ifc == 0)
			rc = -ENODEV;
		if (c.ip[0].iface[0])
			seterr(err, errlen, "network: interface %s not configured: %s", c.ip[0].iface,
			       c.last_err[0] ? c.last_err : "no link, carrier or lease");
		else
			seterr(err, errlen, "network: no interface configured: %s",
			       c.last_err[0] ? c.last_err : "no link, carrier or lease");
		goto err_close;
	}
	*res = c.ifc[c.entry_ifc[0]].res;
	nl_close(&c.nl);
	return 0;

err_close:
	for (int i = 0; i < c.n_ifc; i++)
		stop_dhcp(&c.ifc[i]);
	nl_close(&c.nl);
	return rc;
}

void net_result_format(const struct net_result *r, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	struct sbuf s = { .n = 0 };

	sb(&s, "%s %s/%u", r->iface, ip4(r->addr, a), r->prefix);
	if (r->gw.s_addr)
		sb(&s, " gw %s", ip4(r->gw, a));
	for (int i = 0; i < r->n_dns; i++)
		sb(&s, "%s%s", i ? "," : " dns ", ip4(r->dns[i], a));
	if (r->mtu)
		sb(&s, " mtu %u", r->mtu);
	if (r->dhcp) {
		sb(&s, " (dhcp from %s", ip4(r->server, a));
		if (r->lease_s == 0xffffffffu)
			sb(&s, ", lease infinite");
		else
			sb(&s, ", lease %u s", r->lease_s);
		if (r->next_server.s_addr)
			sb(&s, ", next-server %s", ip4(r->next_server, a));
		if (r->boot_file[0])
			sb(&s, ", file %s", r->boot_file);
		sb(&s, ", %u ms)", r->elapsed_ms);
	} else {
		sb(&s, " (static)");
	}
	snprintf(buf, len, "%s", s.b);
}
