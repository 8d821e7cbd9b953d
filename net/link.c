/* link: rtnetlink requests (links, VLANs, addresses, routes). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_arp.h>
#include <linux/if_addr.h>

#include "net/link.h"
#include "util/netlink.h"

#define NL_BUF		16384	/* dump replies come in pages; this holds several */
#define VLAN_KIND	"vlan"
#define BOND_KIND	"bond"
#ifndef IFF_UP
#define IFF_UP		0x1
#endif
#ifndef IFLA_VLAN_ID
#define IFLA_VLAN_ID	1
#endif

/* Requests are util/netlink messages (struct nlu_msg): req_init starts one and returns its
 * netlink header, the family header right behind it (NLMSG_DATA); put and nest add
 * attributes and say -ENOSPC once one did not fit. */
static struct nlmsghdr *req_init(struct nlu_msg *q, uint16_t type, uint16_t flags, size_t hdrlen)
{
	nlu_init(q, type, flags, NULL, hdrlen);
	return (struct nlmsghdr *)(void *)q->b;
}

static int put(struct nlu_msg *q, unsigned short type, const void *data, size_t len)
{
	nlu_put(q, type, data, len);
	return q->overflow ? -ENOSPC : 0;
}

static int nest(struct nlu_msg *q, unsigned short type, size_t *at)
{
	*at = nlu_nest_start(q, type);
	return q->overflow ? -ENOSPC : 0;
}

int nl_open(struct nl *nl, bool monitor)
{
	struct sockaddr_nl sa;

	memset(nl, 0, sizeof(*nl));
	nl->mon = -1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	if (!monitor)
		return 0;
	nl->mon = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (nl->mon < 0)
		goto err_close;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK;
	if (bind(nl->mon, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err_close_mon;
	return 0;
err_close_mon:
	close(nl->mon);
	nl->mon = -1;
err_close:
	{
		int e = -errno;

		close(nl->fd);
		nl->fd = -1;
		return e;
	}
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	if (nl->mon >= 0)
		close(nl->mon);
	nl->fd = nl->mon = -1;
}

void nl_drain(struct nl *nl)
{
	char buf[NL_BUF];

	if (nl->mon < 0)
		return;
	while (recv(nl->mon, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Send a request with ACK and wait for the ACK (or error). */
static int transact(struct nl *nl, struct nlu_msg *q)
{
	((struct nlmsghdr *)(void *)q->b)->nlmsg_flags |= NLM_F_ACK;
	return nlu_request(nl->fd, q, ++nl->seq, NULL, NULL, NLU_TIMEOUT_MS);
}

struct dump_ctx {
	uint16_t want;
	int (*cb)(struct nlmsghdr *r, void *ctx);
	void *ctx;
};

static int dump_reply(void *ctx, const struct nlmsghdr *h)
{
	struct dump_ctx *d = ctx;

	if (h->nlmsg_type != d->want)
		return 0;
	return d->cb((struct nlmsghdr *)h, d->ctx) < 0 ? -ENOSPC : 0;	/* read on to NLMSG_DONE */
}

/* Send a dump request and hand every reply message of type want to cb; -errno, or
 * -ENOSPC once cb failed, or 0 at NLMSG_DONE. */
static int dump(struct nl *nl, struct nlu_msg *q, uint16_t want, int (*cb)(struct nlmsghdr *r, void *ctx), void *ctx)
{
	struct dump_ctx d = { want, cb, ctx };

	((struct nlmsghdr *)(void *)q->b)->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return nlu_request(nl->fd, q, ++nl->seq, dump_reply, &d, NLU_TIMEOUT_MS);
}

/* IFLA_AF_SPEC: the AF_INET6 part's IFLA_INET6_FLAGS. */
static uint32_t inet6_flags(struct rtattr *spec)
{
	int len = (int)RTA_PAYLOAD(spec);

	for (struct rtattr *af = RTA_DATA(spec); RTA_OK(af, len); af = RTA_NEXT(af, len)) {
		int l2 = (int)RTA_PAYLOAD(af);

		if (af->rta_type != AF_INET6)
			continue;
		for (struct rtattr *a = RTA_DATA(af); RTA_OK(a, l2); a = RTA_NEXT(a, l2))
			if (a->rta_type == IFLA_INET6_FLAGS && RTA_PAYLOAD(a) == 4) {
				uint32_t v;

				memcpy(&v, RTA_DATA(a), 4);
				return v;
			}
	}
	return 0;
}

static void parse_link(struct nlmsghdr *r, struct nl_link *l)
{
	struct ifinfomsg *ifi = NLMSG_DATA(r);
	int len = (int)r->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t alen = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case IFLA_IFNAME:
			if (alen > 0) {
				size_t n = alen < sizeof(l->name) ? alen : sizeof(l->name) - 1;

				memcpy(l->name, RTA_DATA(a), n);
				l->name[n < sizeof(l->name) ? n : sizeof(l->name) - 1] = '\0';
				l->name[sizeof(l->name) - 1] = '\0';
			}
			break;
		case IFLA_ADDRESS:
			if (alen == 6) {
				memcpy(l->mac, RTA_DATA(a), 6);
				l->has_mac = true;
			}
			break;
		case IFLA_MTU:
			if (alen == 4)
				memcpy(&l->mtu, RTA_DATA(a), 4);
			break;
		case IFLA_MASTER:
			if (alen == 4)
				memcpy(&l->master, RTA_DATA(a), 4);
			break;
		case IFLA_AF_SPEC:
			l->inet6_flags = inet6_flags(a);
			break;
		}
	}
}

struct links_ctx {
	struct nl_link *out;
	int max, count;
};

static int link_cb(struct nlmsghdr *r, void *ctx)
{
	struct links_ctx *lc = ctx;

	if (r->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)) && lc->count < lc->max)
		parse_link(r, &lc->out[lc->count++]);
	return 0;
}

int nl_links(struct nl *nl, struct nl_link *out, int max)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct links_ctx lc = { out, max, 0 };
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	rc = dump(nl, &q, RTM_NEWLINK, link_cb, &lc);
	return rc < 0 ? rc : lc.count;
}

