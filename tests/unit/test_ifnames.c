/*
 * net/ifnames.c: the names udev's net_id gives, against sysfs trees laid out as
 * the kernel lays them out on the machines named below (paths, attribute names
 * and values as read from real /sys; only what net_id reads is reproduced).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/ifnames.h"
#include "util/fsutil.h"

static char root[64];

static void mkfile(const char *rel, const void *data, size_t len)
{
	char p[512], d[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(d, sizeof(d), "%s", p);
	*strrchr(d, '/') = '\0';
	assert_int_equal(fs_mkdir_p(d, 0755), 0);
	mkdir(d, 0755);
	f = fopen(p, "w");
	assert_non_null(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

static void put(const char *rel, const char *text)
{
	mkfile(rel, text, strlen(text));
}

static void lnk(const char *rel, const char *target)
{
	char p[512], d[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(d, sizeof(d), "%s", p);
	*strrchr(d, '/') = '\0';
	fs_mkdir_p(d, 0755);
	mkdir(d, 0755);
	assert_int_equal(symlink(target, p), 0);
}

/* a device directory (path relative to root, e.g. "devices/pci0000:00/0000:00:03.0") in subsystem */
static void device(const char *dev, const char *sub)
{
	char p[512], t[512];
	int depth = 0;

	for (const char *c = dev; *c; c++)
		depth += *c == '/';
	t[0] = '\0';
	for (int i = 0; i <= depth; i++)
		strcat(t, "../");
	strcat(t, "bus/");
	strcat(t, sub);
	snprintf(p, sizeof(p), "%s/subsystem", dev);
	lnk(p, t);
}

/* a PCI function: config space header type (0x80 = multi-function), class for modalias */
static void pci(const char *dev, unsigned char header, const char *cls)
{
	unsigned char cfg[64] = { 0 };
	char p[512], m[128];

	device(dev, "pci");
	cfg[0x0e] = header;
	snprintf(p, sizeof(p), "%s/config", dev);
	mkfile(p, cfg, sizeof(cfg));
	snprintf(m, sizeof(m), "pci:v00001AF4d00001000sv00001AF4sd00000001%si00\n", cls);
	snprintf(p, sizeof(p), "%s/modalias", dev);
	put(p, m);
}

/* a netdev below dev: /sys/class/net/<name> -> dev/net/<name> */
static void netdev(const char *dev, const char *name, int ifindex, int iflink, int assign, const char *devtype)
{
	char p[512], v[128];

	snprintf(p, sizeof(p), "%s/net/%s/type", dev, name);
	put(p, "1\n");
	snprintf(p, sizeof(p), "%s/net/%s/name_assign_type", dev, name);
	snprintf(v, sizeof(v), "%d\n", assign);
	put(p, v);
	snprintf(p, sizeof(p), "%s/net/%s/ifindex", dev, name);
	snprintf(v, sizeof(v), "%d\n", ifindex);
	put(p, v);
	snprintf(p, sizeof(p), "%s/net/%s/iflink", dev, name);
	snprintf(v, sizeof(v), "%d\n", iflink);
	put(p, v);
	snprintf(p, sizeof(p), "%s/net/%s/dev_port", dev, name);
	put(p, "0\n");
	snprintf(p, sizeof(p), "%s/net/%s/uevent", dev, name);
	snprintf(v, sizeof(v), "%s%s%sINTERFACE=%s\nIFINDEX=%d\n", devtype ? "DEVTYPE=" : "", devtype ? devtype : "",
		 devtype ? "\n" : "", name, ifindex);
	put(p, v);
	snprintf(p, sizeof(p), "class/net/%s", name);
	snprintf(v, sizeof(v), "../../%s/net/%s", dev, name);
	lnk(p, v);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/netinit-ifnames.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(root);
	return 0;
}

