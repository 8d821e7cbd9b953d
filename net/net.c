/* net: network bring-up as the plan says: choosing interfaces and the loop (net_up). */
#include "net/netpriv.h"

__attribute__((format(printf, 3, 4)))
void net_evf(struct ctx *c, int level, const char *fmt, ...)
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
			net_evf(c, EV_DEBUG, "%s: no udev name: %s", l->name, err);
			continue;
		}
		if (!nm.name[0] || !strcmp(nm.name, l->name))
			continue;
		for (int k = 0; k < n; k++)
			taken |= !strcmp(links[k].name, nm.name);
		for (int k = 0; k < np->n_ifname; k++)
			taken |= !strcmp(np->ifname[k].name, nm.name);
		if (taken) {
			net_evf(c, EV_WARN, "%s: not renamed to %s (%s name): the name is taken", l->name, nm.name,
			    nm.policy);
			continue;
		}
		if (l->flags & IFF_UP) {
			net_evf(c, EV_WARN, "%s: not renamed to %s (%s name): the link is already up", l->name,
			    nm.name, nm.policy);
			continue;
		}
		rc = nl_link_set(&c->nl, l->ifindex, -1, 0, NULL, nm.name);
		if (rc)
			net_evf(c, EV_WARN, "%s: renaming to %s (%s name): %s", l->name, nm.name, nm.policy,
			    strerror(-rc));
		else
			net_evf(c, EV_INFO, "%s: renamed to %s (udev %s name, scheme %s)", l->name, nm.name,
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
			net_evf(c, EV_ERR, "%s: creating the bond (%s): %s%s", b->name, net_bond_mode_name(b->mode),
			    strerror(-rc), rc == -EOPNOTSUPP ? " (is the bonding module loaded?)" : "");
			c->bond_failed[k] = true;
			for (int e = 0; e < c->n_ip; e++)
				if (!strcmp(c->ip[e].iface, b->name))
					c->entry_failed[e] = true;
		} else
			net_evf(c, EV_INFO, "%s: bond (%s) %s", b->name, net_bond_mode_name(b->mode),
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
				net_evf(c, EV_WARN, "%s: enslaving %s: %s", b->name, b->slave[s], strerror(-rc));
				c->slave_failed[k][s] = true;
				continue;
			}
			nl_link_set(&c->nl, links[i].ifindex, 1, 0, NULL, NULL);
			net_evf(c, EV_INFO, "%s: %s enslaved", b->name, b->slave[s]);
			if (b->primary[0] && !strcmp(b->primary, b->slave[s]) &&
			    (rc = nl_bond_set_primary(&c->nl, bond->ifindex, links[i].ifindex)))
				net_evf(c, EV_WARN, "%s: primary %s: %s", b->name, b->primary, strerror(-rc));
			if (!c->bond_ready[k] && b->mtu && (rc = nl_link_set(&c->nl, bond->ifindex, -1, b->mtu, NULL, NULL)))
				net_evf(c, EV_WARN, "%s: mtu %u: %s", b->name, b->mtu, strerror(-rc));
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
				net_evf(c, EV_WARN, "%s: renaming to %s (ifname=): %s", links[i].name, fn->name,
				    strerror(-rc));
				c->ifname_failed[k] = true;
			} else
				net_evf(c, EV_INFO, "%s: renamed to %s", links[i].name, fn->name);
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
			net_evf(c, EV_ERR, "%s: creating VLAN %u on %s: %s%s", v->name, v->id, v->phys, strerror(-rc),
			    rc == -EOPNOTSUPP ? " (is the 8021q module loaded?)" : "");
			c->vlan_failed[k] = true;
			for (int e = 0; e < c->n_ip; e++)	/* entries on this VLAN cannot succeed */
				if (!strcmp(c->ip[e].iface, v->name))
					c->entry_failed[e] = true;
		} else
			net_evf(c, EV_INFO, "%s: VLAN %u on %s created", v->name, v->id, v->phys);
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
				net_evf(c, EV_INFO, "%s: carrier after %u ms", l->name, (unsigned)(now - f->up_ms));
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
		f->rs_fd = -1;
		f->na_fd = -1;
		f->fd6 = -1;
		f->st = IFC_WAIT_CARRIER;
		{
			const struct net_ipconf *conf = &c->ip[e];
			int rc;

			if (conf->has_mac) {
				nl_link_set(&c->nl, l->ifindex, 0, 0, NULL, NULL);
				rc = nl_link_set(&c->nl, l->ifindex, -1, 0, conf->mac, NULL);
				if (rc)
					net_evf(c, EV_WARN, "%s: setting the MAC address: %s", l->name, strerror(-rc));
				else
					memcpy(f->link.mac, conf->mac, 6);
			}
			net6_prepare(c, l, conf);
			rc = nl_link_set(&c->nl, l->ifindex, 1, conf->mtu, NULL, NULL);
			if (rc) {
				net_evf(c, EV_WARN, "%s: bringing the link up: %s", l->name, strerror(-rc));
				f->st = IFC_FAILED;
				continue;
			}
		}
		f->up_ms = now;
		net_evf(c, EV_INFO, "%s: link up (%s%s%s)", l->name,
		    c->ip[e].method == NET_METHOD_STATIC ? ip4(c->ip[e].addr, a) : net_method_name(c->ip[e].method),
		    net_ipconf_has6(&c->ip[e]) ? ", ipv6 " : "", net_method6_name(c->ip[e].method6));
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------- */

