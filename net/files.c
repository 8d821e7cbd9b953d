/* net/files.c: the files the bring-up leaves: resolv.conf, /run/netinit/net/<iface>.env. */
#include "net/netpriv.h"

/* ---- files ---------------------------------------------------------------- */

/* Write root/rel atomically (tmp + rename). */
static int write_file(const struct net_plan *np, const char *rel, const char *text)
{
	char path[PATH_MAX_NET];

	if (snprintf(path, sizeof(path), "%s/%s", np->root[0] ? np->root : "", rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return fs_write_file(path, text, 0644);
}

__attribute__((format(printf, 2, 3)))
void net_sb(struct sbuf *s, const char *fmt, ...)
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

int net_write_env(struct ctx *c, const struct ifc *f, const char *search, const struct dhcp_msg *m)
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
int net_write_resolv(struct ctx *c, const struct net_result *r, const char *search)
{
	struct sbuf s = { .n = 0 }, p = { .n = 0 };
	char a[INET_ADDRSTRLEN];
	int rc;

	char a6[INET6_ADDRSTRLEN];

	net_sb(&s, "# written by netinit for %s\n", r->iface);
	/* both families alternate, so the resolver's first three (MAXNS) hold each of them */
	for (int i = 0; i < r->n_dns || i < r->v6.n_dns; i++) {
		if (i < r->n_dns)
			net_sb(&s, "nameserver %s\n", ip4(r->dns[i], a));
		if (i < r->v6.n_dns)
			net_sb(&s, "nameserver %s\n", ip6(&r->v6.dns[i], a6));
	}
	if (r->domain[0] || (search && *search) || r->v6.search[0]) {
		net_sb(&s, "search");
		if (r->domain[0])
			net_sb(&s, " %s", r->domain);
		if (search && *search)
			net_sb(&s, " %s", search);
		if (r->v6.search[0])
			net_sb(&s, " %s", r->v6.search);
		net_sb(&s, "\n");
	}
	net_sb(&p, r->dhcp ? "#PROTO: DHCP\n" : "#MANUAL\n");
	if (r->domain[0])
		net_sb(&p, "domain %s\n", r->domain);
	for (int i = 0; i < r->n_dns; i++)
		net_sb(&p, "nameserver %s\n", ip4(r->dns[i], a));
	for (int i = 0; i < r->v6.n_dns; i++)
		net_sb(&p, "nameserver %s\n", ip6(&r->v6.dns[i], a6));
	if (r->server.s_addr)
		net_sb(&p, "bootserver %s\n", ip4(r->server, a));
	if ((rc = write_file(c->np, "etc/resolv.conf", s.b)))
		return rc;
	return write_file(c->np, "run/netinit/resolv.conf", p.b);
}
