/*
 * net/handoff.c: the files the booted system's network manager reads to take the boot
 * interface over. Rows: a result (DHCP or static), a network root or not, and the whole
 * text expected; each failing row names its own line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/handoff.h"

#define UUID "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
/* the parts every file of one format shares, as handoff.c writes them */
#define NM_HEAD(i) "[connection]\nid=" i "\nuuid=" UUID "\ntype=ethernet\nautoconnect-retries=1\n" \
	"interface-name=" i "\nmulti-connect=1\n\n[ethernet]\n\n"
#define NM_TAIL "[proxy]\n\n[user]\norg.freedesktop.NetworkManager.origin=nm-initrd-generator\n"
#define ND_LIVE(i) "# netinit: the boot interface " i ", for a link nothing else configures; the\n" \
	"# system's own .network files sort before this one and win.\n[Match]\nName=" i "\n\n"
#define ND_ROOT(i, kind) "# netinit: the boot interface " i "; the root file system is on it (" kind "):\n" \
	"# networkd must never drop its address. A file of this name in\n" \
	"# /etc/systemd/network replaces this one.\n[Match]\nName=" i "\n\n"

static struct net_result dhcp_res(void)
{
	struct net_result r = { .iface = "ens3", .dhcp = true, .prefix = 24, .lease_s = 86400 };

	inet_pton(AF_INET, "10.0.2.15", &r.addr);
	inet_pton(AF_INET, "10.0.2.2", &r.gw);
	inet_pton(AF_INET, "10.0.2.3", &r.dns[0]);
	r.n_dns = 1;
	snprintf(r.hostname, sizeof(r.hostname), "node7");
	return r;
}

static struct net_result static_res(void)
{
	struct net_result r = { .iface = "enp1s0", .dhcp = false, .prefix = 24, .mtu = 9000 };

	inet_pton(AF_INET, "192.168.1.10", &r.addr);
	inet_pton(AF_INET, "192.168.1.1", &r.gw);
	inet_pton(AF_INET, "192.168.1.53", &r.dns[0]);
	inet_pton(AF_INET, "9.9.9.9", &r.dns[1]);
	r.n_dns = 2;
	snprintf(r.domain, sizeof(r.domain), "lab.example");
	return r;
}

/* IPv6 static on an IPv6-only entry, and SLAAC beside a DHCPv4 lease */
static struct net_result static6_res(void)
{
	struct net_result r = { .iface = "ens3" };

	r.v6.on = true;
	r.v6.method = NET_V6_STATIC;
	r.v6.has_addr = true;
	r.v6.prefix = 64;
	inet_pton(AF_INET6, "2001:db8:9::5", &r.v6.addr);
	inet_pton(AF_INET6, "2001:db8:9::1", &r.v6.gw);
	inet_pton(AF_INET6, "2001:db8:9::53", &r.v6.dns[0]);
	r.v6.n_dns = 1;
	return r;
}


enum what { NETWORKD, NM, NM_STATE, IFUP, NETWORKING };

typedef int (*gen_fn)(const struct handoff *, char *, size_t);
static const struct { gen_fn path, format; } gens[] = {
	[NETWORKD] = { handoff_networkd_path, handoff_networkd_format },
	[NM] = { handoff_nm_path, handoff_nm_format },
	[NM_STATE] = { handoff_nm_state_path, handoff_nm_state_format },
	[IFUP] = { handoff_ifup_path, handoff_ifup_format },
	[NETWORKING] = { handoff_networking_path, handoff_networking_format },
};

static void row(const char *file, int line, enum what w, const struct net_result *r, const char *netroot,
		const char *want_path, const char *want)
{
	struct handoff h = { .res = r, .netroot = netroot, .uuid = UUID, .ifindex = 2 };
	char path[HANDOFF_PATH_MAX], text[HANDOFF_TEXT_MAX];
	int rc;

	rc = gens[w].path(&h, path, sizeof(path));
	if (rc || strcmp(path, want_path))
		fail_msg("%s:%d: path rc %d \"%s\", expected \"%s\"", file, line, rc, path, want_path);
	rc = gens[w].format(&h, text, sizeof(text));
	if (rc || strcmp(text, want))
		fail_msg("%s:%d: rc %d, text:\n%s---- expected:\n%s----", file, line, rc, text, want);
}