static void finish_entry(struct ctx *c, struct ifc *f)
{
	int e = f->entry;

	f->st = IFC_DONE;
	net_dhcp_stop(f);
	net6_stop(f);
	c->entry_done[e] = true;
	c->entry_ifc[e] = (int)(f - c->ifc);
	/* first lease wins: stop every other interface working on the same entry */
	for (int i = 0; i < c->n_ifc; i++) {
		struct ifc *o = &c->ifc[i];

		if (o != f && o->entry == e && o->st != IFC_DONE) {
			net_dhcp_stop(o);
			net6_stop(o);
			o->st = IFC_FAILED;
		}
	}
}

static void ifc_fail(struct ifc *f)
{
	net_dhcp_stop(f);
	net6_stop(f);
	f->st = IFC_FAILED;
}

/* Both halves done: publish and finish the entry. */
static void maybe_finish(struct ctx *c, struct ifc *f)
{
	if (f->st == IFC_DONE || f->st == IFC_FAILED || !f->done4)
		return;
	if (f->st6 == V6_FAILED) {
		ifc_fail(f);
		return;
	}
	if (f->st6 != V6_OFF && f->st6 != V6_DONE)
		return;
	if (net_publish(c, f))
		ifc_fail(f);
	else
		finish_entry(c, f);
}

/* IPv4 configured (or none wanted): the interface waits for its IPv6 half, if any. */
static void v4_done(struct ctx *c, struct ifc *f)
{
	net_dhcp_stop(f);
	f->done4 = true;
	f->st = IFC_WAIT6;
	maybe_finish(c, f);
}