int nl_link_set(struct nl *nl, int ifindex, int up, unsigned mtu,
		const uint8_t *mac, const char *name)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu && (rc = put(&q, IFLA_MTU, &mtu, 4)))
		return rc;
	if (mac && (rc = put(&q, IFLA_ADDRESS, mac, 6)))
		return rc;
	if (name && (rc = put(&q, IFLA_IFNAME, name, strlen(name) + 1)))
		return rc;
	return transact(nl, &q);
}

int nl_vlan_add(struct nl *nl, const char *name, int phys_ifindex, uint16_t id)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
				       sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	size_t linkinfo, data;
	uint32_t phys = (uint32_t)phys_ifindex;

	ifi->ifi_family = AF_UNSPEC;
	if (put(&q, IFLA_LINK, &phys, 4) ||
	    put(&q, IFLA_IFNAME, name, strlen(name) + 1))
		return -ENOSPC;
	if (nest(&q, IFLA_LINKINFO, &linkinfo))
		return -ENOSPC;
	if (put(&q, IFLA_INFO_KIND, VLAN_KIND, strlen(VLAN_KIND)))
		return -ENOSPC;
	if (nest(&q, IFLA_INFO_DATA, &data))
		return -ENOSPC;
	if (put(&q, IFLA_VLAN_ID, &id, 2))
		return -ENOSPC;
	nlu_nest_end(&q, data);
	nlu_nest_end(&q, linkinfo);
	return transact(nl, &q);
}