static void test_networkd(void **state)
{
	struct net_result d = dhcp_res(), s = static_res();

	(void)state;
	/* NBD root: first in the sort order, never drops the address */
	row(__FILE__, __LINE__, NETWORKD, &d, "nbd", "run/systemd/network/00-netinit-ens3.network",
	    ND_ROOT("ens3", "nbd")
	    "[Network]\nDHCP=ipv4\nKeepConfiguration=yes\n\n"
	    "[DHCPv4]\nClientIdentifier=mac\nRequestAddress=10.0.2.15\n");
	/* live root: last in the sort order, nothing kept */
	row(__FILE__, __LINE__, NETWORKD, &d, NULL, "run/systemd/network/99-netinit-ens3.network",
	    ND_LIVE("ens3")
	    "[Network]\nDHCP=ipv4\n\n"
	    "[DHCPv4]\nClientIdentifier=mac\nRequestAddress=10.0.2.15\n");
	/* static, AoE root, MTU */
	row(__FILE__, __LINE__, NETWORKD, &s, "aoe", "run/systemd/network/00-netinit-enp1s0.network",
	    ND_ROOT("enp1s0", "aoe") "[Link]\nMTUBytes=9000\n\n"
	    "[Network]\nAddress=192.168.1.10/24\nGateway=192.168.1.1\nDNS=192.168.1.53\nDNS=9.9.9.9\n"
	    "Domains=lab.example\nKeepConfiguration=yes\n");
	/* static without gateway, DNS, domain */
	s.gw.s_addr = 0;
	s.n_dns = 0;
	s.domain[0] = '\0';
	s.mtu = 0;
	row(__FILE__, __LINE__, NETWORKD, &s, NULL, "run/systemd/network/99-netinit-enp1s0.network",
	    ND_LIVE("enp1s0") "[Network]\nAddress=192.168.1.10/24\n");
}

static void test_networkd6(void **state)
{
	struct net_result v = static6_res(), d = dhcp_res();

	(void)state;
	row(__FILE__, __LINE__, NETWORKD, &v, "nbd", "run/systemd/network/00-netinit-ens3.network",
	    ND_ROOT("ens3", "nbd")
	    "[Network]\nAddress=2001:db8:9::5/64\nGateway=2001:db8:9::1\nDNS=2001:db8:9::53\nIPv6AcceptRA=no\n"
	    "KeepConfiguration=yes\n");
	/* dual stack: DHCPv4 + SLAAC */
	d.has4 = true;
	d.v6.on = true;
	d.v6.method = NET_V6_AUTO6;
	row(__FILE__, __LINE__, NETWORKD, &d, NULL, "run/systemd/network/99-netinit-ens3.network",
	    ND_LIVE("ens3")
	    "[Network]\nDHCP=ipv4\nIPv6AcceptRA=yes\n\n"
	    "[DHCPv4]\nClientIdentifier=mac\nRequestAddress=10.0.2.15\n");
	/* DHCPv4 + DHCPv6 */
	d.v6.method = NET_V6_DHCP6;
	row(__FILE__, __LINE__, NETWORKD, &d, NULL, "run/systemd/network/99-netinit-ens3.network",
	    ND_LIVE("ens3")
	    "[Network]\nDHCP=yes\nIPv6AcceptRA=yes\n\n"
	    "[DHCPv4]\nClientIdentifier=mac\nRequestAddress=10.0.2.15\n\n[DHCPv6]\nDUIDType=link-layer\n");
	/* static IPv4 + dhcp6: both written */
	v = static_res();
	v.has4 = true;
	v.mtu = 0;
	v.n_dns = 0;
	v.domain[0] = '\0';
	v.v6.on = true;
	v.v6.method = NET_V6_DHCP6;
	row(__FILE__, __LINE__, NETWORKD, &v, NULL, "run/systemd/network/99-netinit-enp1s0.network",
	    ND_LIVE("enp1s0")
	    "[Network]\nDHCP=ipv6\nAddress=192.168.1.10/24\nGateway=192.168.1.1\nIPv6AcceptRA=yes\n\n"
	    "[DHCPv6]\nDUIDType=link-layer\n");
}