static void step_ifc(struct ctx *c, struct ifc *f, uint64_t now)
{
	const struct net_ipconf *conf = &c->ip[f->entry];
	int rc;

	if (f->st == IFC_WAIT_CARRIER) {
		if (!(f->link.flags & IFF_LOWER_UP)) {
			if (now - f->up_ms >= (uint64_t)c->np->timeout.carrier * 1000) {
				net_evf(c, EV_WARN, "%s: no carrier after %u s", f->link.name, c->np->timeout.carrier);
				f->st = IFC_FAILED;
			}
			return;
		}
		memcpy(f->res.iface, f->link.name, sizeof(f->res.iface));	/* both IFNAMSIZ, NUL-terminated */
		f->res.iface[sizeof(f->res.iface) - 1] = '\0';
		if (net_ipconf_has6(conf)) {
			f->res.v6.on = true;
			f->res.v6.method = conf->method6;
			f->st6 = V6_LL;
			f->up6_ms = now;
			f->deadline6 = now + net6_dad_wait_ms(c);
			net6_watch_na(c, f);
		}
		if (conf->method == NET_METHOD_STATIC) {
			rc = net_apply(c, f, conf, NULL);
			if (rc)
				ifc_fail(f);
			else
				v4_done(c, f);
			if (f->st == IFC_WAIT6)
				net6_step(c, f, now);
			return;
		}
		if (conf->method == NET_METHOD_NONE) {
			v4_done(c, f);
			if (f->st == IFC_WAIT6)
				net6_step(c, f, now);
			return;
		}
		if (net_dhcp_start(c, f, now))
			ifc_fail(f);
		return;
	}
	if (f->st != IFC_DHCP && f->st != IFC_WAIT6)
		return;
	net6_step(c, f, now);
	if (f->st6 == V6_FAILED) {
		ifc_fail(f);
		return;
	}
	if (f->st == IFC_WAIT6) {
		maybe_finish(c, f);
		return;
	}
	if (dhcpc_tick(&f->dc, now) == -ETIMEDOUT) {
		if (f->attempt < c->np->dhcp_retry) {
			net_evf(c, EV_WARN, "%s: no DHCP lease in %u s (attempt %u of %u), retrying", f->link.name,
			    c->np->timeout.dhcp, f->attempt, c->np->dhcp_retry);
			net_dhcp_start(c, f, now);
			return;
		}
		net_evf(c, EV_WARN, "%s: no DHCP lease after %u attempt(s) of %u s (%u sent, %u malformed, %u ignored)",
		    f->link.name, f->attempt, c->np->timeout.dhcp, f->dc.sent, f->dc.malformed, f->dc.ignored);
		ifc_fail(f);
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

				if (net_apply(c, f, conf, &f->dc.lease))
					ifc_fail(f);
				else
					v4_done(c, f);
				return;
			}
			if (f->dc.malformed != bad)
				net_evf(c, EV_DEBUG, "%s: dropped a malformed DHCP packet", f->link.name);
			if (f->dc.naks != naks)
				net_evf(c, EV_WARN, "%s: DHCP NAK, starting over", f->link.name);
			else if (f->dc.state == DHCPC_REQUESTING && f->dc.tries == 1 && f->dc.offer.yiaddr.s_addr) {
				char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];

				net_evf(c, EV_DEBUG, "%s: offer %s from %s", f->link.name,
				    ip4(f->dc.offer.yiaddr, a), ip4(f->dc.offer.server_id, s));
			}
		}
	}
	/* e.g. ENETDOWN after a carrier flap: reading it cleared the socket error, so
	 * poll does not spin; the DHCP timers decide whether this interface fails */
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		net_evf(c, EV_DEBUG, "%s: receiving DHCP replies: %s", f->link.name, strerror(errno));
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

/* The plan's entries, the rtnetlink sockets; -errno with err set. */
static int ctx_init(struct ctx *c, const struct net_plan *np, event_fn ev, void *evctx, char *err, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->np = np;
	c->ev = ev;
	c->evctx = evctx;
	c->ip = np->ip;
	c->n_ip = np->n_ip;
	c->nl6 = -1;
	if (c->n_ip == 0) {	/* rd.neednet=1 without ip=: dracut's default is dhcp */
		c->implicit.method = NET_METHOD_DHCP;
		c->ip = &c->implicit;
		c->n_ip = 1;
	}
	if (np->unsupported[0]) {
		seterr(err, errlen, "unsupported: %s", np->unsupported);
		return -EINVAL;
	}
	rc = nl_open(&c->nl, true);
	if (rc) {
		seterr(err, errlen, "network: opening rtnetlink: %s", strerror(-rc));
		return rc;
	}
	for (int e = 0; e < c->n_ip; e++)
		if (net_ipconf_has6(&c->ip[e]) && c->nl6 < 0) {
			c->nl6 = nl_subscribe(1u << (RTNLGRP_IPV6_IFADDR - 1) | 1u << (RTNLGRP_ND_USEROPT - 1));
			if (c->nl6 < 0) {
				rc = c->nl6;
				seterr(err, errlen, "network: subscribing to IPv6 notifications: %s", strerror(-rc));
				nl_close(&c->nl);
				return rc;
			}
		}
	return 0;
}

/* DHCP and DHCPv6 stopped, the sockets closed. */
static void ctx_close(struct ctx *c)
{
	for (int i = 0; i < c->n_ifc; i++) {
		net_dhcp_stop(&c->ifc[i]);
		net6_stop(&c->ifc[i]);
	}
	if (c->nl6 >= 0)
		close(c->nl6);
	c->nl6 = -1;
	nl_close(&c->nl);
}

/* Past rd.net.timeout.iflink: an unnamed entry with no candidate left has failed (do not
 * wait for more links forever). */
