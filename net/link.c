/* link: rtnetlink requests (links, VLANs, addresses, routes). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_arp.h>

#include "net/link.h"

#define NL_BUF		16384	/* dump replies come in pages; this holds several */
#define REQ_BUF		512
#define VLAN_KIND	"vlan"
#define BOND_KIND	"bond"
#ifndef IFF_UP
#define IFF_UP		0x1
#endif
#ifndef IFLA_VLAN_ID
#define IFLA_VLAN_ID	1
#endif

/* A request under construction: netlink header, family header, attributes. */
struct req {
	uint8_t buf[REQ_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
};

/* Clear q and start a message of type with a family header of hdrlen bytes. */
static struct nlmsghdr *req_init(struct req *q, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(void *)q->buf;

	memset(q, 0, sizeof(*q));
	nh->nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	return nh;
}

static int add_attr(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);
	struct rtattr *rta;

	if (off + RTA_SPACE(len) > cap)
		return -ENOSPC;
	rta = (struct rtattr *)((char *)nh + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

static struct rtattr *nest_start(struct nlmsghdr *nh, size_t cap, unsigned short type)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	if (add_attr(nh, cap, type, NULL, 0))
		return NULL;
	return rta;
}

static void nest_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)nh + nh->nlmsg_len - (char *)nest);
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
static int transact(struct nl *nl, struct nlmsghdr *nh)
{
	char buf[NL_BUF];
	ssize_t n;

	nh->nlmsg_seq = ++nl->seq;
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(nl->fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, (size_t)n);
		     r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_seq != nl->seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(r);

				if (r->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error;	/* 0 = ACK */
			}
		}
	}
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
		}
	}
}

int nl_links(struct nl *nl, struct nl_link *out, int max)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP,
				       sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	char buf[NL_BUF];
	int count = 0;
	ssize_t n;

	nh->nlmsg_seq = ++nl->seq;
	ifi->ifi_family = AF_UNSPEC;
	if (send(nl->fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, (size_t)n);
		     r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_seq != nl->seq)
				continue;
			if (r->nlmsg_type == NLMSG_DONE)
				return count;
			if (r->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(r);

				return e->error ? e->error : -EPROTO;
			}
			if (r->nlmsg_type != RTM_NEWLINK ||
			    r->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
				continue;
			if (count < max)
				parse_link(r, &out[count++]);
		}
	}
}

int nl_link_set(struct nl *nl, int ifindex, int up, unsigned mtu,
		const uint8_t *mac, const char *name)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu && (rc = add_attr(nh, sizeof(q), IFLA_MTU, &mtu, 4)))
		return rc;
	if (mac && (rc = add_attr(nh, sizeof(q), IFLA_ADDRESS, mac, 6)))
		return rc;
	if (name && (rc = add_attr(nh, sizeof(q), IFLA_IFNAME, name, strlen(name) + 1)))
		return rc;
	return transact(nl, nh);
}

int nl_vlan_add(struct nl *nl, const char *name, int phys_ifindex, uint16_t id)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
				       sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rtattr *linkinfo, *data;
	uint32_t phys = (uint32_t)phys_ifindex;

	ifi->ifi_family = AF_UNSPEC;
	if (add_attr(nh, sizeof(q), IFLA_LINK, &phys, 4) ||
	    add_attr(nh, sizeof(q), IFLA_IFNAME, name, strlen(name) + 1))
		return -ENOSPC;
	if (!(linkinfo = nest_start(nh, sizeof(q), IFLA_LINKINFO)))
		return -ENOSPC;
	if (add_attr(nh, sizeof(q), IFLA_INFO_KIND, VLAN_KIND, strlen(VLAN_KIND)))
		return -ENOSPC;
	if (!(data = nest_start(nh, sizeof(q), IFLA_INFO_DATA)))
		return -ENOSPC;
	if (add_attr(nh, sizeof(q), IFLA_VLAN_ID, &id, 2))
		return -ENOSPC;
	nest_end(nh, data);
	nest_end(nh, linkinfo);
	return transact(nl, nh);
}

