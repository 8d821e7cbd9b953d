/* Unit tests: net/ipconf.c, the ip= grammar and every network key of the
 * command line. Accepted rows check one field each; refused rows check the
 * return code and a piece of the one-line error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/ipconf.h"

/* Feed "key=value key2 ..." (space separated, no quoting) to a fresh plan. */
static int feed(struct net_plan *np, const char *line, char *err, size_t errlen, bool finish)
{
	char buf[1024], *save = NULL, *tok;
	int rc = 0;

	net_plan_init(np);
	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq++ = '\0';
		rc = net_plan_arg(np, tok, eq, err, errlen);
		if (rc < 0)
			return rc;
	}
	return finish ? net_plan_finish(np, err, errlen) : 0;
}

static const char *ip6(const struct in6_addr *a)
{
	static char b[4][INET6_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	return inet_ntop(AF_INET6, a, b[k], sizeof(b[k]));
}

static const char *ip4(struct in_addr a)
{
	static char b[4][INET_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	return inet_ntop(AF_INET, &a, b[k], sizeof(b[k]));
}

/* One field of the plan as text, by name. */
static void field(const struct net_plan *np, const char *f, char *out, size_t len)
{
	const struct net_ipconf *c = &np->ip[0];
	int idx = 0;

	if (f[0] >= '0' && f[0] <= '9' && f[1] == ':') {	/* "1:iface" = ip[1] */
		idx = f[0] - '0';
		c = &np->ip[idx];
		f += 2;
	}
	if (!strcmp(f, "n_ip")) snprintf(out, len, "%u", np->n_ip);
	else if (!strcmp(f, "iface")) snprintf(out, len, "%s", c->iface);
	else if (!strcmp(f, "method")) snprintf(out, len, "%s", c->method == NET_METHOD_DHCP ? "dhcp" : "static");
	else if (!strcmp(f, "family")) snprintf(out, len, "%s/%s", net_method_name(c->method), net_method6_name(c->method6));
	else if (!strcmp(f, "v6")) snprintf(out, len, "%s %s/%u gw %s", net_method6_name(c->method6), ip6(&c->addr6),
					     c->prefix6, ip6(&c->gw6));
	else if (!strcmp(f, "dns6")) snprintf(out, len, "%u:%s,%s", c->n_dns6, ip6(&c->dns6[0]), ip6(&c->dns6[1]));
	else if (!strcmp(f, "nameservers6")) snprintf(out, len, "%u:%s,%s", np->n_nameserver6, ip6(&np->nameserver6[0]),
						       ip6(&np->nameserver6[1]));
	else if (!strcmp(f, "route6")) snprintf(out, len, "%u:%d %s/%u via %s dev %s", np->n_route, np->route[0].v6,
						 ip6(&np->route[0].dst6), np->route[0].prefix, ip6(&np->route[0].gw6),
						 np->route[0].iface);
	else if (!strcmp(f, "addr")) snprintf(out, len, "%s", ip4(c->addr));
	else if (!strcmp(f, "peer")) snprintf(out, len, "%s", ip4(c->peer));
	else if (!strcmp(f, "gw")) snprintf(out, len, "%s", ip4(c->gw));
	else if (!strcmp(f, "prefix")) snprintf(out, len, "%u", c->prefix);
	else if (!strcmp(f, "hostname")) snprintf(out, len, "%s", c->hostname);
	else if (!strcmp(f, "mtu")) snprintf(out, len, "%u", c->mtu);
	else if (!strcmp(f, "mac")) snprintf(out, len, c->has_mac ? "%02x:%02x:%02x:%02x:%02x:%02x" : "none",
					      c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	else if (!strcmp(f, "dns")) snprintf(out, len, "%u:%s,%s", c->n_dns, ip4(c->dns[0]), ip4(c->dns[1]));
	else if (!strcmp(f, "ntp")) snprintf(out, len, "%s", ip4(c->ntp));
	else if (!strcmp(f, "nameservers")) snprintf(out, len, "%u:%s,%s", np->n_nameserver, ip4(np->nameserver[0]), ip4(np->nameserver[1]));
	else if (!strcmp(f, "peerdns")) snprintf(out, len, "%d", np->peerdns);
	else if (!strcmp(f, "neednet")) snprintf(out, len, "%d", np->neednet);
	else if (!strcmp(f, "wanted")) snprintf(out, len, "%d", net_plan_wanted(np));
	else if (!strcmp(f, "route")) snprintf(out, len, "%u:%s/%u via %s dev %s", np->n_route, ip4(np->route[0].dst),
					        np->route[0].prefix, ip4(np->route[0].gw), np->route[0].iface);
	else if (!strcmp(f, "bootif")) snprintf(out, len, np->has_bootif ? "%02x:%02x:%02x:%02x:%02x:%02x use=%d" : "none use=%d",
					         np->bootif[0], np->bootif[1], np->bootif[2], np->bootif[3], np->bootif[4], np->bootif[5], np->use_bootif);
	else if (!strcmp(f, "bootdev")) snprintf(out, len, "%s", np->bootdev);
	else if (!strcmp(f, "ifname")) snprintf(out, len, "%u:%s=%02x:..:%02x", np->n_ifname, np->ifname[0].name,
					         np->ifname[0].mac[0], np->ifname[0].mac[5]);
	else if (!strcmp(f, "vlan")) snprintf(out, len, "%u:%s@%s#%u", np->n_vlan, np->vlan[0].name, np->vlan[0].phys, np->vlan[0].id);
	else if (!strcmp(f, "bond")) {
		size_t o = 0;

		for (unsigned i = 0; i < np->n_bond; i++) {
			const struct net_bond *b = &np->bond[i];

			o += (size_t)snprintf(out + o, len - o, "%s%s=%s[", i ? " " : "", b->name, net_bond_mode_name(b->mode));
			for (unsigned s = 0; s < b->n_slave; s++)
				o += (size_t)snprintf(out + o, len - o, "%s%s", s ? "," : "", b->slave[s]);
			o += (size_t)snprintf(out + o, len - o, "]");
			if (b->has_miimon) o += (size_t)snprintf(out + o, len - o, " miimon=%u", b->miimon);
			if (b->has_updelay) o += (size_t)snprintf(out + o, len - o, " updelay=%u", b->updelay);
			if (b->has_lacp_rate) o += (size_t)snprintf(out + o, len - o, " lacp=%u", b->lacp_rate);
			if (b->has_xmit_hash) o += (size_t)snprintf(out + o, len - o, " hash=%u", b->xmit_hash);
			if (b->has_ad_select) o += (size_t)snprintf(out + o, len - o, " adsel=%u", b->ad_select);
			if (b->has_min_links) o += (size_t)snprintf(out + o, len - o, " min=%u", b->min_links);
			if (b->primary[0]) o += (size_t)snprintf(out + o, len - o, " primary=%s", b->primary);
			if (b->mtu) o += (size_t)snprintf(out + o, len - o, " mtu=%u", b->mtu);
		}
	}
	else if (!strcmp(f, "timeouts")) snprintf(out, len, "%u,%u,%u,%u,%u,%u,%u", np->timeout.iflink, np->timeout.ifup,
					           np->timeout.route, np->timeout.ipv6dad, np->timeout.ipv6auto,
					           np->timeout.carrier, np->timeout.dhcp);
	else if (!strcmp(f, "retry")) snprintf(out, len, "%u", np->dhcp_retry);
	else if (!strcmp(f, "ifnames")) snprintf(out, len, "%d %s %#x", np->ifnames, np->naming_scheme, np->naming_flags);
	else snprintf(out, len, "?field %s", f);
}

/* ---- accepted ---- */
struct ok_row {
	int at;
	const char *line, *field, *want;
};
#define OK(l, f, w) { __LINE__, l, f, w }
static const struct ok_row ok_rows[] = {
	/* bare methods */
	OK("ip=dhcp", "method", "dhcp"),
	OK("ip=dhcp", "iface", ""),
	OK("ip=on", "method", "dhcp"),
	OK("ip=any", "method", "dhcp"),
	OK("ip=single-dhcp", "method", "dhcp"),
	OK("ip=off", "n_ip", "0"),		/* kernel: no autoconfiguration */
	OK("ip=none", "wanted", "0"),
	/* <iface>:dhcp[:<mtu>[:<mac>]] */
	OK("ip=eth0:dhcp", "iface", "eth0"),
	OK("ip=eth0:dhcp", "method", "dhcp"),
	OK("ip=eth0:on", "method", "dhcp"),
	OK("ip=enp1s0:any", "iface", "enp1s0"),
	OK("ip=eth0:dhcp:9000", "mtu", "9000"),
	OK("ip=eth0:dhcp:", "mtu", "0"),
	OK("ip=eth0:dhcp:1500:52:54:00:12:34:56", "mac", "52:54:00:12:34:56"),
	OK("ip=eth0:dhcp::52:54:00:AB:cd:EF", "mac", "52:54:00:ab:cd:ef"),
	OK("ip=eth0:dhcp::52:54:00:AB:cd:EF", "mtu", "0"),
	/* static, dracut */
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:none", "method", "static"),
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:none", "addr", "192.168.1.10"),
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:none", "gw", "192.168.1.1"),
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:none", "prefix", "24"),
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:none", "hostname", "host1"),
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:none", "iface", "eth0"),
	OK("ip=192.168.1.10::192.168.1.1:255.255.255.0:host1:eth0:off", "method", "static"),
	OK("ip=10.0.0.2::10.0.0.1:16::eth0:none", "prefix", "16"),		/* prefix length as netmask */
	OK("ip=10.0.0.2::10.0.0.1:255.255.255.252::eth0:none", "prefix", "30"),
	OK("ip=10.0.0.2:10.0.0.9:10.0.0.1:255.0.0.0::eth0:none", "peer", "10.0.0.9"),
	OK("ip=10.0.0.2:::255.0.0.0::eth0:none", "gw", "0.0.0.0"),
	OK("ip=10.0.0.2::10.0.0.1:255.0.0.0::eth0:none:9000", "mtu", "9000"),
	OK("ip=10.0.0.2::10.0.0.1:255.0.0.0::eth0:none:9000:52:54:00:12:34:56", "mac", "52:54:00:12:34:56"),
	OK("ip=10.0.0.2::10.0.0.1:255.0.0.0::eth0:none::52:54:00:12:34:56", "mac", "52:54:00:12:34:56"),
	OK("ip=10.0.0.2::10.0.0.1:255.0.0.0::eth0:none:1.1.1.1", "dns", "1:1.1.1.1,0.0.0.0"),
	OK("ip=10.0.0.2::10.0.0.1:255.0.0.0::eth0:none:1.1.1.1:8.8.8.8", "dns", "2:1.1.1.1,8.8.8.8"),
	OK("ip=10.0.0.2::10.0.0.1:255.0.0.0::eth0:none::8.8.8.8", "dns", "1:8.8.8.8,0.0.0.0"),
	/* the kernel's 10-field form */
	OK("ip=10.0.0.2:10.0.0.3:10.0.0.1:255.255.255.0:k:eth0:off:10.0.0.53:10.0.0.54:10.0.0.123", "dns", "2:10.0.0.53,10.0.0.54"),
	OK("ip=10.0.0.2:10.0.0.3:10.0.0.1:255.255.255.0:k:eth0:off:10.0.0.53:10.0.0.54:10.0.0.123", "ntp", "10.0.0.123"),
	OK("ip=10.0.0.2::10.0.0.1:255.255.255.0:::off:::10.0.0.123", "ntp", "10.0.0.123"),
	OK("ip=10.0.0.2::10.0.0.1:255.255.255.0", "method", "static"),	/* kernel: fields may stop early */
	OK("ip=10.0.0.2::10.0.0.1:255.255.255.0", "iface", ""),
	OK("ip=::::myhost:eth0:dhcp", "method", "dhcp"),
	OK("ip=::::myhost:eth0:dhcp", "hostname", "myhost"),
	OK("ip=10.0.0.7::::myhost:eth0:dhcp", "addr", "10.0.0.7"),		/* ask for it (INIT-REBOOT) */
	/* several ip= */
	OK("ip=eth0:dhcp ip=10.0.0.2::10.0.0.1:24::eth1:none", "n_ip", "2"),
	OK("ip=eth0:dhcp ip=10.0.0.2::10.0.0.1:24::eth1:none", "1:iface", "eth1"),
	OK("ip=eth0:dhcp ip=10.0.0.2::10.0.0.1:24::eth1:none", "0:iface", "eth0"),
	/* the other keys */
	OK("nameserver=1.1.1.1 nameserver=9.9.9.9", "nameservers", "2:1.1.1.1,9.9.9.9"),
	OK("rd.peerdns=0", "peerdns", "0"),
	OK("", "peerdns", "1"),
	OK("rd.neednet", "neednet", "1"),
	OK("rd.neednet=1", "wanted", "1"),
	OK("rd.neednet=0", "wanted", "0"),
	OK("", "wanted", "0"),
	OK("rd.route=10.20.0.0/16:10.0.0.254", "route", "1:10.20.0.0/16 via 10.0.0.254 dev "),
	OK("rd.route=10.20.0.0/16:10.0.0.254:eth1", "route", "1:10.20.0.0/16 via 10.0.0.254 dev eth1"),
	OK("rd.route=10.20.0.0/255.255.0.0:10.0.0.254", "route", "1:10.20.0.0/16 via 10.0.0.254 dev "),
	OK("rd.route=10.20.0.0/16::eth1", "route", "1:10.20.0.0/16 via 0.0.0.0 dev eth1"),
	OK("BOOTIF=01-52-54-00-12-34-56", "bootif", "52:54:00:12:34:56 use=1"),
	OK("BOOTIF=52:54:00:12:34:56", "bootif", "52:54:00:12:34:56 use=1"),
	OK("BOOTIF=01-52-54-00-12-34-56 rd.bootif=0", "bootif", "52:54:00:12:34:56 use=0"),
	OK("bootdev=eth1", "bootdev", "eth1"),
	OK("ifname=boot0:52:54:00:12:34:56", "ifname", "1:boot0=52:..:56"),
	OK("vlan=vlan0005:eth0", "vlan", "1:vlan0005@eth0#5"),
	/* bond= (dracut): <name>[:<slaves>[:<options>[:<mtu>]]]; bare bond is bond0:eth0,eth1:mode=balance-rr */
	OK("bond", "bond", "bond0=balance-rr[eth0,eth1]"),
	OK("bond=bond1", "bond", "bond1=balance-rr[eth0,eth1]"),
	OK("bond=bond0:ens3,ens4", "bond", "bond0=balance-rr[ens3,ens4]"),
	OK("bond=bond0:eth0,eth1:mode=802.3ad,miimon=100,lacp_rate=fast,xmit_hash_policy=layer3+4:9000", "bond",
	   "bond0=802.3ad[eth0,eth1] miimon=100 lacp=1 hash=1 mtu=9000"),
	OK("bond=bond0:eth0,eth1:mode=4,lacp_rate=1,xmit_hash_policy=2,ad_select=count,min_links=1", "bond",
	   "bond0=802.3ad[eth0,eth1] lacp=1 hash=2 adsel=2 min=1"),
	OK("bond=bond0:eth0,eth1:mode=active-backup,primary=eth1,updelay=200", "bond",
	   "bond0=active-backup[eth0,eth1] updelay=200 primary=eth1"),
	OK("bond=b0:eth0,eth1 bond=b1:eth2,eth3:mode=balance-alb", "bond", "b0=balance-rr[eth0,eth1] b1=balance-alb[eth2,eth3]"),
	OK("vlan=vlan5:eth0", "vlan", "1:vlan5@eth0#5"),
	OK("vlan=eth0.0005:eth0", "vlan", "1:eth0.0005@eth0#5"),
	OK("vlan=eth0.100:eth0", "vlan", "1:eth0.100@eth0#100"),
	OK("", "timeouts", "60,20,20,50,40,10,30"),
	OK("rd.net.timeout.carrier=3 rd.net.timeout.dhcp=7 rd.net.timeout.iflink=9", "timeouts", "9,20,20,50,40,3,7"),
	OK("rd.net.timeout.ifup=1 rd.net.timeout.route=2 rd.net.timeout.ipv6dad=3 rd.net.timeout.ipv6auto=4", "timeouts", "60,1,2,3,4,10,30"),
	OK("rd.net.dhcp.retry=3", "retry", "3"),
	OK("", "ifnames", "1  0xe"),
	/* IPv6: bare methods, <iface>:<method>, dracut's comma lists */
	OK("ip=dhcp6", "family", "none/dhcp6"),
	OK("ip=auto6", "family", "none/auto6"),
	OK("ip=either6", "family", "none/either6"),
	OK("ip=link6", "family", "none/link6"),
	OK("ip=dhcp,dhcp6", "family", "dhcp/dhcp6"),
	OK("ip=auto6,dhcp", "family", "dhcp/auto6"),
	OK("ip=eth0:auto6", "family", "none/auto6"),
	OK("ip=eth0:auto6", "iface", "eth0"),
	OK("ip=eth0:dhcp6:1500", "mtu", "1500"),
	OK("ip=eth0:dhcp,auto6:1400:52:54:00:12:34:56", "mac", "52:54:00:12:34:56"),
	OK("ip=eth0:dhcp,auto6", "family", "dhcp/auto6"),
	/* static IPv6, the positional form with [ ] */
	OK("ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none", "v6", "static 2001:db8::2/64 gw 2001:db8::1"),
	OK("ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none", "family", "none/static"),
	OK("ip=[2001:db8::2]::[2001:db8::1]:64:h6:eth0:off:1280", "mtu", "1280"),
	OK("ip=[2001:db8::2]::[2001:db8::1]:64:h6:eth0:none:1280", "hostname", "h6"),
	OK("ip=[2001:db8::2]:::64::eth0:none:1280:52:54:00:12:34:56", "mac", "52:54:00:12:34:56"),
	OK("ip=[2001:db8::2]::[fe80::1]:128::eth0:none", "v6", "static 2001:db8::2/128 gw fe80::1"),
	OK("ip=[2001:db8::2]:::64::eth0:none:[2001:db8::53]:[2001:db8::54]", "dns6", "2:2001:db8::53,2001:db8::54"),
	OK("ip=[2001:db8::2]:::64::eth0:none:[2001:db8::53]:10.0.0.53", "dns", "1:10.0.0.53,0.0.0.0"),
	OK("ip=[2001:db8::2]:::64::eth0", "family", "none/static"),		/* no method: static */
	OK("ip=[2001:db8::2]:::64::eth0:none,dhcp", "family", "dhcp/static"),
	OK("ip=10.0.0.2::10.0.0.1:24::eth0:none,auto6", "family", "static/auto6"),
	OK("ip=:::::eth0:dhcp,dhcp6", "family", "dhcp/dhcp6"),
	OK("ip=:::::eth0:auto6:[2001:db8::53]", "dns6", "1:2001:db8::53,::"),
	/* two ip= lines, one interface, both families (dracut#408) */
	OK("ip=10.0.0.2::10.0.0.1:24::eth0:none ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none", "family", "static/static"),
	OK("ip=10.0.0.2::10.0.0.1:24::eth0:none ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none", "n_ip", "1"),
	OK("ip=10.0.0.2::10.0.0.1:24::eth0:none ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none", "gw", "10.0.0.1"),
	OK("ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none ip=10.0.0.2::10.0.0.1:24::eth0:none", "v6", "static 2001:db8::2/64 gw 2001:db8::1"),
	OK("ip=eth0:dhcp ip=eth0:auto6", "family", "dhcp/auto6"),
	OK("ip=dhcp ip=auto6", "family", "dhcp/auto6"),
	OK("ip=eth0:auto6 ip=eth1:dhcp", "1:family", "dhcp/"),
	OK("ip=eth0:dhcp:1400 ip=eth0:auto6:1400", "mtu", "1400"),
	/* nameserver= and rd.route= with IPv6 */
	OK("nameserver=[2001:db8::53]", "nameservers6", "1:2001:db8::53,::"),
	OK("nameserver=2001:db8::53 nameserver=[2001:db8::54] nameserver=10.0.0.1", "nameservers6", "2:2001:db8::53,2001:db8::54"),
	OK("nameserver=2001:db8::53 nameserver=10.0.0.1", "nameservers", "1:10.0.0.1,0.0.0.0"),
	OK("rd.route=[2001:db8:3::/48]:[2001:db8::1]:ens10", "route6", "1:1 2001:db8:3::/48 via 2001:db8::1 dev ens10"),
	OK("rd.route=[2001:db8:3::]/48:[2001:db8::1]", "route6", "1:1 2001:db8:3::/48 via 2001:db8::1 dev "),
	OK("rd.route=[2001:db8:3::/48]::eth0", "route6", "1:1 2001:db8:3::/48 via :: dev eth0"),
	OK("rd.route=[::/0]:[fe80::1]", "route6", "1:1 ::/0 via fe80::1 dev "),
	OK("net.ifnames=0", "ifnames", "0  0xe"),
	OK("net.naming-scheme=v252", "ifnames", "1 v252 0x1"),
	OK("net.naming_scheme=v257 net.ifnames=1", "ifnames", "1 v257 0xe"),
};

static void check_ok(const struct ok_row *r, const char *file)
{
	struct net_plan np;
	char err[256] = "", got[256];
	int rc = feed(&np, r->line, err, sizeof(err), true);

	if (rc != 0) {
		print_error("%s:%d: '%s' refused: %s\n", file, r->at, r->line, err);
		_fail(file, r->at);
	}
	field(&np, r->field, got, sizeof(got));
	if (strcmp(got, r->want)) {
		print_error("%s:%d: '%s': %s is '%s', want '%s'\n", file, r->at, r->line, r->field, got, r->want);
		_fail(file, r->at);
	}
}

static void test_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ok_rows) / sizeof(ok_rows[0]); i++)
		check_ok(&ok_rows[i], __FILE__);
}