static void test_nm6(void **state)
{
	struct net_result v = static6_res(), d = dhcp_res();

	(void)state;
	row(__FILE__, __LINE__, NM, &v, NULL, "run/NetworkManager/system-connections/ens3.nmconnection",
	    NM_HEAD("ens3")
	    "[ipv4]\nmethod=disabled\n\n"
	    "[ipv6]\naddr-gen-mode=eui64\naddress1=2001:db8:9::5/64,2001:db8:9::1\ndns=2001:db8:9::53;\nmethod=manual\n\n"
	    NM_TAIL);
	d.has4 = true;
	d.v6.on = true;
	d.v6.method = NET_V6_DHCP6;
	row(__FILE__, __LINE__, NM, &d, NULL, "run/NetworkManager/system-connections/ens3.nmconnection",
	    NM_HEAD("ens3")
	    "[ipv4]\ndhcp-timeout=90\nmethod=auto\nrequired-timeout=20000\n\n"
	    "[ipv6]\naddr-gen-mode=eui64\ndhcp-timeout=90\nmethod=dhcp\n\n"
	    NM_TAIL);
	v.v6.method = NET_V6_LINK6;
	row(__FILE__, __LINE__, NM, &v, NULL, "run/NetworkManager/system-connections/ens3.nmconnection",
	    NM_HEAD("ens3")
	    "[ipv4]\nmethod=disabled\n\n"
	    "[ipv6]\naddr-gen-mode=eui64\nmethod=link-local\n\n"
	    NM_TAIL);
}

static void test_nm(void **state)
{
	struct net_result d = dhcp_res(), s = static_res();

	(void)state;
	row(__FILE__, __LINE__, NM, &d, "nbd", "run/NetworkManager/system-connections/ens3.nmconnection",
	    NM_HEAD("ens3")
	    "[ipv4]\ndhcp-timeout=90\nmethod=auto\nrequired-timeout=20000\n\n"
	    "[ipv6]\naddr-gen-mode=eui64\ndhcp-timeout=90\nmethod=auto\n\n"
	    NM_TAIL);
	row(__FILE__, __LINE__, NM, &s, NULL, "run/NetworkManager/system-connections/enp1s0.nmconnection",
	    "[connection]\nid=enp1s0\nuuid=" UUID "\ntype=ethernet\nautoconnect-retries=1\ninterface-name=enp1s0\n"
	    "multi-connect=1\n\n[ethernet]\nmtu=9000\n\n"
	    "[ipv4]\naddress1=192.168.1.10/24,192.168.1.1\ndns=192.168.1.53;9.9.9.9;\ndns-search=lab.example;\n"
	    "method=manual\n\n"
	    "[ipv6]\naddr-gen-mode=eui64\nmethod=disabled\n\n"
	    NM_TAIL);
}

/* NetworkManager's device state names the profile, so the booted NetworkManager assumes it */
static void test_nm_state(void **state)
{
	struct net_result d = dhcp_res();
	struct handoff h = { .res = &d, .netroot = "nbd", .uuid = UUID };
	char text[HANDOFF_TEXT_MAX];

	(void)state;
	row(__FILE__, __LINE__, NM_STATE, &d, "nbd", "run/NetworkManager/devices/2",
	    "[device]\nmanaged=true\nconnection-uuid=" UUID "\n");
	row(__FILE__, __LINE__, NM_STATE, &d, NULL, "run/NetworkManager/devices/2",
	    "[device]\nmanaged=true\nconnection-uuid=" UUID "\n");
	/* no index, no file */
	assert_int_equal(handoff_nm_state_path(&h, text, sizeof(text)), -EINVAL);
	assert_int_equal(handoff_nm_state_format(&h, text, sizeof(text)), -EINVAL);
	h.ifindex = 2;
	h.uuid = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4\n";
	assert_int_equal(handoff_nm_state_format(&h, text, sizeof(text)), -EINVAL);
}

