#include "net/env.h"
#include "util/shquote.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

struct out {
	char *b;
	size_t len, n;
	bool full;
};

/* KEY='value'\n, the value quoted */
static void kv(struct out *o, const char *key, const char *val)
{
	size_t k = strlen(key), room;

	if (o->full || o->n + k + 2 >= o->len) {
		o->full = true;
		return;
	}
	memcpy(o->b + o->n, key, k);
	o->b[o->n + k] = '=';
	o->n += k + 1;
	room = o->len - o->n;
	if (sh_quote(o->b + o->n, room, val) + 1 >= room) {	/* the value and its '\n' */
		o->full = true;
		return;
	}
	o->n += strlen(o->b + o->n);
	o->b[o->n++] = '\n';
	o->b[o->n] = '\0';
}

static const char *ip4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

int net_env_format(const struct net_result *r, uint32_t link_mtu, const char *search, const struct dhcp_msg *m,
		   char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], num[16], list[NET_MAX_DNS * INET_ADDRSTRLEN + 8];
	char routes[DHCP_MAX_ROUTES * (2 * INET_ADDRSTRLEN + 6)];
	uint32_t mask = r->prefix ? htonl(~0u << (32 - r->prefix)) : 0;
	size_t used = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	kv(&o, "IFACE", r->iface);
	kv(&o, "METHOD", !r->has4 && r->v6.on ? "none" : r->dhcp ? "dhcp" : "static");
	kv(&o, "ADDRESS", ip4(r->addr, a));
	snprintf(num, sizeof(num), "%u", r->prefix);
	kv(&o, "PREFIX", num);
	kv(&o, "NETMASK", ip4((struct in_addr){ mask }, a));
	kv(&o, "GATEWAY", r->gw.s_addr ? ip4(r->gw, a) : "");
	list[0] = '\0';
	for (int i = 0; i < r->n_dns && i < NET_MAX_DNS; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? " " : "", ip4(r->dns[i], a));
	kv(&o, "DNS", list);
	kv(&o, "DOMAIN", r->domain);
	kv(&o, "SEARCH", search ? search : "");
	kv(&o, "HOSTNAME", r->hostname);
	snprintf(num, sizeof(num), "%u", r->mtu ? r->mtu : link_mtu);
	kv(&o, "MTU", num);
	snprintf(num, sizeof(num), "%u", r->dhcp ? r->lease_s : 0);
	kv(&o, "LEASE", num);
	kv(&o, "SERVER", r->server.s_addr ? ip4(r->server, a) : "");
	kv(&o, "NEXT_SERVER", r->next_server.s_addr ? ip4(r->next_server, a) : "");
	kv(&o, "TFTP_SERVER", r->tftp_server);
	kv(&o, "BOOT_FILE", r->boot_file);
	routes[0] = '\0';
	used = 0;
	if (m && m->has_classless) {
		for (int i = 0; i < m->n_routes && i < DHCP_MAX_ROUTES; i++)
			used += (size_t)snprintf(routes + used, sizeof(routes) - used, "%s%s/%u,%s", i ? " " : "",
						 ip4(m->routes[i].dst, a), m->routes[i].prefix, ip4(m->routes[i].gw, g));
	}
	kv(&o, "ROUTES", routes);
	if (r->v6.on) {
		char b6[INET6_ADDRSTRLEN], l6[NET_MAX_DNS * INET6_ADDRSTRLEN + 8];
		const struct net_result6 *v = &r->v6;

		kv(&o, "METHOD6", net_method6_name(v->method));
		kv(&o, "ADDRESS6", v->has_addr ? inet_ntop(AF_INET6, &v->addr, b6, sizeof(b6)) : "");
		snprintf(num, sizeof(num), "%u", v->has_addr ? v->prefix : 0);
		kv(&o, "PREFIX6", num);
		kv(&o, "LINK_LOCAL6", inet_ntop(AF_INET6, &v->link_local, b6, sizeof(b6)));
		kv(&o, "GATEWAY6", IN6_IS_ADDR_UNSPECIFIED(&v->gw) ? "" : inet_ntop(AF_INET6, &v->gw, b6, sizeof(b6)));
		l6[0] = '\0';
		used = 0;
		for (int i = 0; i < v->n_dns && i < NET_MAX_DNS; i++)
			used += (size_t)snprintf(l6 + used, sizeof(l6) - used, "%s%s", i ? " " : "",
						 inet_ntop(AF_INET6, &v->dns[i], b6, sizeof(b6)));
		kv(&o, "DNS6", l6);
		kv(&o, "SEARCH6", v->search);
		kv(&o, "DHCP6", v->dhcp6 ? "1" : "0");
		snprintf(num, sizeof(num), "%u", v->valid_s);
		kv(&o, "LEASE6", num);
		kv(&o, "RA_FLAGS", v->ra_managed && v->ra_other ? "MO" : v->ra_managed ? "M" : v->ra_other ? "O" : "");
		kv(&o, "BOOT_URL6", v->boot_url);
		kv(&o, "BOOT_PARAM6", v->boot_param);
	}
	return o.full ? -ENOSPC : 0;
}
