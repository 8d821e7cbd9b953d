/* ifnames: udev's predictable interface names from sysfs (see ifnames.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/ifnames.h"
#include "util/errbuf.h"
#include "util/fsutil.h"

#define ATTR_MAX	256
#define ONBOARD_MAX	65535u	/* NAMING_16BIT_INDEX (v249+) */
#define WALK_MAX	32	/* parent directories we climb */

/* the name_assign_type values of <linux/netdevice.h> */
#define NET_NAME_PREDICTABLE	2
#define NET_NAME_USER		3
#define NET_NAME_RENAMED	4

int ifnames_scheme(const char *name, unsigned *flags)
{
	static const struct {
		const char *name;
		unsigned flags;
	} schemes[] = {
		{ "v247", 0 }, { "v249", 0 }, { "v250", 0 },
		{ "v251", IFN_BRIDGE_MULTIFUNCTION_SLOT }, { "v252", IFN_SCHEME_V252 },
		{ "v253", IFN_SCHEME_V252 | IFN_USB_HOST },
		{ "v254", IFN_SCHEME_V252 | IFN_USB_HOST | IFN_SR_IOV_R },
		{ "v255", IFN_USB_HOST | IFN_SR_IOV_R }, { "v256", IFN_USB_HOST | IFN_SR_IOV_R },
		{ "v257", IFN_SCHEME_V257 }, { "v258", IFN_SCHEME_V257 }, { "v259", IFN_SCHEME_V257 },
		{ "v260", IFN_SCHEME_V257 }, { "latest", IFN_SCHEME_DEFAULT },
	};

	for (size_t i = 0; name && i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strcmp(name, schemes[i].name)) {
			*flags = schemes[i].flags;
			return 0;
		}
	return -EINVAL;
}

/* ---- sysfs reading -------------------------------------------------------- */

static int attr(const char *dir, const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	return fs_read_small(p, buf, len);
}

/* A decimal unsigned attribute (what systemd's safe_atou accepts, no sign). */
static int attr_uint(const char *dir, const char *name, unsigned long *v)
{
	char buf[32], *end;
	int rc = attr(dir, name, buf, sizeof(buf));

	if (rc)
		return rc;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* The subsystem a device directory belongs to: basename of its "subsystem" link. */
static void subsystem(const char *dir, char *out, size_t len)
{
	char p[PATH_MAX], l[PATH_MAX];
	ssize_t n;
	const char *b;

	out[0] = '\0';
	if (snprintf(p, sizeof(p), "%s/subsystem", dir) >= (int)sizeof(p))
		return;
	n = readlink(p, l, sizeof(l) - 1);
	if (n <= 0)
		return;
	l[n] = '\0';
	b = strrchr(l, '/');
	snprintf(out, len, "%s", b ? b + 1 : l);
}

/* KEY=value from a uevent file ("" if absent). */
static void uevent_get(const char *dir, const char *key, char *out, size_t len)
{
	char buf[1024], *line, *save = NULL;
	size_t kl = strlen(key);

	out[0] = '\0';
	if (attr(dir, "uevent", buf, sizeof(buf)))
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			snprintf(out, len, "%s", line + kl + 1);
			return;
		}
}

static const char *base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* Cut the last component: the parent device directory. false at the root. */
static bool up(char *dir)
{
	char *s = strrchr(dir, '/');

	if (!s || s == dir)
		return false;
	*s = '\0';
	return true;
}

/* The nearest ancestor of dir (dir excluded) in subsystem want; dir is changed. */
static bool ancestor(char *dir, const char *want, const char *devtype)
{
	char sub[64], dt[64];

	for (int i = 0; i < WALK_MAX && up(dir); i++) {
		subsystem(dir, sub, sizeof(sub));
		if (strcmp(sub, want))
			continue;
		if (devtype) {
			uevent_get(dir, "DEVTYPE", dt, sizeof(dt));
			if (strcmp(dt, devtype))
				continue;
		}
		return true;
	}
	return false;
}

/* ---- the PCI rules -------------------------------------------------------- */

static bool pci_multifunction(const char *pci)
{
	char p[PATH_MAX];
	unsigned char cfg[0x10];
	int fd;
	ssize_t n;

	if (snprintf(p, sizeof(p), "%s/config", pci) >= (int)sizeof(p))
		return false;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, cfg, sizeof(cfg));
	close(fd);
	return n > 0x0e && (cfg[0x0e] & 0x80);	/* PCI_HEADER_TYPE, bit 7: multi-function */
}