static void expect(const char *ifname, unsigned flags, const char *name, const char *onboard, const char *slot,
		   const char *path)
{
	struct ifnames n;
	char err[256] = "";

	assert_int_equal(ifnames_compute(root, ifname, flags, &n, err, sizeof(err)), 0);
	if (strcmp(n.name, name) || strcmp(n.onboard, onboard) || strcmp(n.slot, slot) || strcmp(n.path, path))
		fail_msg("%s (flags %#x): name '%s' onboard '%s' slot '%s' path '%s'; expected '%s' '%s' '%s' '%s'",
			 ifname, flags, n.name, n.onboard, n.slot, n.path, name, onboard, slot, path);
}

/* QEMU -M pc (i440fx): virtio-net-pci at 00:03.0, ACPI hotplug slot 3 -> ens3 under both schemes */
static void test_qemu_hotplug_slot(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:03.0", 0x00, "bc02sc00");
	device("devices/pci0000:00/0000:00:03.0/virtio0", "virtio");
	netdev("devices/pci0000:00/0000:00:03.0/virtio0", "eth0", 2, 2, 1, NULL);
	put("bus/pci/slots/3/address", "0000:00:03\n");
	put("bus/pci/slots/4/address", "0000:00:04\n");
	put("bus/pci/slots/30/address", "0000:00:1e\n");
	expect("eth0", IFN_SCHEME_V252, "ens3", "", "ens3", "enp0s3");
	expect("eth0", IFN_SCHEME_V257, "ens3", "", "ens3", "enp0s3");
}

/* Intel 82576 dual port (igb), functions 0 and 1 of 00:01, no slots: enp0s1f0 / enp0s1f1 */
static void test_multifunction(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:01.0", 0x80, "bc02sc00");
	pci("devices/pci0000:00/0000:00:01.1", 0x80, "bc02sc00");
	netdev("devices/pci0000:00/0000:00:01.0", "eth0", 2, 2, 1, NULL);
	netdev("devices/pci0000:00/0000:00:01.1", "eth1", 3, 3, 1, NULL);
	expect("eth0", IFN_SCHEME_V257, "enp0s1f0", "", "", "enp0s1f0");
	expect("eth1", IFN_SCHEME_V257, "enp0s1f1", "", "", "enp0s1f1");
	expect("eth1", IFN_SCHEME_V252, "enp0s1f1", "", "", "enp0s1f1");
}

/* Lenovo ThinkPad/Dell OptiPlex onboard e1000e at 00:19.0, SMBIOS type 41 index 1: eno1 wins */
static void test_onboard_index(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:1f.6", 0x00, "bc02sc00");
	put("devices/pci0000:00/0000:00:1f.6/acpi_index", "1\n");
	put("devices/pci0000:00/0000:00:1f.6/label", "Onboard LAN\n");
	netdev("devices/pci0000:00/0000:00:1f.6", "eth0", 2, 2, 1, NULL);
	expect("eth0", IFN_SCHEME_V252, "eno1", "eno1", "", "enp0s31f6");
	/* a second port on the same function (dev_port 1): eno1d1 */
	put("devices/pci0000:00/0000:00:1f.6/net/eth0/dev_port", "1\n");
	expect("eth0", IFN_SCHEME_V257, "eno1d1", "eno1d1", "", "enp0s31f6d1");
	/* VMware's rubbish index 2^24-1 is ignored */
	put("devices/pci0000:00/0000:00:1f.6/net/eth0/dev_port", "0\n");
	put("devices/pci0000:00/0000:00:1f.6/acpi_index", "16777215\n");
	expect("eth0", IFN_SCHEME_V257, "enp0s31f6", "", "", "enp0s31f6");
}