int nl_bond_add(struct nl *nl, const char *name, const struct nl_bond_opts *o, bool create)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, create ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rtattr *linkinfo, *data;
	const struct { int attr, size; int64_t v; } opt[] = {
		{ IFLA_BOND_MIIMON, 4, o->miimon },       { IFLA_BOND_UPDELAY, 4, o->updelay },
		{ IFLA_BOND_DOWNDELAY, 4, o->downdelay }, { IFLA_BOND_MIN_LINKS, 4, o->min_links },
		{ IFLA_BOND_AD_LACP_RATE, 1, o->lacp_rate }, { IFLA_BOND_XMIT_HASH_POLICY, 1, o->xmit_hash_policy },
		{ IFLA_BOND_AD_SELECT, 1, o->ad_select },
	};

	ifi->ifi_family = AF_UNSPEC;
	if (add_attr(nh, sizeof(q), IFLA_IFNAME, name, strlen(name) + 1))
		return -ENOSPC;
	if (!(linkinfo = nest_start(nh, sizeof(q), IFLA_LINKINFO)) ||
	    add_attr(nh, sizeof(q), IFLA_INFO_KIND, BOND_KIND, strlen(BOND_KIND)) ||
	    !(data = nest_start(nh, sizeof(q), IFLA_INFO_DATA)) ||
	    add_attr(nh, sizeof(q), IFLA_BOND_MODE, &o->mode, 1))
		return -ENOSPC;
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		uint32_t v32 = (uint32_t)opt[i].v;
		uint8_t v8 = (uint8_t)opt[i].v;

		if (opt[i].v < 0)
			continue;
		if (add_attr(nh, sizeof(q), (unsigned short)opt[i].attr, opt[i].size == 4 ? (void *)&v32 : (void *)&v8,
			     (size_t)opt[i].size))
			return -ENOSPC;
	}
	nest_end(nh, data);
	nest_end(nh, linkinfo);
	return transact(nl, nh);
}

int nl_link_set_master(struct nl *nl, int ifindex, int master_ifindex)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	uint32_t m = (uint32_t)master_ifindex;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (add_attr(nh, sizeof(q), IFLA_MASTER, &m, 4))
		return -ENOSPC;
	return transact(nl, nh);
}

int nl_bond_set_primary(struct nl *nl, int bond_ifindex, int slave_ifindex)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rtattr *linkinfo, *data;
	uint32_t s = (uint32_t)slave_ifindex;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = bond_ifindex;
	if (!(linkinfo = nest_start(nh, sizeof(q), IFLA_LINKINFO)) ||
	    add_attr(nh, sizeof(q), IFLA_INFO_KIND, BOND_KIND, strlen(BOND_KIND)) ||
	    !(data = nest_start(nh, sizeof(q), IFLA_INFO_DATA)) || add_attr(nh, sizeof(q), IFLA_BOND_PRIMARY, &s, 4))
		return -ENOSPC;
	nest_end(nh, data);
	nest_end(nh, linkinfo);
	return transact(nl, nh);
}

int nl_addr_add(struct nl *nl, int ifindex, struct in_addr addr, uint8_t prefix)
{
	struct req q;
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
	if (add_attr(nh, sizeof(q), IFA_LOCAL, &addr, 4) ||
	    add_attr(nh, sizeof(q), IFA_ADDRESS, &addr, 4))
		return -ENOSPC;
	if (prefix < 31 && add_attr(nh, sizeof(q), IFA_BROADCAST, &brd, 4))
		return -ENOSPC;
	return transact(nl, nh);
}

int nl_route_add(struct nl *nl, int ifindex, struct in_addr dst, uint8_t prefix,
		 struct in_addr gw, unsigned char protocol)
{
	struct req q;
	struct nlmsghdr *nh = req_init(&q, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
				       sizeof(struct rtmsg));
	struct rtmsg *rtm = NLMSG_DATA(nh);
	uint32_t oif = (uint32_t)ifindex;

	if (prefix > 32)
		return -EINVAL;
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = protocol;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = gw.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (gw.s_addr)
		rtm->rtm_flags = RTNH_F_ONLINK;	/* DHCP/ip= say the gateway is on this link */
	if (prefix && add_attr(nh, sizeof(q), RTA_DST, &dst, 4))
		return -ENOSPC;
	if (gw.s_addr && add_attr(nh, sizeof(q), RTA_GATEWAY, &gw, 4))
		return -ENOSPC;
	if (add_attr(nh, sizeof(q), RTA_OIF, &oif, 4))
		return -ENOSPC;
	return transact(nl, nh);
}
