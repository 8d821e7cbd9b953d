/* ipconf: network keys of the kernel command line -> struct net_plan. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "net/ifnames.h"
#include "net/ipconf.h"
#include "util/errbuf.h"
#include "util/hex.h"

#define IP_MAX_FIELDS	16	/* 7 static fields + 6 MAC fields + slack */
#define IP_FIELD_MAX	64	/* one field of ip= incl. NUL */
#define MTU_MIN		68	/* RFC 791 minimum */
#define MTU_MAX		65535

void net_plan_init(struct net_plan *np)
{
	memset(np, 0, sizeof(*np));
	np->peerdns = true;
	np->use_bootif = true;
	np->ifnames = true;
	np->naming_flags = IFN_SCHEME_DEFAULT;
	np->timeout.iflink = 60;
	np->timeout.ifup = 20;
	np->timeout.route = 20;
	np->timeout.ipv6dad = 50;
	np->timeout.ipv6auto = 40;
	np->timeout.carrier = 10;
	np->timeout.dhcp = 30;
	np->dhcp_retry = 1;
	snprintf(np->vendor_class, sizeof(np->vendor_class), "netinit");
}

int net_parse_ipv4(const char *s, struct in_addr *out)
{
	unsigned parts[4];
	int n = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	while (n < 4) {
		unsigned v = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (++digits > 3 || v > 255)
				return -EINVAL;
			p++;
		}
		if (!digits)
			return -EINVAL;
		parts[n++] = v;
		if (n < 4) {
			if (*p != '.')
				return -EINVAL;
			p++;
		}
	}
	if (*p)
		return -EINVAL;
	out->s_addr = htonl(parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]);
	return 0;
}

int net_parse_mac(const char *s, uint8_t mac[6])
{
	int i;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hex_digit(s[i * 3]), lo = hex_digit(s[i * 3 + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-')
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int net_parse_ipv6(const char *s, bool brackets, struct in6_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	} else if (brackets) {
		return -EINVAL;
	}
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -EINVAL;
}

bool net_ipconf_has4(const struct net_ipconf *c)
{
	return c->method != NET_METHOD_NONE;
}

bool net_ipconf_has6(const struct net_ipconf *c)
{
	return c->method6 != NET_V6_NONE;
}

const char *net_method_name(enum net_method m)
{
	return m == NET_METHOD_DHCP ? "dhcp" : m == NET_METHOD_STATIC ? "static" : "none";
}

const char *net_method6_name(enum net_method6 m)
{
	static const char *const names[] = { "", "static", "auto6", "dhcp6", "either6", "link6" };

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

/* Digits only, value in [min,max]. */
static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	if (v < min)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static bool is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* An interface name the kernel would accept, and safe to print in JSON. */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NET_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == '/' || *s == ':' || *s == '"' || *s == '\\' || *s == 0x7f)
			return false;
	return true;
}

/* RFC 1123 host name characters (dots allowed for FQDNs). */
static bool valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NET_HOSTNAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}