/* Realtek r8152 USB NIC on port 1.4 of the xHCI at 00:14.0: enp0s20u1u4 */
static void test_usb(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:14.0", 0x80, "bc0csc03");
	device("devices/pci0000:00/0000:00:14.0/usb2", "usb");
	put("devices/pci0000:00/0000:00:14.0/usb2/uevent", "DEVTYPE=usb_device\n");
	device("devices/pci0000:00/0000:00:14.0/usb2/2-1", "usb");
	put("devices/pci0000:00/0000:00:14.0/usb2/2-1/uevent", "DEVTYPE=usb_device\n");
	device("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4", "usb");
	put("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/uevent", "DEVTYPE=usb_device\n");
	device("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/2-1.4:1.0", "usb");
	put("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/2-1.4:1.0/uevent", "DEVTYPE=usb_interface\nDRIVER=r8152\n");
	netdev("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/2-1.4:1.0", "eth0", 3, 3, 1, NULL);
	/* the xHCI is function 0 of a multi-function device: f0 */
	expect("eth0", IFN_SCHEME_V252, "enp0s20f0u1u4", "", "", "enp0s20f0u1u4");
	/* cdc_ether: configuration 2, interface 0 -> ...u1u4c2 */
	put("devices/pci0000:00/0000:00:14.0/config", "");
	device("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/2-1.4:2.0", "usb");
	put("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/2-1.4:2.0/uevent", "DEVTYPE=usb_interface\n");
	netdev("devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.4/2-1.4:2.0", "usb0", 4, 4, 1, NULL);
	expect("usb0", IFN_SCHEME_V257, "enp0s20u1u4c2", "", "", "enp0s20u1u4c2");
}

/* USB NIC on an SoC host controller without PCI (v253+: en<usb>; v252: kernel name) */
static void test_usb_host(void **state)
{
	(void)state;
	device("devices/platform/soc/3f980000.usb/usb1/1-1/1-1.1/1-1.1:1.0", "usb");
	put("devices/platform/soc/3f980000.usb/usb1/1-1/1-1.1/1-1.1:1.0/uevent", "DEVTYPE=usb_interface\n");
	netdev("devices/platform/soc/3f980000.usb/usb1/1-1/1-1.1/1-1.1:1.0", "eth0", 2, 2, 1, NULL);
	expect("eth0", IFN_SCHEME_V257, "enu1u1", "", "", "enu1u1");
	expect("eth0", IFN_SCHEME_V252, "", "", "", "");
}

/* QEMU pci-bridge (chassis 1) at 00:05.0 with ACPI slot 5, virtio-net behind it at 01:01.0:
 * the bridge's slot is not the NIC's (enp1s1); a multi-function NIC there: v252 ens5f0, v257 enp1s1f0 */
static void test_virtio_behind_bridge(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:05.0", 0x01, "bc06sc04");
	put("bus/pci/slots/5/address", "0000:00:05\n");
	pci("devices/pci0000:00/0000:00:05.0/0000:01:01.0", 0x00, "bc02sc00");
	device("devices/pci0000:00/0000:00:05.0/0000:01:01.0/virtio1", "virtio");
	netdev("devices/pci0000:00/0000:00:05.0/0000:01:01.0/virtio1", "eth0", 2, 2, 1, NULL);
	expect("eth0", IFN_SCHEME_V252, "enp1s1", "", "", "enp1s1");
	expect("eth0", IFN_SCHEME_V257, "enp1s1", "", "", "enp1s1");

	pci("devices/pci0000:00/0000:00:05.0/0000:01:02.0", 0x80, "bc02sc00");
	device("devices/pci0000:00/0000:00:05.0/0000:01:02.0/virtio2", "virtio");
	netdev("devices/pci0000:00/0000:00:05.0/0000:01:02.0/virtio2", "eth1", 3, 3, 1, NULL);
	expect("eth1", IFN_SCHEME_V252, "ens5f0", "", "ens5f0", "enp1s2f0");
	expect("eth1", IFN_SCHEME_V257, "enp1s2f0", "", "", "enp1s2f0");
}

/* v257 reads ACPI _SUN from firmware_node/sun (VMware's ens192 without a slots entry) */
static void test_firmware_node_sun(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:15.0/0000:0b:00.0", 0x00, "bc02sc00");
	pci("devices/pci0000:00/0000:00:15.0", 0x00, "bc06sc04");
	put("devices/pci0000:00/0000:00:15.0/0000:0b:00.0/firmware_node/sun", "192\n");
	netdev("devices/pci0000:00/0000:00:15.0/0000:0b:00.0", "eth0", 2, 2, 1, NULL);
	expect("eth0", IFN_SCHEME_V257, "ens192", "", "ens192", "enp11s0");
	expect("eth0", IFN_SCHEME_V252, "enp11s0", "", "", "enp11s0");
}