/* ---- refused ---- */
struct bad_row {
	int at;
	const char *line;
	int rc;
	const char *msg;	/* a piece of the error line */
};
#define BAD(l, rc, m) { __LINE__, l, rc, m }
static const struct bad_row bad_rows[] = {
	BAD("ip=", -EINVAL, "ip: empty value"),
	BAD("ip", -EINVAL, "ip: empty value"),
	BAD("ip=dhcpx", -EINVAL, "ip=dhcpx: unknown method"),
	BAD("ip=eth0:none", -EINVAL, "needs an address and a netmask"),
	BAD("ip=eth0:dhcp:70000", -EINVAL, "bad MTU '70000'"),
	BAD("ip=eth0:dhcp:12", -EINVAL, "bad MTU '12'"),
	BAD("ip=eth0:dhcp:1500:52:54:00", -EINVAL, "wrong number of fields"),
	BAD("ip=eth0:dhcp:1500:zz:54:00:12:34:56", -EINVAL, "bad MAC address"),
	BAD("ip=this-name-is-far-too-long0:dhcp", -EINVAL, "bad interface name"),
	BAD("ip=300.1.1.1::1.1.1.1:24::eth0:none", -EINVAL, "bad client address '300.1.1.1'"),
	BAD("ip=1.2.3::1.1.1.1:24::eth0:none", -EINVAL, "bad client address"),
	BAD("ip=1.2.3.4::1.1.1:24::eth0:none", -EINVAL, "bad gateway"),
	BAD("ip=1.2.3.4:x:1.1.1.1:24::eth0:none", -EINVAL, "bad peer address"),
	BAD("ip=1.2.3.4::1.1.1.1:255.0.255.0::eth0:none", -EINVAL, "bad netmask '255.0.255.0'"),
	BAD("ip=1.2.3.4::1.1.1.1:33::eth0:none", -EINVAL, "bad netmask '33'"),
	BAD("ip=1.2.3.4::1.1.1.1:24:bad!host:eth0:none", -EINVAL, "bad host name"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth/0:none", -EINVAL, "bad interface name"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth0:static", -EINVAL, "unknown method 'static'"),
	BAD("ip=1.2.3.4::1.1.1.1:::eth0:none", -EINVAL, "needs both <client> and <netmask>"),
	BAD("ip=::1.1.1.1:24::eth0:none", -EINVAL, "needs both <client> and <netmask>"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth0:none:1.1.1.1:2.2.2.2:3.3.3.3:4.4.4.4", -EINVAL, "too many fields"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth0:none:1.1.1.x", -EINVAL, "bad DNS server"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth0:none:1.1.1.1:2.2.2.2:ntp", -EINVAL, "bad NTP server"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth0:none:1500:aa", -EINVAL, "unexpected fields after the MTU"),
	BAD("ip=1.2.3.4::1.1.1.1:24::eth0:none:1500:aa:bb:cc:dd:ee:gg", -EINVAL, "bad MAC address"),
	BAD("ip=[2001:db8::1", -EINVAL, "unbalanced"),
	BAD("ip=a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q", -EINVAL, "too many"),
	BAD("ip=eth0:dhcp ip=eth1:dhcp ip=eth2:dhcp ip=eth3:dhcp ip=eth4:dhcp", -E2BIG, "at most 4"),
	BAD("nameserver=", -EINVAL, "nameserver=: expected an IPv4 address"),
	BAD("nameserver=dns.example", -EINVAL, "nameserver=dns.example"),
	BAD("nameserver=1.1.1.1 nameserver=1.1.1.2 nameserver=1.1.1.3 nameserver=1.1.1.4 nameserver=1.1.1.5", -E2BIG, "at most 4"),
	BAD("rd.peerdns=maybe", -EINVAL, "rd.peerdns=maybe: expected 0 or 1"),
	BAD("rd.neednet=2", -EINVAL, "rd.neednet=2"),
	BAD("rd.route=10.0.0.0:1.1.1.1", -EINVAL, "missing /<prefix>"),
	BAD("rd.route=10.0.0.0/40:1.1.1.1", -EINVAL, "bad network"),
	BAD("rd.route=10.0.0.0/8:1.1.1", -EINVAL, "bad gateway"),
	BAD("rd.route=10.0.0.0/8:1.1.1.1:e/x", -EINVAL, "bad interface"),
	BAD("rd.route=", -EINVAL, "rd.route: empty value"),
	BAD("BOOTIF=01-52-54-00-12-34", -EINVAL, "BOOTIF=01-52-54-00-12-34: expected 01-aa-bb-cc-dd-ee-ff"),
	BAD("BOOTIF", -EINVAL, "BOOTIF=: expected"),
	BAD("BOOTIF=01:00:5e:00:00:01", -EINVAL, "BOOTIF=01:00:5e:00:00:01: expected"),	/* multicast */
	BAD("bootdev=", -EINVAL, "bootdev=: expected an interface name"),
	BAD("net.naming-scheme=v200", -EINVAL, "net.naming-scheme=v200: expected a systemd naming scheme"),
	BAD("net.ifnames=2", -EINVAL, "net.ifnames=2: expected 0 or 1"),
	BAD("ifname=boot0", -EINVAL, "expected <name>:<mac>"),
	BAD("ifname=boot0:52:54:00", -EINVAL, "expected <name>:aa:bb:cc:dd:ee:ff"),
	BAD("vlan=eth0", -EINVAL, "expected <name>:<phys>"),
	BAD("vlan=foo:eth0", -EINVAL, "no VLAN id"),
	BAD("vlan=vlan5000:eth0", -EINVAL, "no VLAN id 1..4094"),
	BAD("rd.net.timeout.carrier=x", -EINVAL, "expected seconds"),
	BAD("rd.net.timeout.bogus=1", -EINVAL, "unknown timeout"),
	BAD("rd.net.dhcp.retry=0", -EINVAL, "expected a count 1..100"),
	/* cross-checks in net_plan_finish */
	BAD("ip=eth0:dhcp ip=eth0:dhcp", -EINVAL, "interface eth0 is configured twice"),
	BAD("ip=dhcp ip=on", -EINVAL, "two ip= entries without an interface"),
	BAD("ifname=a:52:54:00:12:34:56 ifname=b:52:54:00:12:34:56", -EINVAL, "given twice"),
	BAD("vlan=vlan5:eth0 vlan=vlan5:eth1", -EINVAL, "VLAN given twice"),
	/* IPv6: what dracut refuses, with its reason */
	BAD("ip=dhcp6,auto6", -EINVAL, "names an address family twice"),
	BAD("ip=dhcp,on", -EINVAL, "names an address family twice"),
	BAD("ip=none,auto6", -EINVAL, "without static configuration does not make sense"),
	BAD("ip=auto7", -EINVAL, "ip=auto7: unknown method"),
	BAD("ip=dhcp,", -EINVAL, "unknown method"),
	BAD("ip=eth0:auto6,auto6", -EINVAL, "names a family twice"),
	BAD("ip=eth0:dhcp,bogus", -EINVAL, "unknown"),
	BAD("ip=eth0:none,auto6", -EINVAL, "needs an address and a netmask"),
	BAD("ip=10.0.0.2::10.0.0.1:24::eth0:dhcp6", -EINVAL, "setting client-ip does not make sense for 'dhcp6'"),
	BAD("ip=[2001:db8::2]::[2001:db8::1]:64::eth0:auto6", -EINVAL, "setting client-ip does not make sense for 'auto6'"),
	BAD("ip=[2001:db8::2]::[2001:db8::1]:64::eth0:dhcp", -EINVAL, "setting client-ip does not make sense for 'dhcp'"),
	BAD("ip=[2001:db8::2]::[2001:db8::1]:64::eth0:none,dhcp6", -EINVAL, "setting client-ip does not make sense for 'dhcp6'"),
	BAD("ip=[2001:db8::2]::[2001:db8::1]:::eth0:none", -EINVAL, "needs both <client> and <netmask>"),
	BAD("ip=[2001:db8::2]::[2001:db8::1]:129::eth0:none", -EINVAL, "bad prefix length '129'"),
	BAD("ip=[2001:db8::2]::[2001:db8::1]:ffff::::eth0:none", -EINVAL, "bad"),
	BAD("ip=[2001:db8::zz]::[2001:db8::1]:64::eth0:none", -EINVAL, "bad client address '[2001:db8::zz]'"),
	BAD("ip=[10.0.0.1]::[2001:db8::1]:64::eth0:none", -EINVAL, "bad client address"),
	BAD("ip=[2001:db8::2]::[2001:db8::g]:64::eth0:none", -EINVAL, "bad gateway"),
	BAD("ip=[2001:db8::2]::10.0.0.1:64::eth0:none", -EINVAL, "not of the client address's family"),
	BAD("ip=10.0.0.2::[2001:db8::1]:24::eth0:none", -EINVAL, "not of the client address's family"),
	BAD("ip=[2001:db8::2]:[x]:[2001:db8::1]:64::eth0:none", -EINVAL, "bad peer address"),
	BAD("ip=[2001:db8::2]:::64::eth0:none:[2001:db8::5x]", -EINVAL, "bad DNS server '[2001:db8::5x]'"),
	BAD("ip=:::::eth0:dhcp:[2001:db8::53]:[2001:db8::54]:[2001:db8::55]", -EINVAL, "bad NTP server"),
	BAD("ip=::[2001:db8::1]:::eth0:dhcp", -EINVAL, "IPv6 gateway '[2001:db8::1]' without an IPv6 method"),
	BAD("ip=::10.0.0.1:::eth0:auto6", -EINVAL, "IPv4 gateway '10.0.0.1' without an IPv4 method"),
	BAD("ip=eth0:auto6 ip=eth0:dhcp6", -EINVAL, "interface eth0 is configured twice"),
	BAD("ip=[2001:db8::2]:::64::eth0:none ip=eth0:auto6", -EINVAL, "interface eth0 is configured twice"),
	BAD("ip=auto6 ip=dhcp6", -EINVAL, "two ip= entries without an interface"),
	BAD("ip=eth0:dhcp:1400 ip=eth0:auto6:1500", -EINVAL, "MTU, MAC or host name differs"),
	BAD("nameserver=[2001:db8::zz]", -EINVAL, "nameserver=[2001:db8::zz]: expected an IPv6 address"),
	BAD("nameserver=[2001:db8::53", -EINVAL, "expected an IPv6 address"),
	BAD("nameserver=[10.0.0.1]", -EINVAL, "expected an IPv6 address"),
	BAD("nameserver=fe80::1%eth0", -EINVAL, "expected an IPv6 address"),
	BAD("rd.route=[2001:db8::]/129:[2001:db8::1]", -EINVAL, "bad network"),
	BAD("rd.route=[2001:db8::]:[2001:db8::1]", -EINVAL, "bad network"),
	BAD("rd.route=[2001:db8::]x/32:[2001:db8::1]", -EINVAL, "bad network"),
	BAD("rd.route=[2001:db8::/32]:10.0.0.1", -EINVAL, "bad gateway '10.0.0.1': expected [<v6>] for an IPv6 route"),
	BAD("rd.route=10.0.0.0/8:[2001:db8::1]", -EINVAL, "bad gateway '[2001:db8::1]': expected a dotted quad"),
	BAD("rd.route=[2001:db8::/32]:[2001:db8::1]:e/x", -EINVAL, "bad interface"),
	/* forms netinit does not do */
	BAD("ip=ibft", -EINVAL, "ip=ibft: not supported"),
	BAD("ip=bootp", -EINVAL, "ip=bootp: not supported"),
	BAD("ip=10.0.0.2::10.0.0.1:24::eth0:rarp", -EINVAL, "not supported"),
	BAD("bond=bond0:eth0:arp_interval=100,arp_ip_target=10.0.0.1", -EINVAL, "bonding option 'arp_interval' is not supported"),
	BAD("bond=bond0:eth0:mode=lacp", -EINVAL, "bad bonding option 'mode=lacp'"),
	BAD("bond=bond0:eth0:mode=7", -EINVAL, "bad bonding option 'mode=7'"),
	BAD("bond=bond0:eth0:miimon=", -EINVAL, "bad bonding option 'miimon='"),
	BAD("bond=bond0:eth0:mode=1,primary=eth9", -EINVAL, "primary=eth9 is not one of its slaves"),
	BAD("bond=bond0:eth0:mode=1:12", -EINVAL, "bad MTU '12'"),
	BAD("bond=bond0:eth0:::x", -EINVAL, "too many ':' fields"),
	BAD("bond=bond0:eth/0", -EINVAL, "bad slave interface 'eth/0'"),
	BAD("bond=bond0:bond0", -EINVAL, "bad slave interface 'bond0'"),
	BAD("bond=b0:eth0 bond=b1:eth0", -EINVAL, "eth0 is a slave twice"),
	BAD("bond=b0:eth0,eth0", -EINVAL, "eth0 is a slave twice"),
	BAD("bond=b0:eth0 bond=b0:eth1", -EINVAL, "bond given twice"),
	BAD("bridge=br0:eth0", -EINVAL, "bridge=br0:eth0: not supported"),
	BAD("team=team0:eth0,eth1", -EINVAL, "team=team0:eth0,eth1: not supported"),
	BAD("bridge=br0:eth0", -EINVAL, "bridge=br0:eth0: not supported"),
	BAD("team=team0:eth0", -EINVAL, "team=team0:eth0: not supported"),
};