int nl_bond_add(struct nl *nl, const char *name, const struct nl_bond_opts *o, bool create)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, create ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	size_t linkinfo, data;
	const struct { int attr, size; int64_t v; } opt[] = {
		{ IFLA_BOND_MIIMON, 4, o->miimon },       { IFLA_BOND_UPDELAY, 4, o->updelay },
		{ IFLA_BOND_DOWNDELAY, 4, o->downdelay }, { IFLA_BOND_MIN_LINKS, 4, o->min_links },
		{ IFLA_BOND_AD_LACP_RATE, 1, o->lacp_rate }, { IFLA_BOND_XMIT_HASH_POLICY, 1, o->xmit_hash_policy },
		{ IFLA_BOND_AD_SELECT, 1, o->ad_select },
	};

	ifi->ifi_family = AF_UNSPEC;
	if (put(&q, IFLA_IFNAME, name, strlen(name) + 1))
		return -ENOSPC;
	if (nest(&q, IFLA_LINKINFO, &linkinfo) ||
	    put(&q, IFLA_INFO_KIND, BOND_KIND, strlen(BOND_KIND)) ||
	    nest(&q, IFLA_INFO_DATA, &data) ||
	    put(&q, IFLA_BOND_MODE, &o->mode, 1))
		return -ENOSPC;
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		uint32_t v32 = (uint32_t)opt[i].v;
		uint8_t v8 = (uint8_t)opt[i].v;

		if (opt[i].v < 0)
			continue;
		if (put(&q, (unsigned short)opt[i].attr, opt[i].size == 4 ? (void *)&v32 : (void *)&v8,
			     (size_t)opt[i].size))
			return -ENOSPC;
	}
	nlu_nest_end(&q, data);
	nlu_nest_end(&q, linkinfo);
	return transact(nl, &q);
}

int nl_link_set_master(struct nl *nl, int ifindex, int master_ifindex)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	uint32_t m = (uint32_t)master_ifindex;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (put(&q, IFLA_MASTER, &m, 4))
		return -ENOSPC;
	return transact(nl, &q);
}

int nl_bond_set_primary(struct nl *nl, int bond_ifindex, int slave_ifindex)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	size_t linkinfo, data;
	uint32_t s = (uint32_t)slave_ifindex;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = bond_ifindex;
	if (nest(&q, IFLA_LINKINFO, &linkinfo) ||
	    put(&q, IFLA_INFO_KIND, BOND_KIND, strlen(BOND_KIND)) ||
	    nest(&q, IFLA_INFO_DATA, &data) || put(&q, IFLA_BOND_PRIMARY, &s, 4))
		return -ENOSPC;
	nlu_nest_end(&q, data);
	nlu_nest_end(&q, linkinfo);
	return transact(nl, &q);
}

int nl_addr_add(struct nl *nl, int ifindex, struct in_addr addr, uint8_t prefix)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
				       sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	struct in_addr brd = addr;

	if (prefix > 32)
		return -EINVAL;
	if (prefix < 31)
		brd.s_addr |= htonl(prefix ? 0xffffffffu >> prefix : 0xffffffffu);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	if (put(&q, IFA_LOCAL, &addr, 4) ||
	    put(&q, IFA_ADDRESS, &addr, 4))
		return -ENOSPC;
	if (prefix < 31 && put(&q, IFA_BROADCAST, &brd, 4))
		return -ENOSPC;
	return transact(nl, &q);
}

/* A unicast route in the main table, on-link through ifindex, via gw when there is one (DHCP,
 * ip= and rd.route= say the gateway is on this link); dst and gw are in_addr or in6_addr by family. */
static int route_add(struct nl *nl, int ifindex, unsigned char family, const void *dst,
		     uint8_t prefix, const void *gw, unsigned char protocol)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct rtmsg));
	struct rtmsg *rtm = NLMSG_DATA(nh);
	uint32_t oif = (uint32_t)ifindex;
	size_t alen = family == AF_INET ? 4 : 16;

	if (prefix > alen * 8)
		return -EINVAL;
	rtm->rtm_family = family;
	rtm->rtm_dst_len = prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = protocol;
	rtm->rtm_type = RTN_UNICAST;
	/* an IPv4 route without a gateway is the link's own; IPv6 routes are universe-scoped */
	rtm->rtm_scope = gw || family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (gw)
		rtm->rtm_flags = RTNH_F_ONLINK;
	if (prefix && put(&q, RTA_DST, dst, alen))
		return -ENOSPC;
	if (gw && put(&q, RTA_GATEWAY, gw, alen))
		return -ENOSPC;
	if (put(&q, RTA_OIF, &oif, 4))
		return -ENOSPC;
	return transact(nl, &q);
}

int nl_route_add(struct nl *nl, int ifindex, struct in_addr dst, uint8_t prefix,
		 struct in_addr gw, unsigned char protocol)
{
	return route_add(nl, ifindex, AF_INET, &dst, prefix, gw.s_addr ? &gw : NULL, protocol);
}

