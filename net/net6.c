/* net/net6.c: the IPv6 half of an interface (SLAAC, router solicitation, DHCPv6, DAD). */
#include "net/netpriv.h"

/* ---- IPv6 ------------------------------------------------------------------
 * The kernel does SLAAC itself (accept_ra, autoconf): it forms the address from
 * the RA's prefix, runs DAD and adds the default route. netinit sets the knobs per
 * interface, solicits a router, watches the addresses over rtnetlink (tentative,
 * ready, IFA_F_DADFAILED, or deleted after a failed DAD), collects RDNSS/DNSSL
 * (net/ra.h), and runs DHCPv6 when the mode or the RA's M/O flags ask. */

static void sysctl6(struct ctx *c, const char *ifname, const char *key, const char *val)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
	if ((rc = fs_write_small(path, val)))
		net_evf(c, EV_WARN, "%s: setting %s=%s: %s", ifname, key, val, strerror(-rc));
}

/* Before the link goes up: what the kernel should do on its own. */
void net6_prepare(struct ctx *c, const struct nl_link *l, const struct net_ipconf *conf)
{
	bool ra = conf->method6 == NET_V6_AUTO6 || conf->method6 == NET_V6_EITHER6 || conf->method6 == NET_V6_DHCP6;

	if (!net_ipconf_has6(conf))
		return;
	sysctl6(c, l->name, "disable_ipv6", "0");
	/* 2: take RAs even if forwarding is on; dhcp6 still wants the RA's default route */
	sysctl6(c, l->name, "accept_ra", ra ? "2" : "0");
	sysctl6(c, l->name, "autoconf", conf->method6 == NET_V6_AUTO6 || conf->method6 == NET_V6_EITHER6 ? "1" : "0");
	if (c->np->timeout.ipv6dad == 0)	/* rd.net.timeout.ipv6dad=0: no DAD at all */
		sysctl6(c, l->name, "accept_dad", "0");
}

/* How long to wait for DAD: rd.net.timeout.ipv6dad; with 0 (no DAD) addresses are ready at
 * once, and the wait for them to appear at all is rd.net.timeout.ipv6auto's. */
uint64_t net6_dad_wait_ms(const struct ctx *c)
{
	return (uint64_t)(c->np->timeout.ipv6dad ? c->np->timeout.ipv6dad : c->np->timeout.ipv6auto) * 1000;
}

void net6_stop(struct ifc *f)
{
	if (f->rs_fd >= 0)
		close(f->rs_fd);
	if (f->na_fd >= 0)
		close(f->na_fd);
	if (f->fd6 >= 0)
		close(f->fd6);
	f->rs_fd = f->na_fd = f->fd6 = -1;
}

/* From carrier on, while DAD runs: queue neighbour advertisements, so that a failed DAD
 * can name the duplicate's MAC (the NA defending the address carries it). Without the
 * socket a DAD failure is still reported, only without the MAC. */
void net6_watch_na(struct ctx *c, struct ifc *f)
{
	if (c->np->timeout.ipv6dad == 0 || f->na_fd >= 0)
		return;
	if ((f->na_fd = ra_na_socket(f->link.name)) < 0) {
		net_evf(c, EV_DEBUG, "%s: ICMPv6 socket for neighbour advertisements: %s", f->link.name,
		    strerror(-f->na_fd));
		f->na_fd = -1;
	}
}