/* modalias "pci:v...d...sv...sd...bc06sc04i00": subclass 04 of a bridge */
static bool pci_bridge(const char *pci)
{
	char m[ATTR_MAX];
	const char *s;

	if (attr(pci, "modalias", m, sizeof(m)) || strncmp(m, "pci:", 4))
		return false;
	s = strrchr(m, 's');
	return s && s[1] == 'c' && !strncmp(s + 2, "04", 2);
}

struct pciaddr {
	unsigned domain, bus, slot, func;
};

static int pci_parse(const char *sysname, struct pciaddr *a)
{
	char tail;

	if (sscanf(sysname, "%x:%x:%x.%u%c", &a->domain, &a->bus, &a->slot, &a->func, &tail) != 4)
		return -EINVAL;
	if (a->bus > 0xff || a->slot > 0x1f || a->func > 7)
		return -EINVAL;
	return 0;
}

/* The port part: n<phys_port_name>, r<vf> (representor, IFN_SR_IOV_R), else d<dev_port>. */
static void port_spec(const char *net, unsigned flags, char *out, size_t len)
{
	char ppn[64];
	unsigned long dp;

	out[0] = '\0';
	if (!attr(net, "phys_port_name", ppn, sizeof(ppn)) && ppn[0]) {
		unsigned pf;
		int vf = -1;

		if ((flags & IFN_SR_IOV_R) && sscanf(ppn, "pf%uvf%d", &pf, &vf) == 2 && vf >= 0)
			snprintf(out, len, "r%d", vf);
		else
			snprintf(out, len, "n%s", ppn);
		return;
	}
	if (!attr_uint(net, "dev_port", &dp) && dp > 0 && dp <= UINT_MAX)
		snprintf(out, len, "d%lu", dp);
}

/* v257: an ACPI _SUN of the device's firmware node */
static bool slot_from_sun(const char *pci, unsigned flags, unsigned long *slot)
{
	return (flags & IFN_FIRMWARE_NODE_SUN) && !attr_uint(pci, "firmware_node/sun", slot) && *slot > 0 &&
	       *slot <= UINT32_MAX;
}