static void give_up_unmatched(struct ctx *c)
{
	for (int e = 0; e < c->n_ip; e++) {
		bool any = false;

		for (int i = 0; i < c->n_ifc; i++)
			if (c->ifc[i].entry == e)
				any = true;
		if (!any && !c->entry_done[e])
			c->entry_failed[e] = true;
	}
}

/* What the loop waits on: the rtnetlink monitors, each DHCP and DHCPv6 socket. */
struct pollset {
	struct pollfd pfd[2 * MAX_IFC + 2];
	struct ifc *map[2 * MAX_IFC + 2];	/* NULL: a netlink socket */
	bool is6[2 * MAX_IFC + 2];
	int n;
};

static void poll_add(struct pollset *ps, int fd, struct ifc *f, bool is6)
{
	ps->pfd[ps->n].fd = fd;
	ps->pfd[ps->n].events = POLLIN;
	ps->pfd[ps->n].revents = 0;
	ps->map[ps->n] = f;
	ps->is6[ps->n++] = is6;
}

/* Fill ps for this round; returns when to wake at the latest (from wake, the next rescan). */
static uint64_t poll_build(struct ctx *c, struct pollset *ps, uint64_t now, uint64_t wake)
{
	ps->n = 0;
	if (c->nl.mon >= 0)
		poll_add(ps, c->nl.mon, NULL, false);
	if (c->nl6 >= 0)
		poll_add(ps, c->nl6, NULL, true);
	for (int i = 0; i < c->n_ifc; i++) {
		struct ifc *f = &c->ifc[i];

		if (f->st == IFC_WAIT_CARRIER) {
			uint64_t t = f->up_ms + (uint64_t)c->np->timeout.carrier * 1000;

			if (t < wake)
				wake = t;
		}
		if ((f->st == IFC_DHCP || f->st == IFC_WAIT6) && (f->st6 == V6_LL || f->st6 == V6_ADDR)) {
			uint64_t t = f->next6 < f->deadline6 ? f->next6 : f->deadline6;

			if (t < wake)
				wake = t > now ? t : now;
		}
		if ((f->st == IFC_DHCP || f->st == IFC_WAIT6) && f->st6 == V6_DHCP && f->fd6 >= 0) {
			if (dhcp6c_next_ms(&f->dc6) < wake)
				wake = dhcp6c_next_ms(&f->dc6);
			poll_add(ps, f->fd6, f, true);
		}
		if (f->st != IFC_DHCP)
			continue;
		if (dhcpc_next_ms(&f->dc) < wake)
			wake = dhcpc_next_ms(&f->dc);
		poll_add(ps, f->fd, f, false);
	}
	return wake;
}

/* Hand what poll found to its reader; a link change asks for a rescan now. */
static void poll_dispatch(struct ctx *c, const struct pollset *ps, uint64_t now, uint64_t *next_scan)
{
	for (int i = 0; i < ps->n; i++) {
		if (!(ps->pfd[i].revents & (POLLIN | POLLERR)))
			continue;
		if (!ps->map[i] && ps->is6[i]) {
			net6_read_nl(c);
		} else if (!ps->map[i]) {
			nl_drain(&c->nl);
			*next_scan = now;	/* a link changed: look now */
		} else if (ps->is6[i]) {
			net6_read_dhcp(c, ps->map[i], now);
		} else {
			read_packets(c, ps->map[i], now);
		}
	}
}

/* The loop is over: the first entry's result, or why it has none. */
static int finish(struct ctx *c, struct net_result *res, char *err, size_t errlen)
{
	for (int e = 1; e < c->n_ip; e++)
		if (!c->entry_done[e])
			net_evf(c, EV_WARN, "ip=%s: not configured", c->ip[e].iface[0] ? c->ip[e].iface : "(any)");
	if (c->entry_done[0]) {
		*res = c->ifc[c->entry_ifc[0]].res;
		return 0;
	}
	if (c->ip[0].iface[0])
		seterr(err, errlen, "network: interface %s not configured: %s", c->ip[0].iface,
		       c->last_err[0] ? c->last_err : "no link, carrier or lease");
	else
		seterr(err, errlen, "network: no interface configured: %s",
		       c->last_err[0] ? c->last_err : "no link, carrier or lease");
	return c->n_ifc == 0 ? -ENODEV : -ETIMEDOUT;
}