__attribute__((format(printf, 3, 4)))
static void fail6(struct ctx *c, struct ifc *f, const char *fmt, ...)
{
	char msg[EV_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	net_evf(c, EV_ERR, "%s: %s", f->link.name, msg);
	net6_stop(f);
	f->st6 = V6_FAILED;
}

/* Fail f for a's failed DAD: "DAD failed for <a>[ (<what>)]: a duplicate address on the
 * segment", with ", held by <MAC>" when an NA defending a was seen. */
static void fail_dad(struct ctx *c, struct ifc *f, const struct in6_addr *a, const char *what)
{
	char b[INET6_ADDRSTRLEN];
	uint8_t m[6];

	if (f->na_fd >= 0 && ra_dup_mac(f->na_fd, a, m) == 1)
		fail6(c, f, "DAD failed for %s%s: a duplicate address on the segment, held by %02x:%02x:%02x:%02x:%02x:%02x",
		      ip6(a, b), what, m[0], m[1], m[2], m[3], m[4], m[5]);
	else
		fail6(c, f, "DAD failed for %s%s: a duplicate address on the segment", ip6(a, b), what);
}

/* A global address seen tentative (in a dump or a notification): remembered once, so that its
 * disappearance can be told as a failed DAD. */
static void remember_tentative(struct ifc *f, const struct in6_addr *a)
{
	for (int k = 0; k < f->n_tent; k++)
		if (!memcmp(&f->tent[k], a, 16))
			return;
	if (f->n_tent < TENT_MAX)
		f->tent[f->n_tent++] = *a;
}

static int send6(void *ctx, const uint8_t *msg, size_t len)
{
	struct ifc *f = ctx;

	return dhcp6_sendto_servers(f->fd6, f->link.ifindex, msg, len);
}

static void start_dhcp6(struct ctx *c, struct ifc *f, bool stateless, uint64_t now)
{
	char err[EV_MAX];
	struct timespec ts;
	int fd;

	if (f->fd6 < 0) {
		fd = dhcp6_socket(f->link.ifindex, f->link.name, err, sizeof(err));
		if (fd < 0) {
			fail6(c, f, "%s", err);
			return;
		}
		f->fd6 = fd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&f->dc6, 0, sizeof(f->dc6));
	memcpy(f->dc6.mac, f->link.mac, 6);
	f->dc6.stateless = stateless;
	f->dc6.timeout_ms = (uint64_t)c->np->timeout.dhcp * 1000;
	f->dc6.seed = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ (uint32_t)f->link.ifindex << 16 ^ f->link.mac[5];
	f->dc6.send = send6;
	f->dc6.ctx = f;
	f->st6 = V6_DHCP;
	net_evf(c, EV_INFO, "%s: DHCPv6 %s", f->link.name, stateless ? "stateless (Information-Request)" : "stateful (IA_NA)");
	dhcp6c_start(&f->dc6, now);
}

static void send_rs(struct ctx *c, struct ifc *f, uint64_t now)
{
	uint8_t rs[16];
	size_t n = ra_build_rs(rs, f->link.mac);
	int rc;

	if (f->rs_fd < 0 && (f->rs_fd = ra_socket(f->link.ifindex)) < 0) {
		net_evf(c, EV_WARN, "%s: ICMPv6 socket for router solicitations: %s (the kernel's own will do)",
		    f->link.name, strerror(-f->rs_fd));
		f->rs_fd = -1;
		f->rs_sent = RS_MAX;
		return;
	}
	rc = ra_send_rs(f->rs_fd, f->link.ifindex, rs, n);
	f->rs_sent++;
	f->next_rs = now + RS_INTERVAL_MS;
	if (rc)
		net_evf(c, EV_DEBUG, "%s: router solicitation: %s", f->link.name, strerror(-rc));
	else
		net_evf(c, EV_DEBUG, "%s: router solicitation %u sent, %u ms after carrier", f->link.name, f->rs_sent,
		    (unsigned)(now - f->up6_ms));
}

static void done6(struct ctx *c, struct ifc *f, uint64_t now)
{
	struct net_result6 *v = &f->res.v6;
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	int rc;

	net6_stop(f);
	if (nl_default6(&c->nl, f->link.ifindex, &v->gw) < 0)
		memset(&v->gw, 0, sizeof(v->gw));
	if ((rc = net_add_routes6(c, f, f->entry <= 0))) {
		f->st6 = V6_FAILED;
		return;
	}
	v->ra_managed = f->link.inet6_flags & NL_RA_MANAGED;
	v->ra_other = f->link.inet6_flags & NL_RA_OTHERCONF;
	v->elapsed_ms = (unsigned)(now - f->up6_ms);
	f->st6 = V6_DONE;
	net_evf(c, EV_INFO, "%s: IPv6 %s %s/%u%s%s in %u ms", f->link.name, net_method6_name(v->method),
	    v->has_addr ? ip6(&v->addr, a) : ip6(&v->link_local, a), v->has_addr ? v->prefix : 64,
	    any6(&v->gw) ? " gw " : "", any6(&v->gw) ? ip6(&v->gw, g) : "", v->elapsed_ms);
}

/* Wait for our own address (static or DHCPv6) to pass DAD. */
static void want_added(struct ctx *c, struct ifc *f, const struct in6_addr *a, uint8_t prefix, uint64_t now)
{
	char b[INET6_ADDRSTRLEN];
	int rc = nl_addr6_add(&c->nl, f->link.ifindex, a, prefix, c->np->timeout.ipv6dad == 0);

	if (rc) {
		fail6(c, f, "adding address %s/%u: %s", ip6(a, b), prefix, strerror(-rc));
		return;
	}
	f->want = *a;
	f->want_prefix = prefix;
	f->want_set = true;
	f->st6 = V6_ADDR;
	f->deadline6 = now + net6_dad_wait_ms(c);
	c->check6 = true;
}

/* Our address is ready: the static configuration's gateway, then done. */
static void want_ready(struct ctx *c, struct ifc *f, const struct net_ipconf *conf, uint64_t now)
{
	char b[INET6_ADDRSTRLEN];
	static const struct in6_addr zero;
	int rc;

	f->res.v6.has_addr = true;
	f->res.v6.addr = f->want;
	f->res.v6.prefix = f->want_prefix;
	if (conf->method6 == NET_V6_STATIC && any6(&conf->gw6) &&
	    (rc = nl_route6_add(&c->nl, f->link.ifindex, &zero, 0, &conf->gw6, RTPROT_BOOT))) {
		fail6(c, f, "adding default route via %s: %s", ip6(&conf->gw6, b), strerror(-rc));
		return;
	}
	done6(c, f, now);
}

/* The SLAAC address arrived: DHCPv6 too when the RA says so, else done. */
static void slaac_ready(struct ctx *c, struct ifc *f, const struct nl_addr6 *g, uint64_t now)
{
	f->res.v6.has_addr = true;
	f->res.v6.addr = g->addr;
	f->res.v6.prefix = g->prefix;
	if (f->link.inet6_flags & NL_RA_MANAGED)
		start_dhcp6(c, f, false, now);		/* M: addresses (and DNS) by DHCPv6 too */
	else if (f->link.inet6_flags & NL_RA_OTHERCONF)
		start_dhcp6(c, f, true, now);		/* O without M: stateless, for DNS */
	else
		done6(c, f, now);
}

void net6_step(struct ctx *c, struct ifc *f, uint64_t now)
{
	const struct net_ipconf *conf = &c->ip[f->entry];
	struct nl_addr6 a[ADDR6_MAX];
	const struct nl_addr6 *ll = NULL, *ready = NULL;
	char b[INET6_ADDRSTRLEN];
	int n;

	if (f->st6 == V6_DHCP) {
		if (dhcp6c_tick(&f->dc6, now) == -ETIMEDOUT) {
			if (f->res.v6.has_addr) {	/* SLAAC worked; DHCPv6 was extra */
				net_evf(c, EV_WARN, "%s: no DHCPv6 reply in %u s (%u sent); keeping the SLAAC address",
				    f->link.name, c->np->timeout.dhcp, f->dc6.sent);
				done6(c, f, now);
			} else {
				fail6(c, f, "no DHCPv6 %s in %u s (%u sent, %u malformed, %u refused%s%s)",
				      f->dc6.stateless ? "Reply" : "lease", c->np->timeout.dhcp, f->dc6.sent,
				      f->dc6.malformed, f->dc6.refused, f->dc6.last_status ? ": " : "",
				      f->dc6.last_status ? dhcp6_status_name(f->dc6.last_status) : "");
			}
		}
		return;
	}
	if (f->st6 != V6_LL && f->st6 != V6_ADDR)
		return;
	if (f->st6 == V6_LL && conf->method6 == NET_V6_STATIC) {
		want_added(c, f, &conf->addr6, conf->prefix6, now);
		return;
	}
	if (!c->check6 && now < f->next6)
		return;
	f->next6 = now + CHECK6_MS;
	n = nl_addrs6(&c->nl, f->link.ifindex, a, ADDR6_MAX);
	if (n < 0) {
		fail6(c, f, "reading IPv6 addresses: %s", strerror(-n));
		return;
	}
	for (int i = 0; i < n; i++)
		if (a[i].scope == RT_SCOPE_LINK && !ll)
			ll = &a[i];

	if (f->st6 == V6_LL) {
		if (ll && (ll->flags & IFA_F_DADFAILED)) {
			fail_dad(c, f, &ll->addr, " (link-local)");
			return;
		}
		if (!ll || (ll->flags & IFA_F_TENTATIVE)) {
			if (now >= f->deadline6)
				fail6(c, f, "no usable IPv6 link-local address after %u s (%s; rd.net.timeout.ipv6dad)",
				      c->np->timeout.ipv6dad, ll ? "still tentative" : "none: is IPv6 enabled?");
			return;
		}
		f->res.v6.link_local = ll->addr;
		if (conf->method6 == NET_V6_LINK6) {
			done6(c, f, now);
			return;
		}
		send_rs(c, f, now);
		f->deadline6 = f->up6_ms + (uint64_t)c->np->timeout.ipv6auto * 1000;
		f->st6 = V6_ADDR;
		if (conf->method6 == NET_V6_DHCP6)
			start_dhcp6(c, f, false, now);
		return;
	}

	/* V6_ADDR */
	if (f->want_set) {
		for (int i = 0; i < n; i++) {
			if (memcmp(&a[i].addr, &f->want, 16))
				continue;
			if (a[i].flags & IFA_F_DADFAILED) {
				fail_dad(c, f, &f->want, "");
				return;
			}
			if (!(a[i].flags & IFA_F_TENTATIVE)) {
				want_ready(c, f, conf, now);
				return;
			}
		}
		if (now >= f->deadline6)
			fail6(c, f, "%s still tentative (DAD) after %u s (rd.net.timeout.ipv6dad)", ip6(&f->want, b),
			      c->np->timeout.ipv6dad);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (a[i].scope != RT_SCOPE_UNIVERSE)
			continue;
		if (a[i].flags & IFA_F_DADFAILED) {
			/* the kernel's own (not permanent) one is SLAAC's, caught before its deletion */
			fail_dad(c, f, &a[i].addr, a[i].flags & IFA_F_PERMANENT ? "" : " (SLAAC)");
			return;
		}
		if (a[i].flags & IFA_F_TENTATIVE) {
			remember_tentative(f, &a[i].addr);
		} else if (!ready) {
			ready = &a[i];
		}
	}
	/* the kernel deletes a SLAAC address whose DAD failed: its deletion was announced, or one
	 * seen tentative is gone */
	if (f->dadfail_set && !ready) {
		fail_dad(c, f, &f->dadfail, " (SLAAC)");
		return;
	}
	for (int k = 0; k < f->n_tent && !ready; k++) {
		bool there = false;

		for (int i = 0; i < n; i++)
			there |= !memcmp(&f->tent[k], &a[i].addr, 16);
		if (!there) {
			fail_dad(c, f, &f->tent[k], " (SLAAC)");
			return;
		}
	}
	if (ready) {
		slaac_ready(c, f, ready, now);
		return;
	}
	if (f->rs_sent < RS_MAX && now >= f->next_rs && !(f->link.inet6_flags & NL_RA_RCVD))
		send_rs(c, f, now);
	/* an RA with M and no autonomous prefix: no SLAAC address will come, the address is DHCPv6's */
	if (conf->method6 != NET_V6_DHCP6 && (f->link.inet6_flags & NL_RA_MANAGED) && !f->n_tent &&
	    now >= f->up6_ms + 1000) {
		start_dhcp6(c, f, false, now);
		return;
	}
	if (now >= f->deadline6) {
		if (conf->method6 == NET_V6_EITHER6) {
			net_evf(c, EV_INFO, "%s: no SLAAC address in %u s, trying DHCPv6", f->link.name, c->np->timeout.ipv6auto);
			start_dhcp6(c, f, false, now);
			return;
		}
		fail6(c, f, "no IPv6 address from a router advertisement in %u s (%s; rd.net.timeout.ipv6auto)",
		      c->np->timeout.ipv6auto, (f->link.inet6_flags & NL_RA_RCVD) ? "an RA came without a usable prefix" :
		      "no router advertisement seen");
	}
}

/* A DHCPv6 Reply bound the client. */
static void dhcp6_bound(struct ctx *c, struct ifc *f, uint64_t now)
{
	const struct dhcp6_msg *l = &f->dc6.lease;
	struct net_result6 *v = &f->res.v6;
	char b[INET6_ADDRSTRLEN];

	v->dhcp6 = true;
	snprintf(v->boot_url, sizeof(v->boot_url), "%s", l->bootfile_url);
	snprintf(v->boot_param, sizeof(v->boot_param), "%s", l->bootfile_param);
	if (f->dc6.stateless || !l->n_addrs) {
		net_evf(c, EV_INFO, "%s: DHCPv6 information: %u DNS server(s)%s%s", f->link.name, l->n_dns,
		    l->search[0] ? ", search " : "", l->search);
		done6(c, f, now);
		return;
	}
	v->valid_s = l->addrs[0].valid;
	net_evf(c, EV_INFO, "%s: DHCPv6 lease %s (valid %u s)%s", f->link.name, ip6(&l->addrs[0].addr, b),
	    l->addrs[0].valid, f->dc6.lease.rapid_commit ? " by rapid commit" : "");
	if (v->has_addr) {	/* SLAAC gave one already: the DHCPv6 one is added too, the SLAAC one reported */
		nl_addr6_add(&c->nl, f->link.ifindex, &l->addrs[0].addr, 128, c->np->timeout.ipv6dad == 0);
		done6(c, f, now);
		return;
	}
	/* DHCPv6 carries no prefix length: a /128; the on-link prefix comes from the RA */
	want_added(c, f, &l->addrs[0].addr, 128, now);
}

void net6_read_dhcp(struct ctx *c, struct ifc *f, uint64_t now)
{
	uint8_t buf[DHCP6_MAX_LEN];
	ssize_t n;

	for (int batch = 0; batch < RX_BATCH && f->fd6 >= 0 && f->st6 == V6_DHCP &&
	     (n = recv(f->fd6, buf, sizeof(buf), 0)) >= 0; batch++)
		if (dhcp6c_input(&f->dc6, buf, (size_t)n, now) == 1) {
			dhcp6_bound(c, f, now);
			return;
		}
}

/* Address notifications of the interfaces waiting for SLAAC. The kernel announces a SLAAC
 * address only once its DAD is over: when DAD fails it sends just the deletion, flagged
 * dadfailed (seen here: no RTM_NEWADDR for it at all), and the NA defending the address can come
 * within a millisecond of the solicitation, before any dump of ours. So the deletion is kept; a
 * tentative one announced (an optimistic address) is remembered like one seen in a dump. */
static void note_addr6(struct ctx *c, const struct nlmsghdr *h)
{
	struct nl_addr6 a;
	int ifindex;

	if (nl_addr6_parse(h, &ifindex, &a) != 1 || a.scope != RT_SCOPE_UNIVERSE)
		return;
	for (int i = 0; i < c->n_ifc; i++) {
		struct ifc *f = &c->ifc[i];

		if (f->link.ifindex != ifindex || (f->st6 != V6_LL && f->st6 != V6_ADDR) || f->want_set)
			continue;
		if (h->nlmsg_type == RTM_DELADDR && (a.flags & IFA_F_DADFAILED) && !(a.flags & IFA_F_PERMANENT)) {
			f->dadfail = a.addr;
			f->dadfail_set = true;
		} else if (h->nlmsg_type == RTM_NEWADDR && (a.flags & IFA_F_TENTATIVE)) {
			remember_tentative(f, &a.addr);
		}
	}
}

/* Notifications: RDNSS/DNSSL into the interfaces' ra_dns; address changes wake step6. */
void net6_read_nl(struct ctx *c)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;

	while ((n = recv(c->nl6, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
				note_addr6(c, h);
			if (h->nlmsg_type != RTM_NEWNDUSEROPT) {
				c->check6 = true;
				continue;
			}
			for (int i = 0; i < c->n_ifc; i++) {
				struct ifc *f = &c->ifc[i];
				int rc;

				if (f->st6 == V6_OFF)
					continue;
				rc = ra_parse_useropt(NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN, f->link.ifindex, &f->ra);
				if (rc < 0)
					net_evf(c, EV_DEBUG, "%s: dropped a malformed RA DNS option", f->link.name);
				else if (rc > 0)
					net_evf(c, EV_DEBUG, "%s: RA DNS: %u server(s)%s%s", f->link.name, f->ra.n_dns,
					    f->ra.search[0] ? ", search " : "", f->ra.search);
			}
		}
	}
}
