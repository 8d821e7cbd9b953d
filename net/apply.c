/* net/apply.c: a lease or a static configuration applied to an interface (addresses, routes, DNS). */
#include "net/netpriv.h"

/* ---- applying a configuration --------------------------------------------- */

static void add_dns6(struct net_result *r, const struct in6_addr *a)
{
	if (!any6(a))
		return;
	for (int i = 0; i < r->v6.n_dns; i++)
		if (!memcmp(&r->v6.dns[i], a, 16))
			return;
	if (r->v6.n_dns < NET_MAX_DNS)
		r->v6.dns[r->v6.n_dns++] = *a;
}

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

		if (r->v6 || (r->iface[0] ? strcmp(r->iface, f->link.name) : !boot))
			continue;
		rc = nl_route_add(&c->nl, f->link.ifindex, r->dst, r->prefix, r->gw, RTPROT_BOOT);
		if (rc) {
			net_evf(c, EV_ERR, "%s: adding route %s/%u: %s", f->link.name, ip4(r->dst, a), r->prefix,
			    strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int net_add_routes6(struct ctx *c, struct ifc *f, bool boot)
{
	char a[INET6_ADDRSTRLEN];
	int rc;

	for (int i = 0; i < c->np->n_route; i++) {
		const struct net_route *r = &c->np->route[i];

		if (!r->v6 || (r->iface[0] ? strcmp(r->iface, f->link.name) : !boot))
			continue;
		rc = nl_route6_add(&c->nl, f->link.ifindex, &r->dst6, r->prefix, any6(&r->gw6) ? &r->gw6 : NULL,
				   RTPROT_BOOT);
		if (rc) {
			net_evf(c, EV_ERR, "%s: adding route %s/%u: %s", f->link.name, ip6(&r->dst6, a), r->prefix,
			    strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int net_apply(struct ctx *c, struct ifc *f, const struct net_ipconf *conf, const struct dhcp_msg *m)
{
	struct net_result *r = &f->res;
	struct in_addr any = { 0 };
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	bool boot = f->entry <= 0;
	int rc;

	struct net_result6 keep = r->v6;

	memset(r, 0, sizeof(*r));
	r->v6 = keep;
	snprintf(r->iface, sizeof(r->iface), "%s", f->link.name);
	r->has4 = true;
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
				net_evf(c, EV_WARN, "%s: setting MTU %u from DHCP: %s", f->link.name, m->mtu,
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
		net_evf(c, EV_ERR, "%s: adding address %s/%u: %s", f->link.name, ip4(r->addr, a), r->prefix,
		    strerror(-rc));
		return rc;
	}
	if (m && m->has_classless) {	/* RFC 3442: option 121 replaces option 3 */
		for (int i = 0; i < m->n_routes; i++) {
			const struct dhcp_route *rt = &m->routes[i];

			rc = nl_route_add(&c->nl, f->link.ifindex, rt->dst, rt->prefix, rt->gw, RTPROT_DHCP);
			if (rc) {
				net_evf(c, EV_ERR, "%s: adding DHCP route %s/%u via %s: %s", f->link.name,
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
			net_evf(c, EV_ERR, "%s: adding default route via %s: %s", f->link.name, ip4(r->gw, a),
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
	if (m)
		net_evf(c, EV_INFO, "%s: DHCP lease %s/%u from %s in %u ms", f->link.name, ip4(r->addr, a),
		    r->prefix, ip4(r->server, g), r->elapsed_ms);
	else
		net_evf(c, EV_INFO, "%s: static %s/%u%s%s", f->link.name, ip4(r->addr, a), r->prefix,
		    r->gw.s_addr ? " gw " : "", r->gw.s_addr ? ip4(r->gw, g) : "");
	return 0;
}

/* The entry is configured (both halves): DNS of both families, then the files. */
int net_publish(struct ctx *c, struct ifc *f)
{
	const struct net_ipconf *conf = &c->ip[f->entry];
	const struct dhcp_msg *m = f->res.dhcp ? &f->dc.lease : NULL;
	const char *search = m && c->np->peerdns ? m->search : NULL;
	struct net_result *r = &f->res;
	bool boot = f->entry <= 0;
	int rc;

	snprintf(r->iface, sizeof(r->iface), "%s", f->link.name);
	if (r->v6.on) {
		for (int i = 0; i < c->np->n_nameserver6; i++)
			add_dns6(r, &c->np->nameserver6[i]);
		for (int i = 0; i < conf->n_dns6; i++)
			add_dns6(r, &conf->dns6[i]);
		if (c->np->peerdns) {
			for (int i = 0; i < f->ra.n_dns; i++)
				add_dns6(r, &f->ra.dns[i]);
			if (f->dc6.state == DHCP6C_BOUND)
				for (int i = 0; i < f->dc6.lease.n_dns; i++)
					add_dns6(r, &f->dc6.lease.dns[i]);
			if (f->dc6.state == DHCP6C_BOUND && f->dc6.lease.search[0])
				snprintf(r->v6.search, sizeof(r->v6.search), "%s", f->dc6.lease.search);
			else
				snprintf(r->v6.search, sizeof(r->v6.search), "%s", f->ra.search);
		}
	}
	if (!r->has4) {	/* an IPv6-only entry still gets nameserver= and the ip= IPv4 DNS fields */
		for (int i = 0; i < c->np->n_nameserver; i++)
			add_dns(r, c->np->nameserver[i]);
		for (int i = 0; i < conf->n_dns; i++)
			add_dns(r, conf->dns[i]);
		if (conf->hostname[0])
			snprintf(r->hostname, sizeof(r->hostname), "%s", conf->hostname);
	}
	if ((rc = net_write_env(c, f, search, m)))
		net_evf(c, EV_WARN, "%s: writing run/netinit/net/%s.env: %s", f->link.name, f->link.name,
		    strerror(-rc));
	if (boot && (rc = net_write_resolv(c, r, search))) {
		net_evf(c, EV_ERR, "writing etc/resolv.conf: %s", strerror(-rc));
		return rc;
	}
	return 0;
}