int net_up(const struct net_plan *np, struct net_result *res,
	   event_fn ev, void *evctx, char *err, size_t errlen)
{
	static struct ctx c;	/* large; net_up runs once per boot */
	static struct pollset ps;
	uint64_t start, iflink_deadline, next_scan;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = ctx_init(&c, np, ev, evctx, err, errlen);
	if (rc)
		return rc;
	start = mono_ms();
	iflink_deadline = start + (uint64_t)np->timeout.iflink * 1000;
	next_scan = start;
	for (;;) {
		uint64_t now = mono_ms(), wake;

		if (now >= next_scan) {
			rc = rescan(&c, now);
			if (rc) {
				seterr(err, errlen, "network: listing links: %s", strerror(-rc));
				goto out;
			}
			next_scan = now + RESCAN_MS;
		}
		for (int i = 0; i < c.n_ifc; i++)
			step_ifc(&c, &c.ifc[i], now);
		c.check6 = false;
		if (all_resolved(&c))
			break;
		if (c.n_ifc == 0 && now >= iflink_deadline) {
			rc = -ENODEV;
			seterr(err, errlen, "network: no usable network interface appeared in %u s "
			       "(rd.net.timeout.iflink; check the NIC driver module%s%s)", np->timeout.iflink,
			       c.ip[0].iface[0] ? " and the interface " : "", c.ip[0].iface);
			goto out;
		}
		if (now >= iflink_deadline) {
			give_up_unmatched(&c);
			if (all_resolved(&c))
				break;
		}
		wake = poll_build(&c, &ps, now, next_scan);
		now = mono_ms();
		rc = poll(ps.pfd, (nfds_t)ps.n, wake > now ? (int)(wake - now) : 0);
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			seterr(err, errlen, "network: poll: %s", strerror(-rc));
			goto out;
		}
		if (rc > 0)
			poll_dispatch(&c, &ps, mono_ms(), &next_scan);
	}
	rc = finish(&c, res, err, errlen);
out:
	ctx_close(&c);
	return rc;
}

void net_result_format(const struct net_result *r, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	struct sbuf s = { .n = 0 };

	net_sb(&s, "%s", r->iface);
	if (r->has4)
		net_sb(&s, " %s/%u", ip4(r->addr, a), r->prefix);
	if (r->gw.s_addr)
		net_sb(&s, " gw %s", ip4(r->gw, a));
	for (int i = 0; i < r->n_dns; i++)
		net_sb(&s, "%s%s", i ? "," : " dns ", ip4(r->dns[i], a));
	if (r->mtu)
		net_sb(&s, " mtu %u", r->mtu);
	if (r->dhcp) {
		net_sb(&s, " (dhcp from %s", ip4(r->server, a));
		if (r->lease_s == 0xffffffffu)
			net_sb(&s, ", lease infinite");
		else
			net_sb(&s, ", lease %u s", r->lease_s);
		if (r->next_server.s_addr)
			net_sb(&s, ", next-server %s", ip4(r->next_server, a));
		if (r->boot_file[0])
			net_sb(&s, ", file %s", r->boot_file);
		net_sb(&s, ", %u ms)", r->elapsed_ms);
	} else if (r->has4) {
		net_sb(&s, " (static)");
	}
	if (r->v6.on) {
		char b6[INET6_ADDRSTRLEN];

		net_sb(&s, " ipv6 %s/%u", r->v6.has_addr ? ip6(&r->v6.addr, b6) : ip6(&r->v6.link_local, b6),
		   r->v6.has_addr ? r->v6.prefix : 64);
		if (any6(&r->v6.gw))
			net_sb(&s, " gw %s", ip6(&r->v6.gw, b6));
		for (int i = 0; i < r->v6.n_dns; i++)
			net_sb(&s, "%s%s", i ? "," : " dns ", ip6(&r->v6.dns[i], b6));
		net_sb(&s, " (%s%s%s, %u ms)", net_method6_name(r->v6.method), r->v6.dhcp6 ? ", dhcpv6" : "",
		   r->v6.ra_managed ? ", RA M" : r->v6.ra_other ? ", RA O" : "", r->v6.elapsed_ms);
	}
	snprintf(buf, len, "%s", s.b);
}
