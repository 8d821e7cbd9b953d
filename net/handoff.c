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
	return inet_ntop(AF_INET, &a, buf, INET6_ADDRSTRLEN);
}

static const char *ip6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static bool any6(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a);
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

static bool uuid_ok(const char *u)
{
	return u && strlen(u) == 36 && plain(u, "0123456789abcdef-", 36);
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

/* the ifupdown drop-ins exist only when the root is on the network */
static int check_netroot(const struct handoff *h, size_t len)
{
	int rc = check(h, len);

	return rc ? rc : h->netroot ? 0 : -ENOENT;
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
	const struct net_result6 *v6;
	char a[INET6_ADDRSTRLEN];
	bool dhcp6;
	int rc = check(h, len);

	if (rc)
		return rc;
	r = h->res;
	v6 = &r->v6;
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
	/* DHCPv6 when the mode asks for it; with auto6 networkd follows the RA's M/O flags itself */
	dhcp6 = v6->on && v6->method == NET_V6_DHCP6;
	if (r->dhcp || dhcp6)
		put(&o, "DHCP=%s\n", r->dhcp && dhcp6 ? "yes" : r->dhcp ? "ipv4" : "ipv6");
	if (!r->dhcp && (r->has4 || !v6->on)) {
		put(&o, "Address=%s/%u\n", ip4(r->addr, a), r->prefix);
		if (r->gw.s_addr)
			put(&o, "Gateway=%s\n", ip4(r->gw, a));
		for (int i = 0; i < r->n_dns && i < NET_MAX_DNS; i++)
			put(&o, "DNS=%s\n", ip4(r->dns[i], a));
		if (r->domain[0] && handoff_hostname_ok(r->domain))
			put(&o, "Domains=%s\n", r->domain);
	}
	if (v6->on) {
		if (v6->method == NET_V6_STATIC) {
			put(&o, "Address=%s/%u\n", ip6(&v6->addr, a), v6->prefix);
			if (any6(&v6->gw))
				put(&o, "Gateway=%s\n", ip6(&v6->gw, a));
			for (int i = 0; i < v6->n_dns && i < NET_MAX_DNS; i++)
				put(&o, "DNS=%s\n", ip6(&v6->dns[i], a));
		}
		put(&o, "IPv6AcceptRA=%s\n", v6->method == NET_V6_AUTO6 || v6->method == NET_V6_EITHER6 ||
		    v6->method == NET_V6_DHCP6 ? "yes" : "no");
		if (v6->method == NET_V6_LINK6)
			put(&o, "LinkLocalAddressing=ipv6\n");
	}
	if (h->netroot)
		put(&o, "KeepConfiguration=yes\n");
	if (r->dhcp)
		/* netinit sends no client id: the server knows the lease by the MAC */
		put(&o, "\n[DHCPv4]\nClientIdentifier=mac\nRequestAddress=%s\n", ip4(r->addr, a));
	if (dhcp6)	/* the DUID netinit used (DUID-LL): the server gives the same address again */
		put(&o, "\n[DHCPv6]\nDUIDType=link-layer\n");
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
	const struct net_result6 *v6;
	char a[INET6_ADDRSTRLEN];
	int rc = check(h, len);

	if (rc)
		return rc;
	if (!uuid_ok(h->uuid))
		return -EINVAL;
	r = h->res;
	/* nm-initrd-generator's profile for ip=<iface>:dhcp (or the static form) */
	put(&o, "[connection]\nid=%s\nuuid=%s\ntype=ethernet\nautoconnect-retries=1\ninterface-name=%s\nmulti-connect=1\n",
	    r->iface, h->uuid, r->iface);
	put(&o, "\n[ethernet]\n");
	if (r->mtu)
		put(&o, "mtu=%u\n", r->mtu);
	v6 = &r->v6;
	put(&o, "\n[ipv4]\n");
	if (!r->has4 && v6->on) {
		put(&o, "method=disabled\n");
	} else if (r->dhcp) {
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
	put(&o, "\n[ipv6]\naddr-gen-mode=eui64\n");
	if (!v6->on) {
		put(&o, "%s\n", r->dhcp ? "dhcp-timeout=90\nmethod=auto" : "method=disabled");
	} else if (v6->method == NET_V6_STATIC) {
		/* nm-initrd-generator for ip=[<v6>]::[<gw6>]:<len>:...:none */
		put(&o, "address1=%s/%u", ip6(&v6->addr, a), v6->prefix);
		if (any6(&v6->gw))
			put(&o, ",%s", ip6(&v6->gw, a));
		put(&o, "\n");
		if (v6->n_dns) {
			put(&o, "dns=");
			for (int i = 0; i < v6->n_dns && i < NET_MAX_DNS; i++)
				put(&o, "%s;", ip6(&v6->dns[i], a));
			put(&o, "\n");
		}
		put(&o, "method=manual\n");
	} else if (v6->method == NET_V6_LINK6) {
		put(&o, "method=link-local\n");
	} else {	/* auto6, either6: auto (it follows the RA's M/O); dhcp6: dhcp */
		put(&o, "dhcp-timeout=90\nmethod=%s\n", v6->method == NET_V6_DHCP6 ? "dhcp" : "auto");
	}
	put(&o, "\n[proxy]\n\n[user]\norg.freedesktop.NetworkManager.origin=nm-initrd-generator\n");
	return done(&o);
}

int handoff_nm_state_path(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check(h, len);

	if (rc)
		return rc;
	if (h->ifindex <= 0)
		return -EINVAL;
	put(&o, "run/NetworkManager/devices/%d", h->ifindex);
	return done(&o);
}

int handoff_nm_state_format(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check(h, len);

	if (rc)
		return rc;
	if (h->ifindex <= 0 || !uuid_ok(h->uuid))
		return -EINVAL;
	/* what NetworkManager run in the initrd leaves (nm-config.c's device state): the device is
	 * managed and was activated with this profile, so the booted NetworkManager assumes the
	 * running configuration ("indicated": no comparison of the addresses) */
	put(&o, "[device]\nmanaged=true\nconnection-uuid=%s\n", h->uuid);
	return done(&o);
}

/* systemd-escape of a unit instance: an interface name here has only [A-Za-z0-9._-], of which
 * '-' (and a leading '.', which ifname_ok refuses) is escaped */
static void put_escaped(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			put(o, "\\x2d");
		else
			put(o, "%c", *s);
	}
}

int handoff_ifup_path(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check_netroot(h, len);

	if (rc)
		return rc;
	put(&o, "run/systemd/system/ifup@");
	put_escaped(&o, h->res->iface);
	put(&o, ".service.d/50-netinit-netroot.conf");
	return done(&o);
}

int handoff_ifup_format(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check_netroot(h, len);

	if (rc)
		return rc;
	put(&o, "# netinit: the root file system is on %s (%s). ifup@.service brings it up with the\n"
		"# system's own \"iface %s\" as usual (it is not marked configured in /run/network/ifstate);\n"
		"# at shutdown its ifdown would release the lease and set the link down under the root.\n"
		"# The link stays as it is until /run/initramfs/shutdown has unmounted the root.\n"
		"# (dhclient itself, stopped with SIGTERM, keeps the lease and the address.)\n"
		"[Service]\nExecStop=\n", h->res->iface, h->netroot, h->res->iface);
	return done(&o);
}

int handoff_networking_path(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check_netroot(h, len);

	if (rc)
		return rc;
	put(&o, "run/systemd/system/networking.service.d/50-netinit-netroot-%s.conf", h->res->iface);
	return done(&o);
}

int handoff_networking_format(const struct handoff *h, char *buf, size_t len)
{
	struct out o = { .b = buf, .len = len };
	int rc = check_netroot(h, len);

	if (rc)
		return rc;
	/* Debian's own unit: ExecStop=/sbin/ifdown -a --read-environment --exclude=lo */
	put(&o, "# netinit: the root file system is on %s (%s): \"ifdown -a\" at shutdown leaves it alone\n"
		"# (as Debian's /etc/init.d/networking does when /dev/nbd* is mounted).\n"
		"[Service]\nExecStop=\nExecStop=/sbin/ifdown -a --read-environment --exclude=lo --exclude=%s\n",
	    h->res->iface, h->netroot, h->res->iface);
	return done(&o);
}