/* PCI domain 1 (Hyper-V, multi-segment servers): P1 in path and slot */
static void test_domain_and_wlan(void **state)
{
	(void)state;
	pci("devices/pci0001:00/0001:00:02.0", 0x00, "bc02sc80");
	netdev("devices/pci0001:00/0001:00:02.0", "eth0", 2, 2, 1, NULL);
	expect("eth0", IFN_SCHEME_V257, "enP1p0s2", "", "", "enP1p0s2");
	/* Intel AX200 on 03:00.0: wlp3s0 */
	pci("devices/pci0000:00/0000:00:1c.0/0000:03:00.0", 0x00, "bc02sc80");
	pci("devices/pci0000:00/0000:00:1c.0", 0x80, "bc06sc04");
	netdev("devices/pci0000:00/0000:00:1c.0/0000:03:00.0", "wlan0", 3, 3, 1, "wlan");
	expect("wlan0", IFN_SCHEME_V257, "wlp3s0", "", "", "wlp3s0");
}

/* what keeps its name: a user/renamed name, a predictable kernel name, a VLAN, a virtual link */
static void test_kept(void **state)
{
	struct ifnames n;

	(void)state;
	pci("devices/pci0000:00/0000:00:03.0", 0x00, "bc02sc00");
	put("bus/pci/slots/3/address", "0000:00:03\n");
	netdev("devices/pci0000:00/0000:00:03.0", "lan", 2, 2, 4, NULL);	/* NET_NAME_RENAMED */
	assert_int_equal(ifnames_compute(root, "lan", IFN_SCHEME_V257, &n, NULL, 0), 0);
	assert_string_equal(n.name, "");
	assert_string_equal(n.policy, "keep");
	netdev("devices/virtual", "eth0.5", 5, 2, 1, NULL);	/* stacked: iflink != ifindex */
	expect("eth0.5", IFN_SCHEME_V257, "", "", "", "");
	netdev("devices/virtual", "dummy0", 6, 6, 1, NULL);	/* no parent bus */
	expect("dummy0", IFN_SCHEME_V257, "", "", "", "");
	assert_int_equal(ifnames_compute(root, "nope0", IFN_SCHEME_V257, &n, NULL, 0), -ENOENT);
	assert_int_equal(ifnames_compute(root, "../x", IFN_SCHEME_V257, &n, NULL, 0), -EINVAL);
}

/* hostile attribute values: nothing is trusted to be a number or short */
static void test_hostile(void **state)
{
	(void)state;
	pci("devices/pci0000:00/0000:00:03.0", 0x00, "bc02sc00");
	put("devices/pci0000:00/0000:00:03.0/acpi_index", "-1\n");
	put("bus/pci/slots/99999999999/address", "0000:00:03\n");
	put("bus/pci/slots/0/address", "0000:00:03\n");	/* QEMU pcie-root-port: slot 0 is no slot */
	put("bus/pci/slots/8/address", "\n");
	netdev("devices/pci0000:00/0000:00:03.0", "eth0", 2, 2, 1, NULL);
	expect("eth0", IFN_SCHEME_V257, "enp0s3", "", "", "enp0s3");
	/* a port name that makes the name too long: udev drops it (altname only) */
	put("devices/pci0000:00/0000:00:03.0/net/eth0/phys_port_name", "p0abcdefghijklmnop\n");
	expect("eth0", IFN_SCHEME_V257, "", "", "", "");
}

static void test_scheme(void **state)
{
	unsigned f;

	(void)state;
	assert_int_equal(ifnames_scheme("v252", &f), 0);
	assert_int_equal(f, IFN_SCHEME_V252);
	assert_int_equal(ifnames_scheme("v257", &f), 0);
	assert_int_equal(f, IFN_SCHEME_V257);
	assert_int_equal(ifnames_scheme("latest", &f), 0);
	assert_int_equal(f, IFN_SCHEME_DEFAULT);
	assert_int_equal(ifnames_scheme("v999", &f), -EINVAL);
	assert_int_equal(ifnames_scheme("", &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_qemu_hotplug_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multifunction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_onboard_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usb_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtio_behind_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_node_sun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_and_wlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test(test_scheme),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