static void check_bad(const struct bad_row *r, const char *file)
{
	struct net_plan np;
	char err[256] = "";
	int rc = feed(&np, r->line, err, sizeof(err), true);

	if (rc != r->rc) {
		print_error("%s:%d: '%s': rc %d, want %d (err '%s')\n", file, r->at, r->line, rc, r->rc, err);
		_fail(file, r->at);
	}
	if (!strstr(err, r->msg) || strchr(err, '\n')) {
		print_error("%s:%d: '%s': error '%s' lacks '%s' (or is not one line)\n", file, r->at, r->line, err, r->msg);
		_fail(file, r->at);
	}
}

static void test_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++)
		check_bad(&bad_rows[i], __FILE__);
}

static void test_not_ours(void **state)
{
	struct net_plan np;
	char err[64];

	(void)state;
	net_plan_init(&np);
	assert_int_equal(net_plan_arg(&np, "root", "live:http://x/y", err, sizeof(err)), 0);
	assert_int_equal(net_plan_arg(&np, "rd.shell", NULL, err, sizeof(err)), 0);
	assert_int_equal(net_plan_arg(&np, "ipx", "dhcp", err, sizeof(err)), 0);
	assert_int_equal(net_plan_arg(&np, NULL, NULL, err, sizeof(err)), 0);
}