int nl_addr6_add(struct nl *nl, int ifindex, const struct in6_addr *addr, uint8_t prefix, bool nodad)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	uint32_t flags = nodad ? IFA_F_NODAD : 0;

	if (prefix > 128)
		return -EINVAL;
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_index = (unsigned)ifindex;
	if (put(&q, IFA_LOCAL, addr, 16) || put(&q, IFA_ADDRESS, addr, 16) ||
	    put(&q, IFA_FLAGS, &flags, 4))
		return -ENOSPC;
	return transact(nl, &q);
}

int nl_route6_add(struct nl *nl, int ifindex, const struct in6_addr *dst, uint8_t prefix,
		  const struct in6_addr *gw, unsigned char protocol)
{
	return route_add(nl, ifindex, AF_INET6, dst, prefix, gw, protocol);
}

struct addrs_ctx {
	int ifindex;
	struct nl_addr6 *out;
	int max, count;
};

int nl_addr6_parse(const struct nlmsghdr *r, int *ifindex, struct nl_addr6 *a)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(r);
	int len = (int)r->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifa));
	bool have = false;

	if (len < 0 || ifa->ifa_family != AF_INET6)
		return 0;
	memset(a, 0, sizeof(*a));
	*ifindex = (int)ifa->ifa_index;
	a->prefix = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	a->flags = ifa->ifa_flags;
	for (const struct rtattr *at = IFA_RTA(ifa); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == IFA_ADDRESS && RTA_PAYLOAD(at) == 16) {
			memcpy(&a->addr, RTA_DATA(at), 16);
			have = true;
		} else if (at->rta_type == IFA_FLAGS && RTA_PAYLOAD(at) == 4) {
			memcpy(&a->flags, RTA_DATA(at), 4);
		}
	}
	return have;
}

static int addr6_cb(struct nlmsghdr *r, void *ctx)
{
	struct addrs_ctx *ac = ctx;
	struct nl_addr6 a;
	int ifindex;

	if (ac->count < ac->max && nl_addr6_parse(r, &ifindex, &a) == 1 && ifindex == ac->ifindex)
		ac->out[ac->count++] = a;
	return 0;
}

int nl_addrs6(struct nl *nl, int ifindex, struct nl_addr6 *out, int max)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_GETADDR, 0, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	struct addrs_ctx ac = { ifindex, out, max, 0 };
	int rc;

	ifa->ifa_family = AF_INET6;
	rc = dump(nl, &q, RTM_NEWADDR, addr6_cb, &ac);
	return rc < 0 ? rc : ac.count;
}

struct def6_ctx {
	int ifindex;
	struct in6_addr *gw;
	bool found;
};

static int route6_cb(struct nlmsghdr *r, void *ctx)
{
	struct def6_ctx *dc = ctx;
	struct rtmsg *rtm = NLMSG_DATA(r);
	int len = (int)r->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rtm));
	struct in6_addr gw;
	bool has_gw = false;
	int oif = 0;

	if (len < 0 || dc->found || rtm->rtm_family != AF_INET6 || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
		return 0;
	for (struct rtattr *at = RTM_RTA(rtm); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == RTA_GATEWAY && RTA_PAYLOAD(at) == 16) {
			memcpy(&gw, RTA_DATA(at), 16);
			has_gw = true;
		} else if (at->rta_type == RTA_OIF && RTA_PAYLOAD(at) == 4) {
			memcpy(&oif, RTA_DATA(at), 4);
		}
	}
	if (has_gw && oif == dc->ifindex) {
		*dc->gw = gw;
		dc->found = true;
	}
	return 0;
}

int nl_default6(struct nl *nl, int ifindex, struct in6_addr *gw)
{
	struct nlu_msg q;
	struct nlmsghdr *nh = req_init(&q, RTM_GETROUTE, 0, sizeof(struct rtmsg));
	struct rtmsg *rtm = NLMSG_DATA(nh);
	struct def6_ctx dc = { ifindex, gw, false };
	int rc;

	rtm->rtm_family = AF_INET6;
	rc = dump(nl, &q, RTM_NEWROUTE, route6_cb, &dc);
	if (rc < 0)
		return rc;
	return dc.found ? 0 : -ENOENT;
}

int nl_subscribe(uint32_t mask)
{
	struct sockaddr_nl sa;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = mask;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}
