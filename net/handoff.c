#include "net/handoff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

struct out {
	char *b;
	size_t len, n;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->full)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->b + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= o->len - o->n)
		o->full = true;
	else
		o->n += (size_t)k;
}

static int done(struct out *o)
{
	if (o->full) {
		o->b[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

static const char *ip4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* characters of s all in set, 1..max of them */
static bool plain(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, set) == n;
}

#define LDH "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-."

bool handoff_hostname_ok(const char *name)
{
	return name && plain(name, LDH, 63) && name[0] != '-' && name[0] != '.';
}

/* an interface name that is safe in a file name and an INI value */
static bool ifname_ok(const char *s)
{
	return plain(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._", NET_IFNAMSIZ - 1) &&
	       s[0] != '.';
}

static int check(const struct handoff *h, size_t len)
{
	if (!len)
		return -ENOSPC;
	if (!h || !h->res || !ifname_ok(h->res->iface))
		return -EINVAL;
	if (h->netroot && !plain(h->netroot, "abcdefghijklmnopqrstuvwxyz0123456789", 16))
		return -EINVAL;
	return 0;
}

int handoff_networkd_path(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check(h, len);

	if (rc)
		return rc;
	put(&o, "run/systemd/network/%s-netinit-%s.network", h->netroot ? "00" : "99", h->res->iface);
	return done(&o);
}

int handoff_networkd_format(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	const struct net_result *r;
	char a[INET_ADDRSTRLEN];
	int rc = check(h, len);

	if (rc)
		return rc;
	r = h->res;
	if (h->netroot)
		put(&o, "# netinit: the boot interface %s; the root file system is on it (%s):\n"
			"# networkd must never drop its address. A file of this name in\n"
			"# /etc/systemd/network replaces this one.\n", r->iface, h->netroot);
	else
		put(&o, "# netinit: the boot interface %s, for a link nothing else configures; the\n"
			"# system's own .network files sort before this one and win.\n", r->iface);
	put(&o, "[Match]\nName=%s\n", r->iface);
	if (r->mtu)
		put(&o, "\n[Link]\nMTUBytes=%u\n", r->mtu);
	put(&o, "\n[Network]\n");
	if (r->dhcp) {
		put(&o, "DHCP=ipv4\n");
	} else {
		put(&o, "Address=%s/%u\n", ip4(r->addr, a), r->prefix);
		if (r->gw.s_addr)
			put(&o, "Gateway=%s\n", ip4(r->gw, a));
		for (int i = 0; i < r->n_dns && i < NET_MAX_DNS; i++)
			put(&o, "DNS=%s\n", ip4(r->dns[i], a));
		if (r->domain[0] && handoff_hostname_ok(r->domain))
			put(&o, "Domains=%s\n", r->domain);
	}
	if (h->netroot)
		put(&o, "KeepConfiguration=yes\n");
	if (r->dhcp)
		/* netinit sends no client id: the server knows the lease by the MAC */
		put(&o, "\n[DHCPv4]\nClientIdentifier=mac\nRequestAddress=%s\n", ip4(r->addr, a));
	return done(&o);
}

int handoff_nm_path(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check(h, len);

	if (rc)
		return rc;
	put(&o, "run/NetworkManager/system-connections/%s.nmconnection", h->res->iface);
	return done(&o);
}

int handoff_nm_format(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	const struct net_result *r;
	char a[INET_ADDRSTRLEN];
	int rc = check(h, len);

	if (rc)
		return rc;
	if (!h->uuid || strlen(h->uuid) != 36 || !plain(h->uuid, "0123456789abcdef-", 36))
		return -EINVAL;
	r = h->res;
	/* nm-initrd-generator's profile for ip=<iface>:dhcp (or the static form) */
	put(&o, "[connection]\nid=%s\nuuid=%s\ntype=ethernet\nautoconnect-retries=1\ninterface-name=%s\nmulti-connect=1\n",
	    r->iface, h->uuid, r->iface);
	put(&o, "\n[ethernet]\n");
	if (r->mtu)
		put(&o, "mtu=%u\n", r->mtu);
	put(&o, "\n[ipv4]\n");
	if (r->dhcp) {
		put(&o, "dhcp-timeout=90\nmethod=auto\nrequired-timeout=20000\n");
	} else {
		put(&o, "address1=%s/%u", ip4(r->addr, a), r->prefix);
		if (r->gw.s_addr)
			put(&o, ",%s", ip4(r->gw, a));
		put(&o, "\n");
		if (r->n_dns) {
			put(&o, "dns=");
			for (int i = 0; i < r->n_dns && i < NET_MAX_DNS; i++)
				put(&o, "%s;", ip4(r->dns[i], a));
			put(&o, "\n");
		}
		if (r->domain[0] && handoff_hostname_ok(r->domain))
			put(&o, "dns-search=%s;\n", r->domain);
		put(&o, "method=manual\n");
	}
	put(&o, "\n[ipv6]\naddr-gen-mode=eui64\n%s\n", r->dhcp ? "dhcp-timeout=90\nmethod=auto" : "method=disabled");
	put(&o, "\n[proxy]\n\n[user]\norg.freedesktop.NetworkManager.origin=nm-initrd-generator\n");
	return done(&o);
}