/* A dotted netmask (contiguous) or a prefix length 0..32. */
static int parse_netmask(const char *s, uint8_t *prefix)
{
	struct in_addr a;
	unsigned v;
	uint32_t m;
	int n = 0;

	if (is_digits(s)) {
		if (parse_uint(s, 0, 32, &v))
			return -EINVAL;
		*prefix = (uint8_t)v;
		return 0;
	}
	if (net_parse_ipv4(s, &a))
		return -EINVAL;
	m = ntohl(a.s_addr);
	while (m & 0x80000000u) {
		m <<= 1;
		n++;
	}
	if (m)
		return -EINVAL;	/* not contiguous */
	*prefix = (uint8_t)n;
	return 0;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Split at ':' outside [ ]. Returns the field count or -EINVAL. */
static int split_fields(const char *v, char f[IP_MAX_FIELDS][IP_FIELD_MAX], bool *bracket)
{
	int n = 0;
	size_t k = 0;
	int depth = 0;

	*bracket = false;
	memset(f, 0, IP_MAX_FIELDS * IP_FIELD_MAX);
	for (;; v++) {
		if (*v == '[') {
			depth++;
			*bracket = true;
		} else if (*v == ']') {
			depth--;
		}
		if (depth < 0 || depth > 1)
			return -EINVAL;
		if (*v == '\0' || (*v == ':' && depth == 0)) {
			if (n >= IP_MAX_FIELDS)
				return -EINVAL;
			f[n][k] = '\0';
			n++;
			k = 0;
			if (*v == '\0')
				break;
			continue;
		}
		if (n >= IP_MAX_FIELDS || k + 1 >= IP_FIELD_MAX)
			return -EINVAL;
		f[n][k++] = *v;
	}
	if (depth != 0)
		return -EINVAL;
	return n;
}

/* Six fields f[0..5] of two hex digits each form a MAC. */
static int mac_from_fields(char f[IP_MAX_FIELDS][IP_FIELD_MAX], int first, uint8_t mac[6])
{
	char buf[18];
	int i;

	if (first + 6 > IP_MAX_FIELDS)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (strlen(f[first + i]) != 2)
			return -EINVAL;
		buf[i * 3] = f[first + i][0];
		buf[i * 3 + 1] = f[first + i][1];
		buf[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
	return net_parse_mac(buf, mac);
}

static void mark_unsupported(struct net_plan *np, const char *key, const char *value)
{
	if (np->unsupported[0])
		return;	/* keep the first */
	snprintf(np->unsupported, sizeof(np->unsupported), "%s=%s", key, value);
}

#define IP_FORMS "dhcp|on|any|dhcp6|auto6|either6|link6, <iface>:dhcp[,dhcp6][:<mtu>[:<mac>]], or " \
	"<client>:[<peer>]:<gw>:<netmask>:<hostname>:<iface>:{none|off|dhcp|...}[:<mtu>|:<dns1>[:<dns2>]][:<mac>] " \
	"(IPv6 addresses in [ ])"

/* ---- ip= ------------------------------------------------------------------
 * Three grammars, one function each (dracut's net-lib ip_to_var and the kernel's
 * Documentation/admin-guide/nfs/nfsroot.rst): ip=<methods> (ip_methods_only),
 * ip=<iface>:<methods>[:<mtu>[:<mac>]] (ip_iface_form), and the positional
 * ip=<client>:[<peer>]:<gw>:<netmask>:<hostname>:<iface>:<methods>[:...] (ip_kernel_form,
 * its fields after the method in ip_tail). <methods> is dracut's comma list: at most one
 * IPv4 word (dhcp|on|any|single-dhcp) and one IPv6 word (dhcp6|auto6|either6|link6), or
 * none|off for the static address of its family. IPv6 addresses are in [ ]. ip_add files
 * the entry: a second ip= for an interface fills the other address family's half. */

enum mw_kind { MW_BAD, MW_DHCP, MW_STATIC, MW_V6, MW_UNSUPP };

static enum mw_kind method_word(const char *s, enum net_method6 *m6)
{
	static const char *const dhcp[] = { "dhcp", "on", "any", "single-dhcp" };
	static const struct { const char *name; enum net_method6 m; } v6[] = {
		{ "dhcp6", NET_V6_DHCP6 }, { "auto6", NET_V6_AUTO6 },
		{ "either6", NET_V6_EITHER6 }, { "link6", NET_V6_LINK6 },
	};
	static const char *const unsupp[] = { "ibft", "bootp", "rarp", "both" };
	size_t i;

	for (i = 0; i < sizeof(dhcp) / sizeof(dhcp[0]); i++)
		if (!strcmp(s, dhcp[i]))
			return MW_DHCP;
	if (!strcmp(s, "none") || !strcmp(s, "off"))
		return MW_STATIC;
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		if (!strcmp(s, v6[i].name)) {
			*m6 = v6[i].m;
			return MW_V6;
		}
	for (i = 0; i < sizeof(unsupp) / sizeof(unsupp[0]); i++)
		if (!strcmp(s, unsupp[i]))
			return MW_UNSUPP;
	return MW_BAD;
}

/* A parsed <methods> list. */
struct methods {
	bool dhcp;			/* an IPv4 DHCP word */
	bool stat;			/* none|off */
	enum net_method6 m6;		/* an IPv6 word, NET_V6_NONE if none */
	char first6[16];		/* the IPv6 word as written, for messages */
};

enum { PM_OK, PM_BAD, PM_UNSUPP };

/* PM_OK; PM_BAD with the offending word in bad (or "" for a family given twice); PM_UNSUPP. */
static int parse_methods(const char *s, struct methods *m, char *bad, size_t badlen)
{
	char buf[IP_FIELD_MAX], *tok, *save = NULL;

	memset(m, 0, sizeof(*m));
	copy_str(buf, sizeof(buf), s);
	if (!*buf || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,")) {
		copy_str(bad, badlen, s);
		return PM_BAD;
	}
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum net_method6 m6 = NET_V6_NONE;

		switch (method_word(tok, &m6)) {
		case MW_DHCP:
			if (m->dhcp)
				goto twice;
			m->dhcp = true;
			break;
		case MW_STATIC:
			if (m->stat)
				goto twice;
			m->stat = true;
			break;
		case MW_V6:
			if (m->m6)
				goto twice;
			m->m6 = m6;
			copy_str(m->first6, sizeof(m->first6), tok);
			break;
		case MW_UNSUPP:
			return PM_UNSUPP;
		default:
			copy_str(bad, badlen, tok);
			return PM_BAD;
		}
	}
	return PM_OK;
twice:
	bad[0] = '\0';
	return PM_BAD;
}

/* An IPv6 address in a field: "[<v6>]". */
static int field6(const char *f, struct in6_addr *out)
{
	return net_parse_ipv6(f, true, out);
}

/* ip=<methods> */
static int ip_methods_only(struct net_plan *np, const char *value, const char *f0, struct net_ipconf *c,
			   char *err, size_t errlen)
{
	struct methods m;
	char bad[IP_FIELD_MAX];
	int rc = parse_methods(f0, &m, bad, sizeof(bad));

	if (rc == PM_UNSUPP) {
		mark_unsupported(np, "ip", value);
		return 1;
	}
	if (rc) {
		seterr(err, errlen, bad[0] ? "ip=%s: unknown method: expected %s" :
		       "ip=%s: names an address family twice: expected one IPv4 and one IPv6 method of %s", value, IP_FORMS);
		return -EINVAL;
	}
	if (m.stat) {
		if (m.dhcp || m.m6) {
			seterr(err, errlen, "ip=%s: value 'none' without static configuration does not make sense: "
			       "expected %s", value, IP_FORMS);
			return -EINVAL;
		}
		return 1;	/* kernel's ip=off/none: no autoconfiguration */
	}
	c->method = m.dhcp ? NET_METHOD_DHCP : NET_METHOD_NONE;
	c->method6 = m.m6;
	return 0;
}

/* ip=<iface>:<methods>[:<mtu>[:<mac>]] (the MAC is split into its six fields) */
static int ip_iface_form(struct net_plan *np, const char *value, char f[IP_MAX_FIELDS][IP_FIELD_MAX], int nf,
			 struct net_ipconf *c, char *err, size_t errlen)
{
	struct methods m;
	char bad[IP_FIELD_MAX];
	unsigned mtu;
	int rc = parse_methods(f[1], &m, bad, sizeof(bad));

	if (rc == PM_UNSUPP) {
		mark_unsupported(np, "ip", value);
		return 1;
	}
	if (rc) {
		seterr(err, errlen, "ip=%s: method '%s' %s: expected <iface>:{dhcp|dhcp6|auto6|either6|link6}[,...]",
		       value, f[1], bad[0] ? "unknown" : "names a family twice");
		return -EINVAL;
	}
	if (m.stat) {
		seterr(err, errlen, "ip=%s: '%s' needs an address and a netmask: expected "
		       "<client>:[<peer>]:<gw>:<netmask>:<hostname>:<iface>:%s", value, f[1], f[1]);
		return -EINVAL;
	}
	if (!valid_ifname(f[0])) {
		seterr(err, errlen, "ip=%s: bad interface name '%s': expected <iface>:dhcp[:<mtu>[:<mac>]]",
		       value, f[0]);
		return -EINVAL;
	}
	copy_str(c->iface, sizeof(c->iface), f[0]);
	c->method = m.dhcp ? NET_METHOD_DHCP : NET_METHOD_NONE;
	c->method6 = m.m6;
	if (nf != 2 && nf != 3 && nf != 9) {
		seterr(err, errlen, "ip=%s: wrong number of fields: expected <iface>:dhcp[:<mtu>[:<mac>]]", value);
		return -EINVAL;
	}
	if (nf >= 3 && f[2][0]) {
		if (parse_uint(f[2], MTU_MIN, MTU_MAX, &mtu)) {
			seterr(err, errlen, "ip=%s: bad MTU '%s': expected a number %d..%d", value, f[2], MTU_MIN, MTU_MAX);
			return -EINVAL;
		}
		c->mtu = mtu;
	}
	if (nf == 9) {
		if (mac_from_fields(f, 3, c->mac)) {
			seterr(err, errlen, "ip=%s: bad MAC address: expected aa:bb:cc:dd:ee:ff", value);
			return -EINVAL;
		}
		c->has_mac = true;
	}
	return 0;
}

/* Fields 8 on of the positional form: <mtu>[:<mac>] | <dns1>[:<dns2>[:<ntp>]] | :<mac>;
 * a DNS server is a dotted quad or a [<v6>]. */
static int ip_tail(const char *value, char f[IP_MAX_FIELDS][IP_FIELD_MAX], int nf, struct net_ipconf *c,
		   char *err, size_t errlen)
{
	int rest = nf - 7;
	char (*r)[IP_FIELD_MAX] = &f[7];
	unsigned mtu;

	if (rest <= 0)
		return 0;
	if (!r[0][0] || is_digits(r[0])) {
		if (r[0][0]) {
			if (parse_uint(r[0], MTU_MIN, MTU_MAX, &mtu)) {
				seterr(err, errlen, "ip=%s: bad MTU '%s': expected a number %d..%d",
				       value, r[0], MTU_MIN, MTU_MAX);
				return -EINVAL;
			}
			c->mtu = mtu;
		}
		if (rest == 7) {
			if (mac_from_fields(f, 8, c->mac)) {
				seterr(err, errlen, "ip=%s: bad MAC address: expected aa:bb:cc:dd:ee:ff", value);
				return -EINVAL;
			}
			c->has_mac = true;
			return 0;
		}
		if (rest == 1)
			return 0;
		if (r[0][0] || rest > 3) {
			seterr(err, errlen, "ip=%s: unexpected fields after the MTU: expected [:<mtu>][:<mac>]", value);
			return -EINVAL;
		}
		/* kernel form with an empty dns0: ::<dns1>[:<ntp0>] */
	}
	if (rest > 3) {
		seterr(err, errlen, "ip=%s: too many fields after the method: expected [:<dns1>[:<dns2>[:<ntp>]]]", value);
		return -EINVAL;
	}
	for (int i = 0; i < rest && i < 2; i++) {
		struct in_addr a;

		if (!r[i][0])
			continue;
		if (r[i][0] == '[') {
			if (field6(r[i], &c->dns6[c->n_dns6])) {
				seterr(err, errlen, "ip=%s: bad DNS server '%s': expected an IPv6 address in [ ]",
				       value, r[i]);
				return -EINVAL;
			}
			c->n_dns6++;
			continue;
		}
		if (net_parse_ipv4(r[i], &a)) {
			seterr(err, errlen, "ip=%s: bad DNS server '%s': expected a dotted quad or [<v6>]", value, r[i]);
			return -EINVAL;
		}
		c->dns[c->n_dns++] = a;
	}
	if (rest == 3 && r[2][0] && net_parse_ipv4(r[2], &c->ntp)) {
		seterr(err, errlen, "ip=%s: bad NTP server '%s': expected a dotted quad", value, r[2]);
		return -EINVAL;
	}
	return 0;
}

/* <client>:[<peer>]:<gw>:<netmask>:<hostname>:<iface>:<methods>[:...]; <client>,
 * <peer> and <gw> are dotted quads or [<v6>] (then <netmask> is a prefix length). */
static int ip_kernel_form(struct net_plan *np, const char *value, char f[IP_MAX_FIELDS][IP_FIELD_MAX], int nf,
			  struct net_ipconf *c, char *err, size_t errlen)
{
	struct in6_addr peer6;
	struct methods m = { .dhcp = false };
	bool v6 = f[0][0] == '[', gw6 = nf > 2 && f[2][0] == '[';
	bool has_client = f[0][0] != '\0';
	unsigned u;

	if (v6 ? field6(f[0], &c->addr6) : (has_client && net_parse_ipv4(f[0], &c->addr))) {
		seterr(err, errlen, "ip=%s: bad client address '%s': expected a dotted quad, [<v6>] or %s",
		       value, f[0], IP_FORMS);
		return -EINVAL;
	}
	if (nf > 1 && f[1][0] && (f[1][0] == '[' ? field6(f[1], &peer6) : net_parse_ipv4(f[1], &c->peer))) {
		seterr(err, errlen, "ip=%s: bad peer address '%s': expected a dotted quad or [<v6>]", value, f[1]);
		return -EINVAL;
	}
	if (nf > 2 && f[2][0] && (gw6 ? field6(f[2], &c->gw6) : net_parse_ipv4(f[2], &c->gw))) {
		seterr(err, errlen, "ip=%s: bad gateway '%s': expected a dotted quad or [<v6>]", value, f[2]);
		return -EINVAL;
	}
	if (has_client && f[2][0] && v6 != gw6) {
		seterr(err, errlen, "ip=%s: the gateway '%s' is not of the client address's family", value, f[2]);
		return -EINVAL;
	}
	if (nf > 3 && f[3][0]) {
		if (v6 ? parse_uint(f[3], 0, 128, &u) : parse_netmask(f[3], &c->prefix)) {
			seterr(err, errlen, v6 ? "ip=%s: bad prefix length '%s': expected 0..128 for an IPv6 address" :
			       "ip=%s: bad netmask '%s': expected a contiguous dotted mask or a prefix 0..32", value, f[3]);
			return -EINVAL;
		}
		if (v6)
			c->prefix6 = (uint8_t)u;
	}
	if (nf > 4 && f[4][0]) {
		if (!valid_hostname(f[4])) {
			seterr(err, errlen, "ip=%s: bad host name '%s': expected letters, digits, '-', '.' (< %d chars)",
			       value, f[4], NET_HOSTNAME_MAX);
			return -EINVAL;
		}
		copy_str(c->hostname, sizeof(c->hostname), f[4]);
	}
	if (nf > 5 && f[5][0]) {
		if (!valid_ifname(f[5])) {
			seterr(err, errlen, "ip=%s: bad interface name '%s': expected e.g. eth0", value, f[5]);
			return -EINVAL;
		}
		copy_str(c->iface, sizeof(c->iface), f[5]);
	}
	if (nf > 6 && f[6][0]) {
		char bad[IP_FIELD_MAX];
		int rc = parse_methods(f[6], &m, bad, sizeof(bad));

		if (rc == PM_UNSUPP) {
			mark_unsupported(np, "ip", value);
			return 1;
		}
		if (rc) {
			seterr(err, errlen, bad[0] ? "ip=%s: unknown method '%s': expected none|off|dhcp|on|any|dhcp6|auto6|either6|link6" :
			       "ip=%s: '%s' names an address family twice: expected one IPv4 and one IPv6 method", value,
			       bad[0] ? bad : f[6]);
			return -EINVAL;
		}
	} else {
		/* no method: static when an address is given (kernel form), else DHCP */
		m.stat = has_client;
		m.dhcp = !has_client;
	}
	/* dracut: "setting client-ip does not make sense for 'dhcp6'": an address is static
	 * with none|off; an IPv4 one may also be the address DHCP asks for (kernel, netinit) */
	if (has_client && (v6 ? (m.m6 || !m.stat) : (!m.stat && !m.dhcp))) {
		seterr(err, errlen, "ip=%s: setting client-ip does not make sense for '%s': expected none for a static address",
		       value, m.m6 ? m.first6 : "dhcp");
		return -EINVAL;
	}
	if (has_client && !v6 && m.stat && m.dhcp) {
		seterr(err, errlen, "ip=%s: the IPv4 address is static (none) or asked of DHCP (dhcp), not both", value);
		return -EINVAL;
	}
	if (m.stat && (!has_client || !f[3][0] || nf < 4)) {
		seterr(err, errlen, "ip=%s: a static configuration needs both <client> and <netmask>: expected "
		       "<client>:[<peer>]:<gw>:<netmask>:<hostname>:<iface>:none", value);
		return -EINVAL;
	}
	if (v6) {
		c->method6 = m.stat ? NET_V6_STATIC : m.m6;
		c->method = m.dhcp ? NET_METHOD_DHCP : NET_METHOD_NONE;
	} else {
		c->method = m.stat ? NET_METHOD_STATIC : m.dhcp ? NET_METHOD_DHCP : NET_METHOD_NONE;
		c->method6 = m.m6;
	}
	if (gw6 && c->method6 == NET_V6_NONE) {
		seterr(err, errlen, "ip=%s: an IPv6 gateway '%s' without an IPv6 method", value, f[2]);
		return -EINVAL;
	}
	if (c->gw.s_addr && c->method == NET_METHOD_NONE) {
		seterr(err, errlen, "ip=%s: an IPv4 gateway '%s' without an IPv4 method", value, f[2]);
		return -EINVAL;
	}
	return ip_tail(value, f, nf, c, err, errlen);
}

/* File entry c: a second ip= for an interface (or for "any") that configures only the
 * other address family fills that half of the first entry (one interface, both families,
 * as nm-initrd-generator merges them); anything else is a new entry (net_plan_finish
 * refuses an interface configured twice for one family). */
static int ip_add(struct net_plan *np, const char *value, const struct net_ipconf *c, char *err, size_t errlen)
{
	for (int i = 0; i < np->n_ip; i++) {
		struct net_ipconf *e = &np->ip[i];

		if (strcmp(e->iface, c->iface))
			continue;
		if ((net_ipconf_has4(e) && net_ipconf_has4(c)) || (net_ipconf_has6(e) && net_ipconf_has6(c)))
			break;
		if ((c->mtu && e->mtu && c->mtu != e->mtu) || (c->has_mac && e->has_mac && memcmp(c->mac, e->mac, 6)) ||
		    (c->hostname[0] && e->hostname[0] && strcmp(c->hostname, e->hostname))) {
			seterr(err, errlen, "ip=%s: MTU, MAC or host name differs from the other ip= for %s", value,
			       c->iface[0] ? c->iface : "any interface");
			return -EINVAL;
		}
		if (net_ipconf_has4(c)) {
			e->method = c->method;
			e->addr = c->addr;
			e->peer = c->peer;
			e->gw = c->gw;
			e->prefix = c->prefix;
			e->ntp = c->ntp;
		} else {
			e->method6 = c->method6;
			e->addr6 = c->addr6;
			e->prefix6 = c->prefix6;
			e->gw6 = c->gw6;
		}
		for (int k = 0; k < c->n_dns && e->n_dns < 2; k++)
			e->dns[e->n_dns++] = c->dns[k];
		for (int k = 0; k < c->n_dns6 && e->n_dns6 < 2; k++)
			e->dns6[e->n_dns6++] = c->dns6[k];
		if (c->mtu)
			e->mtu = c->mtu;
		if (c->has_mac) {
			memcpy(e->mac, c->mac, 6);
			e->has_mac = true;
		}
		if (c->hostname[0])
			copy_str(e->hostname, sizeof(e->hostname), c->hostname);
		return 1;
	}
	if (np->n_ip >= NET_MAX_IP) {
		seterr(err, errlen, "ip=%s: too many ip= entries: at most %d", value, NET_MAX_IP);
		return -E2BIG;
	}
	np->ip[np->n_ip++] = *c;
	return 1;
}

static int parse_ip(struct net_plan *np, const char *value, char *err, size_t errlen)
{
	char f[IP_MAX_FIELDS][IP_FIELD_MAX];
	struct net_ipconf c;
	enum net_method6 dummy;
	bool bracket;
	int nf, rc;

	if (!value || !*value) {
		seterr(err, errlen, "ip: empty value: expected %s", IP_FORMS);
		return -EINVAL;
	}
	nf = split_fields(value, f, &bracket);
	if (nf < 0) {
		seterr(err, errlen, "ip=%s: too many or too long fields, or unbalanced [ ]: expected %s",
		       value, IP_FORMS);
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	if (nf == 1)
		rc = ip_methods_only(np, value, f[0], &c, err, errlen);
	else if (f[0][0] != '[' && (method_word(f[1], &dummy) != MW_BAD || strchr(f[1], ',')))
		rc = ip_iface_form(np, value, f, nf, &c, err, errlen);
	else
		rc = ip_kernel_form(np, value, f, nf, &c, err, errlen);
	if (rc)
		return rc;	/* an error, or 1: taken without an entry */
	return ip_add(np, value, &c, err, errlen);
}

/* rd.route=<net>/<prefix>:[<gw>][:<iface>]; IPv6 as dracut writes it,
 * [<v6>/<len>]:[<gw6>][:<iface>], or [<v6>]/<len>:... */
static int parse_route(struct net_plan *np, const char *value, char *err, size_t errlen)
{
	char f[IP_MAX_FIELDS][IP_FIELD_MAX];
	struct net_route r;
	bool bracket;
	char *slash;
	int nf;
	unsigned u;

#define ROUTE_FORM "<net>/<prefix>:[<gw>][:<iface>] or [<v6>/<len>]:[<gw6>][:<iface>]"
	if (!value || !*value) {
		seterr(err, errlen, "rd.route: empty value: expected " ROUTE_FORM);
		return -EINVAL;
	}
	nf = split_fields(value, f, &bracket);
	if (nf < 1 || nf > 3) {
		seterr(err, errlen, "rd.route=%s: wrong number of fields: expected " ROUTE_FORM, value);
		return -EINVAL;
	}
	memset(&r, 0, sizeof(r));
	if (f[0][0] == '[') {	/* [<v6>/<len>] or [<v6>]/<len> */
		char *close = strchr(f[0], ']');

		r.v6 = true;
		if (close && close[1] == '/') {
			memmove(close, close + 1, strlen(close));	/* [<v6>/<len> */
			close = f[0] + strlen(f[0]);
		} else if (!close || close[1]) {
			close = NULL;
		}
		if (close)
			*close = '\0';
		slash = close ? strchr(f[0], '/') : NULL;
		if (slash)
			*slash = '\0';
		if (!slash || inet_pton(AF_INET6, f[0] + 1, &r.dst6) != 1 || parse_uint(slash + 1, 0, 128, &u)) {
			seterr(err, errlen, "rd.route=%s: bad network: expected " ROUTE_FORM, value);
			return -EINVAL;
		}
		r.prefix = (uint8_t)u;
	} else {
		slash = strchr(f[0], '/');
		if (!slash) {
			seterr(err, errlen, "rd.route=%s: missing /<prefix>: expected " ROUTE_FORM, value);
			return -EINVAL;
		}
		*slash = '\0';
		if (net_parse_ipv4(f[0], &r.dst) || parse_netmask(slash + 1, &r.prefix)) {
			seterr(err, errlen, "rd.route=%s: bad network: expected " ROUTE_FORM, value);
			return -EINVAL;
		}
	}
	if (nf > 1 && f[1][0] &&
	    (r.v6 ? field6(f[1], &r.gw6) : (f[1][0] == '[' || net_parse_ipv4(f[1], &r.gw)))) {
		seterr(err, errlen, "rd.route=%s: bad gateway '%s': expected %s", value, f[1],
		       r.v6 ? "[<v6>] for an IPv6 route" : "a dotted quad for an IPv4 route");
		return -EINVAL;
	}
	if (nf > 2 && f[2][0]) {
		if (!valid_ifname(f[2])) {
			seterr(err, errlen, "rd.route=%s: bad interface '%s': expected " ROUTE_FORM, value, f[2]);
			return -EINVAL;
		}
		copy_str(r.iface, sizeof(r.iface), f[2]);
	}
	if (np->n_route >= NET_MAX_ROUTES) {
		seterr(err, errlen, "rd.route=%s: too many routes: at most %d", value, NET_MAX_ROUTES);
		return -E2BIG;
	}
	np->route[np->n_route++] = r;
	return 1;
}

static int parse_bool(const char *key, const char *value, bool *out, char *err, size_t errlen)
{
	if (!value || !strcmp(value, "1") || !strcmp(value, "yes") || !strcmp(value, "true")) {
		*out = true;
		return 1;
	}
	if (!strcmp(value, "0") || !strcmp(value, "no") || !strcmp(value, "false")) {
		*out = false;
		return 1;
	}
	seterr(err, errlen, "%s=%s: expected 0 or 1", key, value);
	return -EINVAL;
}

static int parse_vlan(struct net_plan *np, const char *value, char *err, size_t errlen)
{
	struct net_vlan v;
	const char *colon, *digits = NULL;
	unsigned id;
	size_t n;

	memset(&v, 0, sizeof(v));
	colon = value ? strchr(value, ':') : NULL;
	if (!colon || (size_t)(colon - value) >= NET_IFNAMSIZ) {
		seterr(err, errlen, "vlan=%s: expected <name>:<phys> with a name like vlan5 or eth0.5",
		       value ? value : "");
		return -EINVAL;
	}
	n = (size_t)(colon - value);
	memcpy(v.name, value, n);
	v.name[n] = '\0';
	copy_str(v.phys, sizeof(v.phys), colon + 1);
	if (!valid_ifname(v.name) || !valid_ifname(colon + 1) || strlen(colon + 1) >= NET_IFNAMSIZ) {
		seterr(err, errlen, "vlan=%s: bad interface name: expected <name>:<phys>", value);
		return -EINVAL;
	}
	if (!strncmp(v.name, "vlan", 4))
		digits = v.name + 4;
	else if ((digits = strrchr(v.name, '.')))
		digits++;
	if (!digits || parse_uint(digits, 1, 4094, &id)) {
		seterr(err, errlen, "vlan=%s: no VLAN id 1..4094 in the name: expected vlan0005, vlan5, eth0.0005 or eth0.5",
		       value);
		return -EINVAL;
	}
	v.id = (uint16_t)id;
	if (np->n_vlan >= NET_MAX_VLAN) {
		seterr(err, errlen, "vlan=%s: too many vlan= entries: at most %d", value, NET_MAX_VLAN);
		return -E2BIG;
	}
	np->vlan[np->n_vlan++] = v;
	return 1;
}

static const char *const bond_modes[] = { "balance-rr", "active-backup", "balance-xor", "broadcast",
					   "802.3ad", "balance-tlb", "balance-alb" };
static const char *const bond_hashes[] = { "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac" };
static const char *const bond_lacp[] = { "slow", "fast" };
static const char *const bond_adsel[] = { "stable", "bandwidth", "count" };

const char *net_bond_mode_name(unsigned mode)
{
	return mode < sizeof(bond_modes) / sizeof(bond_modes[0]) ? bond_modes[mode] : "?";
}

/* A name from names[] or its number (the bonding module takes both). */
static int bond_enum(const char *v, const char *const *names, unsigned n, uint8_t *out)
{
	unsigned u;

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(v, names[i])) {
			*out = (uint8_t)i;
			return 0;
		}
	if (parse_uint(v, 0, n - 1, &u))
		return -EINVAL;
	*out = (uint8_t)u;
	return 0;
}

/* One "key=value" of bond='s options field. */
static int bond_option(struct net_bond *b, const char *opt, const char *whole, char *err, size_t errlen)
{
	char key[32];
	const char *eq = strchr(opt, '=');
	const char *v = eq ? eq + 1 : "";
	size_t n = eq ? (size_t)(eq - opt) : strlen(opt);
	unsigned u;

	if (n >= sizeof(key))
		n = sizeof(key) - 1;
	memcpy(key, opt, n);
	key[n] = '\0';
	if (!eq || !*v)
		goto bad;
	if (!strcmp(key, "mode")) {
		if (bond_enum(v, bond_modes, 7, &b->mode))
			goto bad;
	} else if (!strcmp(key, "miimon") || !strcmp(key, "updelay") || !strcmp(key, "downdelay")) {
		if (parse_uint(v, 0, 600000, &u))
			goto bad;
		if (key[0] == 'm')
			b->miimon = u, b->has_miimon = true;
		else if (key[0] == 'u')
			b->updelay = u, b->has_updelay = true;
		else
			b->downdelay = u, b->has_downdelay = true;
	} else if (!strcmp(key, "min_links")) {
		if (parse_uint(v, 0, NET_MAX_BOND_SLAVES, &u))
			goto bad;
		b->min_links = u, b->has_min_links = true;
	} else if (!strcmp(key, "lacp_rate")) {
		if (bond_enum(v, bond_lacp, 2, &b->lacp_rate))
			goto bad;
		b->has_lacp_rate = true;
	} else if (!strcmp(key, "xmit_hash_policy")) {
		if (bond_enum(v, bond_hashes, 6, &b->xmit_hash))
			goto bad;
		b->has_xmit_hash = true;
	} else if (!strcmp(key, "ad_select")) {
		if (bond_enum(v, bond_adsel, 3, &b->ad_select))
			goto bad;
		b->has_ad_select = true;
	} else if (!strcmp(key, "primary")) {
		if (!valid_ifname(v) || strlen(v) >= NET_IFNAMSIZ)
			goto bad;
		copy_str(b->primary, sizeof(b->primary), v);
	} else {
		seterr(err, errlen, "bond=%s: bonding option '%s' is not supported by netinit; supported: mode, miimon, "
		       "updelay, downdelay, lacp_rate, xmit_hash_policy, ad_select, min_links, primary", whole, key);
		return -EINVAL;
	}
	return 0;
bad:
	seterr(err, errlen, "bond=%s: bad bonding option '%s'; expected e.g. mode=802.3ad, miimon=100, lacp_rate=fast, "
	       "xmit_hash_policy=layer3+4", whole, opt);
	return -EINVAL;
}

static int parse_bond(struct net_plan *np, const char *value, char *err, size_t errlen)
{
	const char *whole = value ? value : "";
	char buf[512], defslaves[] = "eth0,eth1", *field[4] = { NULL }, *p, *tok, *save;
	struct net_bond b;
	unsigned nf = 0, u;

	memset(&b, 0, sizeof(b));
	if (!value || !*value)
		value = "bond0:eth0,eth1:mode=balance-rr"; /* dracut's bare "bond" */
	if (strlen(value) >= sizeof(buf)) {
		seterr(err, errlen, "bond=: value longer than %zu characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, value);
	for (p = buf; nf < 4; nf++) {
		field[nf] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (p && nf == 4) {
		seterr(err, errlen, "bond=%s: too many ':' fields; expected <name>[:<slaves>[:<options>[:<mtu>]]]", whole);
		return -EINVAL;
	}
	if (!valid_ifname(field[0]) || strlen(field[0]) >= NET_IFNAMSIZ) {
		seterr(err, errlen, "bond=%s: bad bond name; expected <name>[:<slave>,<slave>...[:<options>[:<mtu>]]]", whole);
		return -EINVAL;
	}
	copy_str(b.name, sizeof(b.name), field[0]);
	/* dracut: bond=<name> alone takes eth0,eth1 */
	if (!field[1] || !*field[1])
		field[1] = defslaves;
	for (tok = strtok_r(field[1], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!valid_ifname(tok) || strlen(tok) >= NET_IFNAMSIZ || !strcmp(tok, b.name)) {
			seterr(err, errlen, "bond=%s: bad slave interface '%s'", whole, tok);
			return -EINVAL;
		}
		if (b.n_slave >= NET_MAX_BOND_SLAVES) {
			seterr(err, errlen, "bond=%s: more than %d slaves", whole, NET_MAX_BOND_SLAVES);
			return -E2BIG;
		}
		copy_str(b.slave[b.n_slave++], NET_IFNAMSIZ, tok);
	}
	if (field[2] && *field[2])
		for (tok = strtok_r(field[2], ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (bond_option(&b, tok, whole, err, errlen))
				return -EINVAL;
	if (field[3] && *field[3]) {
		if (parse_uint(field[3], 68, 65535, &u)) {
			seterr(err, errlen, "bond=%s: bad MTU '%s'; expected 68..65535", whole, field[3]);
			return -EINVAL;
		}
		b.mtu = u;
	}
	if (b.primary[0]) {
		bool found = false;

		for (unsigned i = 0; i < b.n_slave; i++)
			found |= !strcmp(b.slave[i], b.primary);
		if (!found) {
			seterr(err, errlen, "bond=%s: primary=%s is not one of its slaves", whole, b.primary);
			return -EINVAL;
		}
	}
	if (np->n_bond >= NET_MAX_BOND) {
		seterr(err, errlen, "bond=%s: too many bond= entries: at most %d", whole, NET_MAX_BOND);
		return -E2BIG;
	}
	np->bond[np->n_bond++] = b;
	return 1;
}

static int parse_ifname(struct net_plan *np, const char *value, char *err, size_t errlen)
{
	struct net_ifname f;
	const char *colon = value ? strchr(value, ':') : NULL;
	size_t n;

	memset(&f, 0, sizeof(f));
	if (!colon || (size_t)(colon - value) >= NET_IFNAMSIZ || colon == value) {
		seterr(err, errlen, "ifname=%s: expected <name>:<mac>", value ? value : "");
		return -EINVAL;
	}
	n = (size_t)(colon - value);
	memcpy(f.name, value, n);
	f.name[n] = '\0';
	if (!valid_ifname(f.name) || net_parse_mac(colon + 1, f.mac)) {
		seterr(err, errlen, "ifname=%s: expected <name>:aa:bb:cc:dd:ee:ff", value);
		return -EINVAL;
	}
	if (np->n_ifname >= NET_MAX_IFNAME) {
		seterr(err, errlen, "ifname=%s: too many ifname= entries: at most %d", value, NET_MAX_IFNAME);
		return -E2BIG;
	}
	np->ifname[np->n_ifname++] = f;
	return 1;
}

static int parse_timeout(const char *key, const char *value, unsigned *out, char *err, size_t errlen)
{
	if (!value || parse_uint(value, 0, 86400, out)) {
		seterr(err, errlen, "%s=%s: expected seconds 0..86400", key, value ? value : "");
		return -EINVAL;
	}
	return 1;
}

int net_plan_arg(struct net_plan *np, const char *key, const char *value,
		 char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} timeouts[] = {
		{ "iflink", offsetof(struct net_timeouts, iflink) },
		{ "ifup", offsetof(struct net_timeouts, ifup) },
		{ "route", offsetof(struct net_timeouts, route) },
		{ "ipv6dad", offsetof(struct net_timeouts, ipv6dad) },
		{ "ipv6auto", offsetof(struct net_timeouts, ipv6auto) },
		{ "carrier", offsetof(struct net_timeouts, carrier) },
		{ "dhcp", offsetof(struct net_timeouts, dhcp) },
	};
	struct in_addr a;
	unsigned u;
	size_t i;

	if (!key)
		return 0;
	if (!strcmp(key, "ip"))
		return parse_ip(np, value, err, errlen);
	if (!strcmp(key, "nameserver")) {
		struct in6_addr a6;

		if (value && (value[0] == '[' || strchr(value, ':'))) {	/* [<v6>], or bare as NM takes it */
			if (net_parse_ipv6(value, false, &a6)) {
				seterr(err, errlen, "nameserver=%s: expected an IPv6 address like [2001:db8::53]", value);
				return -EINVAL;
			}
			if (np->n_nameserver6 >= NET_MAX_DNS) {
				seterr(err, errlen, "nameserver=%s: too many IPv6 nameserver= entries: at most %d",
				       value, NET_MAX_DNS);
				return -E2BIG;
			}
			np->nameserver6[np->n_nameserver6++] = a6;
			return 1;
		}
		if (!value || net_parse_ipv4(value, &a)) {
			seterr(err, errlen, "nameserver=%s: expected an IPv4 address like 192.0.2.53 or an IPv6 one like [2001:db8::53]",
			       value ? value : "");
			return -EINVAL;
		}
		if (np->n_nameserver >= NET_MAX_DNS) {
			seterr(err, errlen, "nameserver=%s: too many nameserver= entries: at most %d",
			       value, NET_MAX_DNS);
			return -E2BIG;
		}
		np->nameserver[np->n_nameserver++] = a;
		return 1;
	}
	if (!strcmp(key, "rd.peerdns"))
		return parse_bool(key, value, &np->peerdns, err, errlen);
	if (!strcmp(key, "rd.neednet"))
		return parse_bool(key, value, &np->neednet, err, errlen);
	if (!strcmp(key, "rd.bootif"))
		return parse_bool(key, value, &np->use_bootif, err, errlen);
	if (!strcmp(key, "rd.route"))
		return parse_route(np, value, err, errlen);
	if (!strcmp(key, "BOOTIF")) {
		const char *m = value;

		/* pxelinux IPAPPEND 2: "01-" (ARP type Ethernet) then the MAC */
		if (m && strlen(m) == 20 && !strncmp(m, "01-", 3))
			m += 3;
		/* a NIC's address is unicast: "01-52-54-00-12-34" alone is a truncated BOOTIF */
		if (!m || net_parse_mac(m, np->bootif) || (np->bootif[0] & 1)) {
			seterr(err, errlen, "BOOTIF=%s: expected 01-aa-bb-cc-dd-ee-ff", value ? value : "");
			return -EINVAL;
		}
		np->has_bootif = true;
		return 1;
	}
	if (!strcmp(key, "bootdev")) {
		if (!value || !valid_ifname(value)) {
			seterr(err, errlen, "bootdev=%s: expected an interface name like eth0", value ? value : "");
			return -EINVAL;
		}
		copy_str(np->bootdev, sizeof(np->bootdev), value);
		return 1;
	}
	if (!strcmp(key, "ifname"))
		return parse_ifname(np, value, err, errlen);
	if (!strcmp(key, "net.ifnames"))
		return parse_bool(key, value, &np->ifnames, err, errlen);
	if (!strcmp(key, "net.naming-scheme") || !strcmp(key, "net.naming_scheme")) {
		if (!value || strlen(value) >= sizeof(np->naming_scheme) ||
		    ifnames_scheme(value, &np->naming_flags)) {
			seterr(err, errlen, "%s=%s: expected a systemd naming scheme v247..v260 or latest", key,
			       value ? value : "");
			return -EINVAL;
		}
		copy_str(np->naming_scheme, sizeof(np->naming_scheme), value);
		return 1;
	}
	if (!strcmp(key, "vlan"))
		return parse_vlan(np, value, err, errlen);
	if (!strcmp(key, "bond"))
		return parse_bond(np, value, err, errlen);
	if (!strcmp(key, "bridge") || !strcmp(key, "team")) {
		mark_unsupported(np, key, value ? value : "");
		return 1;
	}
	if (!strcmp(key, "rd.net.dhcp.retry")) {
		if (!value || parse_uint(value, 1, 100, &u)) {
			seterr(err, errlen, "rd.net.dhcp.retry=%s: expected a count 1..100", value ? value : "");
			return -EINVAL;
		}
		np->dhcp_retry = u;
		return 1;
	}
	if (!strncmp(key, "rd.net.timeout.", 15)) {
		for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
			if (!strcmp(key + 15, timeouts[i].name))
				return parse_timeout(key, value,
						     (unsigned *)((char *)&np->timeout + timeouts[i].off),
						     err, errlen);
		seterr(err, errlen, "%s: unknown timeout: expected rd.net.timeout.{iflink,ifup,route,ipv6dad,ipv6auto,carrier,dhcp}",
		       key);
		return -EINVAL;
	}
	return 0;
}

int net_plan_finish(struct net_plan *np, char *err, size_t errlen)
{
	int i, j;

	if (np->unsupported[0]) {
		seterr(err, errlen, "%s: not supported by netinit (expected ip=dhcp, ip=auto6 or a static ip= form)",
		       np->unsupported);
		return -EINVAL;
	}
	for (i = 0; i < np->n_ip; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(np->ip[i].iface, np->ip[j].iface)) {
				if (np->ip[i].iface[0])
					seterr(err, errlen, "ip=: interface %s is configured twice: expected one ip= per interface "
					       "and address family", np->ip[i].iface);
				else
					seterr(err, errlen, "ip=: two ip= entries without an interface: expected at most one");
				return -EINVAL;
			}
	for (i = 0; i < np->n_ifname; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(np->ifname[i].name, np->ifname[j].name) ||
			    !memcmp(np->ifname[i].mac, np->ifname[j].mac, 6)) {
				seterr(err, errlen, "ifname=%s: name or MAC given twice: expected one ifname= per interface",
				       np->ifname[i].name);
				return -EINVAL;
			}
	for (i = 0; i < np->n_vlan; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(np->vlan[i].name, np->vlan[j].name)) {
				seterr(err, errlen, "vlan=%s: VLAN given twice", np->vlan[i].name);
				return -EINVAL;
			}
	for (i = 0; i < np->n_bond; i++)
		for (j = 0; j <= i; j++) {
			if (j < i && !strcmp(np->bond[i].name, np->bond[j].name)) {
				seterr(err, errlen, "bond=%s: bond given twice", np->bond[i].name);
				return -EINVAL;
			}
			for (int a = 0; a < np->bond[i].n_slave; a++)
				for (int b = 0; b < (j < i ? np->bond[j].n_slave : a); b++)
					if (!strcmp(np->bond[i].slave[a], np->bond[j].slave[b])) {
						seterr(err, errlen, "bond=%s: %s is a slave twice", np->bond[i].name,
						       np->bond[i].slave[a]);
						return -EINVAL;
					}
		}
	return 0;
}

bool net_plan_wanted(const struct net_plan *np)
{
	return np->n_ip > 0 || np->neednet;
}

void net_plan_require(struct net_plan *np)
{
	np->neednet = true;
	if (np->n_ip == 0) {
		memset(&np->ip[0], 0, sizeof(np->ip[0]));
		np->ip[0].method = NET_METHOD_DHCP;
		np->n_ip = 1;
	}
}

static const char *ip4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static const char *ip6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static bool any6(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a);
}

static bool plan_has6(const struct net_plan *np)
{
	for (int i = 0; i < np->n_ip; i++)
		if (net_ipconf_has6(&np->ip[i]))
			return true;
	return false;
}

static void mac_str(const uint8_t m[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void print_entry6_human(const struct net_ipconf *c, FILE *out)
{
	static const char *const what[] = {
		[NET_V6_AUTO6] = " (SLAAC; DHCPv6 if the router advertisement sets M or O)",
		[NET_V6_DHCP6] = " (stateful DHCPv6, default route from the router advertisement)",
		[NET_V6_EITHER6] = " (SLAAC, else DHCPv6)",
		[NET_V6_LINK6] = " (link-local only)",
	};
	char b[INET6_ADDRSTRLEN];

	fprintf(out, "  network: %s ipv6 %s", c->iface[0] ? c->iface : "any", net_method6_name(c->method6));
	if (c->method6 == NET_V6_STATIC)
		fprintf(out, " %s/%u", ip6(&c->addr6, b), c->prefix6);
	if (any6(&c->gw6))
		fprintf(out, " gw %s", ip6(&c->gw6, b));
	for (int i = 0; i < c->n_dns6; i++)
		fprintf(out, " dns %s", ip6(&c->dns6[i], b));
	if (c->method6 != NET_V6_STATIC && what[c->method6])
		fputs(what[c->method6], out);
	fputc('\n', out);
}

static void print_entry_human(const struct net_ipconf *c, FILE *out)
{
	char b[INET_ADDRSTRLEN], m[18];

	if (!net_ipconf_has4(c)) {
		print_entry6_human(c, out);
		return;
	}
	fprintf(out, "  network: %s %s", c->iface[0] ? c->iface : "any", c->method == NET_METHOD_DHCP ? "dhcp" : "static");
	if (c->method == NET_METHOD_STATIC)
		fprintf(out, " %s/%u", ip4(c->addr, b), c->prefix);
	else if (c->addr.s_addr)
		fprintf(out, " request %s", ip4(c->addr, b));
	if (c->gw.s_addr)
		fprintf(out, " gw %s", ip4(c->gw, b));
	if (c->hostname[0])
		fprintf(out, " hostname %s", c->hostname);
	if (c->mtu)
		fprintf(out, " mtu %u", c->mtu);
	if (c->has_mac) {
		mac_str(c->mac, m);
		fprintf(out, " mac %s", m);
	}
	for (int i = 0; i < c->n_dns; i++)
		fprintf(out, " dns %s", ip4(c->dns[i], b));
	if (c->ntp.s_addr)
		fprintf(out, " ntp %s", ip4(c->ntp, b));
	if (!c->iface[0] && c->method == NET_METHOD_DHCP)
		fprintf(out, " (all links at once, first lease wins)");
	fputc('\n', out);
	if (net_ipconf_has6(c))
		print_entry6_human(c, out);
}

static void print_entry_json(const struct net_ipconf *c, FILE *out)
{
	char b[INET_ADDRSTRLEN], m[18];

	fprintf(out, "{\"iface\":\"%s\",\"method\":\"%s\"", c->iface[0] ? c->iface : "any",
		net_method_name(c->method));
	if (c->addr.s_addr)
		fprintf(out, ",\"address\":\"%s\"", ip4(c->addr, b));
	if (c->method == NET_METHOD_STATIC)
		fprintf(out, ",\"prefix\":%u", c->prefix);
	if (c->peer.s_addr)
		fprintf(out, ",\"peer\":\"%s\"", ip4(c->peer, b));
	if (c->gw.s_addr)
		fprintf(out, ",\"gateway\":\"%s\"", ip4(c->gw, b));
	if (c->hostname[0])
		fprintf(out, ",\"hostname\":\"%s\"", c->hostname);
	if (c->mtu)
		fprintf(out, ",\"mtu\":%u", c->mtu);
	if (c->has_mac) {
		mac_str(c->mac, m);
		fprintf(out, ",\"mac\":\"%s\"", m);
	}
	if (c->n_dns) {
		fprintf(out, ",\"dns\":[");
		for (int i = 0; i < c->n_dns; i++)
			fprintf(out, "%s\"%s\"", i ? "," : "", ip4(c->dns[i], b));
		fputc(']', out);
	}
	if (c->ntp.s_addr)
		fprintf(out, ",\"ntp\":\"%s\"", ip4(c->ntp, b));
	if (net_ipconf_has6(c)) {
		char b6[INET6_ADDRSTRLEN];

		fprintf(out, ",\"ipv6\":{\"method\":\"%s\"", net_method6_name(c->method6));
		if (c->method6 == NET_V6_STATIC)
			fprintf(out, ",\"address\":\"%s\",\"prefix\":%u", ip6(&c->addr6, b6), c->prefix6);
		if (any6(&c->gw6))
			fprintf(out, ",\"gateway\":\"%s\"", ip6(&c->gw6, b6));
		if (c->n_dns6) {
			fprintf(out, ",\"dns\":[");
			for (int i = 0; i < c->n_dns6; i++)
				fprintf(out, "%s\"%s\"", i ? "," : "", ip6(&c->dns6[i], b6));
			fputc(']', out);
		}
		fputc('}', out);
	}
	fputc('}', out);
}

void net_plan_print(const struct net_plan *np, FILE *out, bool json)
{
	struct net_ipconf any;
	const struct net_ipconf *ip = np->ip;
	int n_ip = np->n_ip, i;
	char b[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], m[18], b6[INET6_ADDRSTRLEN], g6[INET6_ADDRSTRLEN];

	if (!net_plan_wanted(np)) {
		if (json)
			fprintf(out, "{\"wanted\":false}");
		return;
	}
	if (n_ip == 0) {	/* rd.neednet=1 alone means ip=dhcp */
		memset(&any, 0, sizeof(any));
		any.method = NET_METHOD_DHCP;
		ip = &any;
		n_ip = 1;
	}
	if (!json) {
		for (i = 0; i < n_ip; i++)
			print_entry_human(&ip[i], out);
		for (i = 0; i < np->n_nameserver; i++)
			fprintf(out, "  network: nameserver %s\n", ip4(np->nameserver[i], b));
		for (i = 0; i < np->n_nameserver6; i++)
			fprintf(out, "  network: nameserver %s\n", ip6(&np->nameserver6[i], b6));
		if (!np->peerdns)
			fprintf(out, "  network: ignore DHCP DNS servers (rd.peerdns=0)\n");
		for (i = 0; i < np->n_route; i++) {
			const struct net_route *r = &np->route[i];

			if (r->v6)
				fprintf(out, "  network: route %s/%u via %s dev %s\n", ip6(&r->dst6, b6), r->prefix,
					any6(&r->gw6) ? ip6(&r->gw6, g6) : "on-link",
					r->iface[0] ? r->iface : "(boot interface)");
			else
				fprintf(out, "  network: route %s/%u via %s dev %s\n", ip4(r->dst, b), r->prefix,
					r->gw.s_addr ? ip4(r->gw, g) : "on-link", r->iface[0] ? r->iface : "(boot interface)");
		}
		if (np->has_bootif) {
			mac_str(np->bootif, m);
			fprintf(out, "  network: BOOTIF %s%s\n", m, np->use_bootif ? "" : " (ignored: rd.bootif=0)");
		}
		if (np->bootdev[0])
			fprintf(out, "  network: bootdev %s\n", np->bootdev);
		for (i = 0; i < np->n_ifname; i++) {
			mac_str(np->ifname[i].mac, m);
			fprintf(out, "  network: rename %s -> %s\n", m, np->ifname[i].name);
		}
		for (i = 0; i < np->n_vlan; i++)
			fprintf(out, "  network: vlan %s id %u on %s\n", np->vlan[i].name, np->vlan[i].id,
				np->vlan[i].phys);
		if (np->ifnames)
			fprintf(out, "  network: interface names as udev gives them (naming scheme %s)\n",
				np->naming_scheme[0] ? np->naming_scheme : "v257");
		else
			fprintf(out, "  network: kernel interface names (net.ifnames=0)\n");
		for (i = 0; i < np->n_bond; i++) {
			const struct net_bond *bd = &np->bond[i];

			fprintf(out, "  network: bond %s (%s", bd->name, net_bond_mode_name(bd->mode));
			if (bd->has_miimon)
				fprintf(out, ", miimon %u ms", bd->miimon);
			if (bd->has_lacp_rate)
				fprintf(out, ", lacp_rate %s", bond_lacp[bd->lacp_rate]);
			if (bd->has_xmit_hash)
				fprintf(out, ", xmit_hash_policy %s", bond_hashes[bd->xmit_hash]);
			if (bd->primary[0])
				fprintf(out, ", primary %s", bd->primary);
			if (bd->mtu)
				fprintf(out, ", mtu %u", bd->mtu);
			fprintf(out, ") of");
			for (int s = 0; s < bd->n_slave; s++)
				fprintf(out, "%s %s", s ? "," : "", bd->slave[s]);
			fputc('\n', out);
		}
		fprintf(out, "  network: timeouts iflink=%us carrier=%us dhcp=%us x%u",
			np->timeout.iflink, np->timeout.carrier, np->timeout.dhcp, np->dhcp_retry);
		if (plan_has6(np))
			fprintf(out, " ipv6auto=%us ipv6dad=%us%s", np->timeout.ipv6auto, np->timeout.ipv6dad,
				np->timeout.ipv6dad ? "" : " (no DAD)");
		fputc('\n', out);
		return;
	}
	fprintf(out, "{\"wanted\":true,\"neednet\":%s,\"interfaces\":[", np->neednet ? "true" : "false");
	for (i = 0; i < n_ip; i++) {
		if (i)
			fputc(',', out);
		print_entry_json(&ip[i], out);
	}
	fprintf(out, "],\"nameservers\":[");
	for (i = 0; i < np->n_nameserver; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", ip4(np->nameserver[i], b));
	for (i = 0; i < np->n_nameserver6; i++)
		fprintf(out, "%s\"%s\"", i || np->n_nameserver ? "," : "", ip6(&np->nameserver6[i], b6));
	fprintf(out, "],\"peerdns\":%s,\"routes\":[", np->peerdns ? "true" : "false");
	for (i = 0; i < np->n_route; i++) {
		const struct net_route *r = &np->route[i];

		fprintf(out, "%s{\"dst\":\"%s/%u\"", i ? "," : "", r->v6 ? ip6(&r->dst6, b6) : ip4(r->dst, b), r->prefix);
		if (r->v6 ? any6(&r->gw6) : r->gw.s_addr != 0)
			fprintf(out, ",\"gateway\":\"%s\"", r->v6 ? ip6(&r->gw6, b6) : ip4(r->gw, b));
		if (np->route[i].iface[0])
			fprintf(out, ",\"iface\":\"%s\"", np->route[i].iface);
		fputc('}', out);
	}
	fputc(']', out);
	if (np->has_bootif) {
		mac_str(np->bootif, m);
		fprintf(out, ",\"bootif\":\"%s\",\"use_bootif\":%s", m, np->use_bootif ? "true" : "false");
	}
	if (np->bootdev[0])
		fprintf(out, ",\"bootdev\":\"%s\"", np->bootdev);
	if (np->n_ifname) {
		fprintf(out, ",\"ifname\":[");
		for (i = 0; i < np->n_ifname; i++) {
			mac_str(np->ifname[i].mac, m);
			fprintf(out, "%s{\"name\":\"%s\",\"mac\":\"%s\"}", i ? "," : "", np->ifname[i].name, m);
		}
		fputc(']', out);
	}
	if (np->n_bond) {
		fprintf(out, ",\"bond\":[");
		for (i = 0; i < np->n_bond; i++) {
			fprintf(out, "%s{\"name\":\"%s\",\"mode\":\"%s\",\"slaves\":[", i ? "," : "", np->bond[i].name,
				net_bond_mode_name(np->bond[i].mode));
			for (int s2 = 0; s2 < np->bond[i].n_slave; s2++)
				fprintf(out, "%s\"%s\"", s2 ? "," : "", np->bond[i].slave[s2]);
			fprintf(out, "]}");
		}
		fputc(']', out);
	}
	if (np->n_vlan) {
		fprintf(out, ",\"vlan\":[");
		for (i = 0; i < np->n_vlan; i++)
			fprintf(out, "%s{\"name\":\"%s\",\"phys\":\"%s\",\"id\":%u}", i ? "," : "",
				np->vlan[i].name, np->vlan[i].phys, np->vlan[i].id);
		fputc(']', out);
	}
	fprintf(out, ",\"ifnames\":%s,\"naming_scheme\":\"%s\"", np->ifnames ? "true" : "false",
		np->naming_scheme[0] ? np->naming_scheme : "v257");
	fprintf(out, ",\"timeouts\":{\"iflink\":%u,\"ifup\":%u,\"route\":%u,\"carrier\":%u,\"dhcp\":%u,"
		"\"ipv6dad\":%u,\"ipv6auto\":%u},\"dhcp_retry\":%u}",
		np->timeout.iflink, np->timeout.ifup, np->timeout.route, np->timeout.carrier,
		np->timeout.dhcp, np->timeout.ipv6dad, np->timeout.ipv6auto, np->dhcp_retry);
}