static void test_require(void **state)
{
	struct net_plan np;
	char err[64];

	(void)state;
	net_plan_init(&np);
	assert_false(net_plan_wanted(&np));
	net_plan_require(&np);
	assert_true(net_plan_wanted(&np));
	assert_int_equal(np.n_ip, 1);
	assert_int_equal(np.ip[0].method, NET_METHOD_DHCP);
	/* an explicit ip= is kept */
	assert_int_equal(feed(&np, "ip=eth1:dhcp", err, sizeof(err), true), 0);
	net_plan_require(&np);
	assert_int_equal(np.n_ip, 1);
	assert_string_equal(np.ip[0].iface, "eth1");
}

static char *print(const char *line, bool json)
{
	static char buf[4096];
	struct net_plan np;
	char err[128];
	FILE *f;

	assert_int_equal(feed(&np, line, err, sizeof(err), true), 0);
	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	net_plan_print(&np, f, json);
	fclose(f);
	return buf;
}

static void test_print(void **state)
{
	(void)state;
	assert_string_equal(print("", true), "{\"wanted\":false}");
	assert_string_equal(print("", false), "");
	assert_non_null(strstr(print("ip=dhcp", false), "  network: any dhcp"));
	assert_non_null(strstr(print("rd.neednet=1", false), "  network: any dhcp"));
	assert_non_null(strstr(print("ip=10.0.0.2::10.0.0.1:255.255.255.0:h:eth0:none nameserver=1.1.1.1", false),
			       "  network: eth0 static 10.0.0.2/24 gw 10.0.0.1 hostname h\n"));
	assert_non_null(strstr(print("ip=eth0:dhcp rd.route=10.1.0.0/16:10.0.0.9", false),
			       "  network: route 10.1.0.0/16 via 10.0.0.9 dev (boot interface)\n"));
	assert_non_null(strstr(print("ip=eth0:dhcp", true),
			       "\"interfaces\":[{\"iface\":\"eth0\",\"method\":\"dhcp\"}]"));
	assert_non_null(strstr(print("ip=10.0.0.2::10.0.0.1:24::eth0:none:1.1.1.1 BOOTIF=01-52-54-00-12-34-56 vlan=vlan5:eth0", true),
			       "{\"iface\":\"eth0\",\"method\":\"static\",\"address\":\"10.0.0.2\",\"prefix\":24,\"gateway\":\"10.0.0.1\",\"dns\":[\"1.1.1.1\"]}"));
	/* IPv6 */
	assert_non_null(strstr(print("ip=eth0:auto6", false), "  network: eth0 ipv6 auto6 (SLAAC; DHCPv6 if the router advertisement sets M or O)\n"));
	assert_null(strstr(print("ip=eth0:auto6", false), "eth0 none"));
	assert_non_null(strstr(print("ip=10.0.0.2::10.0.0.1:24::eth0:none ip=[2001:db8::2]::[fe80::1]:64::eth0:none:[2001:db8::53]", false),
			       "  network: eth0 static 10.0.0.2/24 gw 10.0.0.1\n  network: eth0 ipv6 static 2001:db8::2/64 gw fe80::1 dns 2001:db8::53\n"));
	assert_non_null(strstr(print("ip=dhcp,dhcp6 nameserver=[2001:db8::53] rd.route=[2001:db8:5::/48]:[fe80::1]:eth0", false),
			       "  network: nameserver 2001:db8::53\n  network: route 2001:db8:5::/48 via fe80::1 dev eth0\n"));
	assert_non_null(strstr(print("ip=auto6 rd.net.timeout.ipv6dad=0", false), "ipv6auto=40s ipv6dad=0s (no DAD)\n"));
	assert_null(strstr(print("ip=dhcp", false), "ipv6auto"));
	assert_non_null(strstr(print("ip=eth0:auto6", true),
			       "{\"iface\":\"eth0\",\"method\":\"none\",\"ipv6\":{\"method\":\"auto6\"}}"));
	assert_non_null(strstr(print("ip=[2001:db8::2]::[fe80::1]:64::eth0:none:[2001:db8::53] ip=eth0:dhcp nameserver=1.1.1.1 nameserver=[2001:db8::54]", true),
			       "{\"iface\":\"eth0\",\"method\":\"dhcp\",\"ipv6\":{\"method\":\"static\",\"address\":\"2001:db8::2\",\"prefix\":64,"
			       "\"gateway\":\"fe80::1\",\"dns\":[\"2001:db8::53\"]}}],\"nameservers\":[\"1.1.1.1\",\"2001:db8::54\"]"));
	assert_non_null(strstr(print("ip=auto6 rd.route=[2001:db8:5::/48]:[fe80::1]", true), "\"routes\":[{\"dst\":\"2001:db8:5::/48\",\"gateway\":\"fe80::1\"}]"));
	assert_non_null(strstr(print("ip=auto6", true), "\"ipv6dad\":50,\"ipv6auto\":40}"));
	{
		const char *j = print("ip=eth0:dhcp", true);

		assert_int_equal(j[0], '{');
		assert_int_equal(j[strlen(j) - 1], '}');
		assert_null(strchr(j, '\n'));
	}
}

