/*
 * ifnames: the name the booted system's udev would give a NIC, computed from
 * sysfs the way systemd's net_id builtin does and chosen by the default
 * NamePolicy of 99-default.link ("keep kernel database onboard slot path").
 * Read through a sysfs root (normally "/sys") so unit tests use fixtures.
 *
 * Naming schemes (net.naming-scheme= / net.naming_scheme=): the flag sets of
 * systemd v252 (Debian 12) and v257 (Debian 13); "v253".."v256" map to the
 * nearest implemented behaviour (see docs/booted-system.md). What is not
 * computed: the hwdb ("database": ID_NET_NAME_FROM_DATABASE), devicetree
 * aliases, CCW/VIO/platform/Xen/netdevsim/BCMA names (no PCI or USB parent:
 * the kernel name is kept), InfiniBand/SLIP prefixes, the MAC policy (not in
 * the default policy). 0 or -errno; never prints.
 */
#ifndef NETINIT_NET_IFNAMES_H
#define NETINIT_NET_IFNAMES_H

#include <stddef.h>

#define IFN_NAMSIZ	16	/* IFNAMSIZ: 15 characters and the NUL */

/* scheme flags (the subset of systemd's NamingSchemeFlags that changes what we compute) */
#define IFN_BRIDGE_MULTIFUNCTION_SLOT	0x1u	/* v251..v254: a bridge's slot still names a multi-function device */
#define IFN_USB_HOST			0x2u	/* v253+: USB NIC without a PCI controller: en<usb> */
#define IFN_SR_IOV_R			0x4u	/* v255+: VF representor "r<N>" from phys_port_name pfMvfN */
#define IFN_FIRMWARE_NODE_SUN		0x8u	/* v257+: ACPI _SUN in firmware_node/sun is a slot number */

#define IFN_SCHEME_V252	(IFN_BRIDGE_MULTIFUNCTION_SLOT)
#define IFN_SCHEME_V257	(IFN_USB_HOST | IFN_SR_IOV_R | IFN_FIRMWARE_NODE_SUN)
#define IFN_SCHEME_DEFAULT	IFN_SCHEME_V257	/* "latest" as far as netinit knows */

struct ifnames {
	char onboard[IFN_NAMSIZ];	/* ID_NET_NAME_ONBOARD, "" if none */
	char slot[IFN_NAMSIZ];		/* ID_NET_NAME_SLOT */
	char path[IFN_NAMSIZ];		/* ID_NET_NAME_PATH */
	const char *policy;		/* which policy chose: "keep", "kernel", "onboard", "slot", "path" or NULL */
	char name[IFN_NAMSIZ];		/* the chosen name; "" when the policy keeps the current name */
};

/* "v252", "v257", "latest", ... -> flags; -EINVAL for a name we do not know. */
int ifnames_scheme(const char *name, unsigned *flags);

/* Compute the names of <sysfs>/class/net/<ifname>. 0 (out->name may be "" when
 * nothing applies or the kernel/user name is kept), or -errno with err filled
 * when the interface cannot be read at all. */
int ifnames_compute(const char *sysfs, const char *ifname, unsigned flags, struct ifnames *out,
		    char *err, size_t errlen);

#endif