/* ifupdown on a network root: no ifdown of the root's link at shutdown; nothing otherwise */
static void test_ifupdown(void **state)
{
	struct net_result d = dhcp_res(), dash = dhcp_res();
	struct handoff h = { .res = &d, .uuid = UUID, .ifindex = 2 };
	char text[HANDOFF_TEXT_MAX];

	(void)state;
	row(__FILE__, __LINE__, IFUP, &d, "nbd", "run/systemd/system/ifup@ens3.service.d/50-netinit-netroot.conf",
	    "# netinit: the root file system is on ens3 (nbd). ifup@.service brings it up with the\n"
	    "# system's own \"iface ens3\" as usual (it is not marked configured in /run/network/ifstate);\n"
	    "# at shutdown its ifdown would release the lease and set the link down under the root.\n"
	    "# The link stays as it is until /run/initramfs/shutdown has unmounted the root.\n"
	    "# (dhclient itself, stopped with SIGTERM, keeps the lease and the address.)\n"
	    "[Service]\nExecStop=\n");
	row(__FILE__, __LINE__, NETWORKING, &d, "aoe", "run/systemd/system/networking.service.d/50-netinit-netroot-ens3.conf",
	    "# netinit: the root file system is on ens3 (aoe): \"ifdown -a\" at shutdown leaves it alone\n"
	    "# (as Debian's /etc/init.d/networking does when /dev/nbd* is mounted).\n"
	    "[Service]\nExecStop=\nExecStop=/sbin/ifdown -a --read-environment --exclude=lo --exclude=ens3\n");
	/* systemd-escape: ifup@br\x2dlan.service */
	snprintf(dash.iface, sizeof(dash.iface), "br-lan");
	h.res = &dash;
	h.netroot = "nbd";
	assert_int_equal(handoff_ifup_path(&h, text, sizeof(text)), 0);
	assert_string_equal(text, "run/systemd/system/ifup@br\\x2dlan.service.d/50-netinit-netroot.conf");
	/* not a network root: nothing to write */
	h.netroot = NULL;
	assert_int_equal(handoff_ifup_path(&h, text, sizeof(text)), -ENOENT);
	assert_int_equal(handoff_ifup_format(&h, text, sizeof(text)), -ENOENT);
	assert_int_equal(handoff_networking_path(&h, text, sizeof(text)), -ENOENT);
	assert_int_equal(handoff_networking_format(&h, text, sizeof(text)), -ENOENT);
}

/* What a DHCP server sent never breaks the INI files: a domain that is not a plain
 * DNS name is left out; a host name is set only when it is one. */
static void test_hostile(void **state)
{
	struct net_result s = static_res();
	struct handoff h = { .res = &s, .uuid = UUID };
	char text[HANDOFF_TEXT_MAX], small[40];

	(void)state;
	snprintf(s.domain, sizeof(s.domain), "x\n[Network]\nAddress=6.6.6.6/8");
	assert_int_equal(handoff_networkd_format(&h, text, sizeof(text)), 0);
	assert_null(strstr(text, "6.6.6.6"));
	assert_null(strstr(text, "Domains="));
	assert_int_equal(handoff_nm_format(&h, text, sizeof(text)), 0);
	assert_null(strstr(text, "6.6.6.6"));
	assert_null(strstr(text, "dns-search"));

	assert_true(handoff_hostname_ok("node7"));
	assert_true(handoff_hostname_ok("node7.lab.example"));
	assert_false(handoff_hostname_ok(""));
	assert_false(handoff_hostname_ok(NULL));
	assert_false(handoff_hostname_ok("-x"));
	assert_false(handoff_hostname_ok("a b"));
	assert_false(handoff_hostname_ok("a\nb"));
	assert_false(handoff_hostname_ok("$(reboot)"));
	assert_false(handoff_hostname_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));	/* 64 */

	/* interface names and UUIDs that are not plain are refused */
	snprintf(s.iface, sizeof(s.iface), "../../etc");
	assert_int_equal(handoff_networkd_path(&h, text, sizeof(text)), -EINVAL);
	snprintf(s.iface, sizeof(s.iface), "en\nx");
	assert_int_equal(handoff_networkd_format(&h, text, sizeof(text)), -EINVAL);
	snprintf(s.iface, sizeof(s.iface), "%s", "");
	assert_int_equal(handoff_nm_format(&h, text, sizeof(text)), -EINVAL);
	snprintf(s.iface, sizeof(s.iface), "ens3");
	h.uuid = "not-a-uuid";
	assert_int_equal(handoff_nm_format(&h, text, sizeof(text)), -EINVAL);
	h.uuid = UUID;
	h.netroot = "nbd\n";
	assert_int_equal(handoff_networkd_format(&h, text, sizeof(text)), -EINVAL);
	h.netroot = NULL;

	/* too small: -ENOSPC and an empty buffer, never half a file */
	memset(small, 'x', sizeof(small));
	assert_int_equal(handoff_networkd_format(&h, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "");
	assert_int_equal(handoff_nm_format(&h, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "");
	assert_int_equal(handoff_nm_path(&h, small, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_networkd),
		cmocka_unit_test(test_nm),
		cmocka_unit_test(test_nm_state),
		cmocka_unit_test(test_ifupdown),
		cmocka_unit_test(test_networkd6),
		cmocka_unit_test(test_nm6),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