static void test_parse_helpers(void **state)
{
	struct in_addr a;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(net_parse_ipv4("0.0.0.0", &a), 0);
	assert_int_equal(net_parse_ipv4("255.255.255.255", &a), 0);
	assert_int_equal(a.s_addr, 0xffffffffu);
	assert_int_equal(net_parse_ipv4("1.2.3.4.5", &a), -EINVAL);
	assert_int_equal(net_parse_ipv4("1.2.3.", &a), -EINVAL);
	assert_int_equal(net_parse_ipv4("1.2.3.0004", &a), -EINVAL);
	assert_int_equal(net_parse_ipv4("", &a), -EINVAL);
	assert_int_equal(net_parse_ipv4(NULL, &a), -EINVAL);
	assert_int_equal(net_parse_mac("aa-bb-cc-dd-ee-ff", mac), 0);
	assert_int_equal(mac[5], 0xff);
	assert_int_equal(net_parse_mac("aa:bb:cc:dd:ee", mac), -EINVAL);
	assert_int_equal(net_parse_mac("aa:bb:cc:dd:ee:fg", mac), -EINVAL);
	assert_int_equal(net_parse_mac("aa.bb:cc:dd:ee:ff", mac), -EINVAL);
	{
		struct in6_addr a6;

		assert_int_equal(net_parse_ipv6("[2001:db8::1]", true, &a6), 0);
		assert_int_equal(a6.s6_addr[15], 1);
		assert_int_equal(net_parse_ipv6("2001:db8::1", true, &a6), -EINVAL);
		assert_int_equal(net_parse_ipv6("2001:db8::1", false, &a6), 0);
		assert_int_equal(net_parse_ipv6("[]", false, &a6), -EINVAL);
		assert_int_equal(net_parse_ipv6("[", false, &a6), -EINVAL);
		assert_int_equal(net_parse_ipv6("[::ffff:10.0.0.1]", true, &a6), 0);
		assert_int_equal(net_parse_ipv6("[1:2:3:4:5:6:7:8:9]", true, &a6), -EINVAL);
		assert_int_equal(net_parse_ipv6(NULL, false, &a6), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_parse_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