/* /sys/bus/pci/slots/<N>/address "DDDD:BB:SS" naming this PCI device */
static bool slot_from_slots(const char *sysfs, const char *pci, unsigned long *slot)
{
	char dir[PATH_MAX], a[64];
	const char *sysname = base(pci);
	struct dirent *de;
	DIR *d;
	bool found = false;

	if (snprintf(dir, sizeof(dir), "%s/bus/pci/slots", sysfs) >= (int)sizeof(dir) || !(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		char sd[PATH_MAX], *end;
		unsigned long n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')	/* a positive decimal number */
			continue;
		errno = 0;
		n = strtoul(de->d_name, &end, 10);
		if (errno || *end || n == 0 || n > UINT32_MAX)
			continue;
		if (snprintf(sd, sizeof(sd), "%s/%s", dir, de->d_name) >= (int)sizeof(sd) || attr(sd, "address", a, sizeof(a)))
			continue;
		if (a[0] && !strncmp(sysname, a, strlen(a))) {
			*slot = n;
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* s390: function_id names the slot directory (8 hex digits); the domain is dropped */
static bool slot_from_function_id(const char *sysfs, const char *pci, unsigned long *slot)
{
	char buf[32], p[PATH_MAX], *end;
	unsigned long long id;

	if (attr(pci, "function_id", buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	id = strtoull(buf, &end, 0);
	if (errno || *end || id == 0 || id > UINT32_MAX)
		return false;
	if (snprintf(p, sizeof(p), "%s/bus/pci/slots/%08llx", sysfs, id) >= (int)sizeof(p) || access(p, F_OK))
		return false;
	*slot = (unsigned long)id;
	return true;
}

/* The hotplug slot of pci or of a PCI ancestor; 1 found (drop domain), 0 found, -1 none. */
static int hotplug_slot(const char *sysfs, const char *pci, unsigned flags, unsigned long *slot)
{
	char dev[PATH_MAX];
	char sub[64];

	snprintf(dev, sizeof(dev), "%s", pci);
	for (int i = 0; i < WALK_MAX; i++) {
		if (slot_from_function_id(sysfs, dev, slot))
			return 1;
		if (slot_from_sun(dev, flags, slot) || slot_from_slots(sysfs, dev, slot)) {
			/* a bridge's slot would be claimed by every device behind it */
			if (pci_bridge(dev) &&
			    !((flags & IFN_BRIDGE_MULTIFUNCTION_SLOT) && pci_multifunction(pci)))
				return -1;
			return 0;
		}
		do {
			if (!up(dev))
				return -1;
			subsystem(dev, sub, sizeof(sub));
		} while (strcmp(sub, "pci"));
	}
	return -1;
}

static void put(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(char *out, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && n < IFN_NAMSIZ)	/* longer names are only altnames for udev */
		memcpy(out, buf, (size_t)n + 1);
}

/* ID_NET_NAME_PATH and ID_NET_NAME_SLOT from a PCI device (+ suffix: USB, SR-IOV) */
static void names_pci_slot(const char *sysfs, const char *net, const char *pci, const char *prefix,
			   const char *suffix, unsigned flags, struct ifnames *o)
{
	struct pciaddr a;
	char dom[16] = "", fn[16] = "", port[80];
	unsigned long slot = 0, ari = 0;
	int r;

	if (pci_parse(base(pci), &a))
		return;
	if (!attr_uint(pci, "ari_enabled", &ari) && ari)	/* NAMING_NPAR_ARI */
		a.func += a.slot * 8;
	if (a.domain)
		snprintf(dom, sizeof(dom), "P%u", a.domain);
	if (a.func > 0 || pci_multifunction(pci))
		snprintf(fn, sizeof(fn), "f%u", a.func);
	port_spec(net, flags, port, sizeof(port));
	put(o->path, "%s%sp%us%u%s%s%s", prefix, dom, a.bus, a.slot, fn, port, suffix);
	r = hotplug_slot(sysfs, pci, flags, &slot);
	if (r < 0)
		return;
	put(o->slot, "%s%ss%lu%s%s%s", prefix, r > 0 ? "" : dom, slot, fn, port, suffix);
}

static void names_pci_onboard(const char *net, const char *pci, const char *prefix, const char *suffix,
			      unsigned flags, struct ifnames *o)
{
	unsigned long idx;
	char port[80];

	if (attr_uint(pci, "acpi_index", &idx) && attr_uint(pci, "index", &idx))
		return;
	if (idx > ONBOARD_MAX)		/* firmware rubbish (VMware likes 2^24-1) */
		return;
	port_spec(net, flags, port, sizeof(port));
	put(o->onboard, "%so%lu%s%s", prefix, idx, port, suffix);
}

/* SR-IOV VF: named after its physical function, with "v<N>" appended */
static bool virtfn(const char *pci, char *physfn, size_t plen, char *suffix, size_t slen)
{
	char p[PATH_MAX], self[PATH_MAX];
	struct dirent *de;
	DIR *d;
	bool found = false;

	if (snprintf(p, sizeof(p), "%s/physfn", pci) >= (int)sizeof(p) || !realpath(p, physfn) ||
	    strlen(physfn) >= plen || !realpath(pci, self) || !(d = opendir(physfn)))
		return false;
	while (!found && (de = readdir(d))) {
		char l[PATH_MAX], r[PATH_MAX];
		const char *n = de->d_name + 6;

		if (strncmp(de->d_name, "virtfn", 6) || !*n || strspn(n, "0123456789") != strlen(n))
			continue;
		if (snprintf(l, sizeof(l), "%s/%s", physfn, de->d_name) >= (int)sizeof(l) || !realpath(l, r))
			continue;
		if (!strcmp(r, self)) {
			snprintf(suffix, slen, "v%s", n);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* "1-1.2:1.0" -> "u1u2" (+ c<config> unless 1, i<interface> unless 0) */
static int usb_spec(const char *sysname, char *out, size_t len)
{
	const char *dash = strchr(sysname, '-'), *colon, *dot;
	char ports[64], cfg[16], intf[16];
	size_t n = 0;

	if (!dash || !(colon = strchr(dash, ':')) || !(dot = strchr(colon, '.')))
		return -EINVAL;
	if ((size_t)(colon - dash - 1) >= sizeof(ports) || (size_t)(dot - colon - 1) >= sizeof(cfg) ||
	    strlen(dot + 1) >= sizeof(intf))
		return -EINVAL;
	memcpy(ports, dash + 1, (size_t)(colon - dash - 1));
	ports[colon - dash - 1] = '\0';
	memcpy(cfg, colon + 1, (size_t)(dot - colon - 1));
	cfg[dot - colon - 1] = '\0';
	snprintf(intf, sizeof(intf), "%s", dot + 1);
	out[n++] = 'u';
	for (const char *p = ports; *p && n + 2 < len; p++)
		out[n++] = *p == '.' ? 'u' : *p;
	out[n] = '\0';
	if (strcmp(cfg, "1"))
		snprintf(out + n, len - n, "c%s", cfg), n = strlen(out);
	if (strcmp(intf, "0"))
		snprintf(out + n, len - n, "i%s", intf);
	return 0;
}

int ifnames_compute(const char *sysfs, const char *ifname, unsigned flags, struct ifnames *o,
		    char *err, size_t errlen)
{
	char link[PATH_MAX], net[PATH_MAX], dev[PATH_MAX], sub[64], dt[64];
	unsigned long type, nat, ifindex, iflink;
	const char *prefix = "en";

	memset(o, 0, sizeof(*o));
	if (!ifname || !*ifname || strchr(ifname, '/') || strlen(ifname) >= IFN_NAMSIZ) {
		seterr(err, errlen, "interface name %s: not a kernel interface name", ifname ? ifname : "");
		return -EINVAL;
	}
	if (snprintf(link, sizeof(link), "%s/class/net/%s", sysfs, ifname) >= (int)sizeof(link) ||
	    !realpath(link, net)) {
		seterr(err, errlen, "%s: reading %s: %s", ifname, link, strerror(errno ? errno : ENAMETOOLONG));
		return errno ? -errno : -ENAMETOOLONG;
	}
	/* "keep": a name user space chose stays; "kernel": so does one the driver calls predictable */
	if (!attr_uint(net, "name_assign_type", &nat) && (nat == NET_NAME_USER || nat == NET_NAME_RENAMED)) {
		o->policy = "keep";
		return 0;
	}
	if (!attr_uint(net, "name_assign_type", &nat) && nat == NET_NAME_PREDICTABLE) {
		o->policy = "kernel";
		return 0;
	}
	if (attr_uint(net, "type", &type) || type != 1)	/* ARPHRD_ETHER only */
		return 0;
	/* stacked devices (VLANs, ...) have no names of their own */
	if (attr_uint(net, "ifindex", &ifindex) || attr_uint(net, "iflink", &iflink) || ifindex != iflink)
		return 0;
	uevent_get(net, "DEVTYPE", dt, sizeof(dt));
	if (!strcmp(dt, "wlan"))
		prefix = "wl";
	else if (!strcmp(dt, "wwan"))
		prefix = "ww";

	/* names_pci: the parent (past virtio) is a PCI device */
	snprintf(dev, sizeof(dev), "%s", net);
	if (up(dev) && up(dev)) {	/* .../<device>/net/<ifname> -> <device> */
		subsystem(dev, sub, sizeof(sub));
		for (int i = 0; i < WALK_MAX && !strcmp(sub, "virtio") && up(dev); i++)
			subsystem(dev, sub, sizeof(sub));
		if (!strcmp(sub, "pci")) {
			char physfn[PATH_MAX], vsuf[24] = "";
			const char *pci = dev;

			if (virtfn(dev, physfn, sizeof(physfn), vsuf, sizeof(vsuf)))
				pci = physfn;
			names_pci_onboard(net, pci, prefix, vsuf, flags, o);
			names_pci_slot(sysfs, net, pci, prefix, vsuf, flags, o);
		}
	}
	/* names_usb: a usb_interface ancestor, named after its PCI host controller */
	snprintf(dev, sizeof(dev), "%s", net);
	if (!o->path[0] && ancestor(dev, "usb", "usb_interface")) {
		char usb[64], pci[PATH_MAX];

		if (!usb_spec(base(dev), usb, sizeof(usb))) {
			snprintf(pci, sizeof(pci), "%s", dev);
			if (ancestor(pci, "pci", NULL))
				names_pci_slot(sysfs, net, pci, prefix, usb, flags, o);
			else if (flags & IFN_USB_HOST)
				put(o->path, "%s%s", prefix, usb);
		}
	}
	if (o->onboard[0])
		o->policy = "onboard";
	else if (o->slot[0])
		o->policy = "slot";
	else if (o->path[0])
		o->policy = "path";
	if (o->policy)
		snprintf(o->name, sizeof(o->name), "%s", o->policy[0] == 'o' ? o->onboard :
			 o->policy[0] == 's' ? o->slot : o->path);
	return 0;
}
