/* handoff: what the booted system's network manager reads to take the boot interface
 * over, as text (pure: no I/O; init/ writes the files into /run before switch_root).
 *
 *   systemd-networkd  run/systemd/network/<NN>-netinit-<iface>.network
 *       [Match] Name=<iface>, the boot configuration (DHCP=ipv4 asking for the same
 *       address with the MAC as client id, or the static address, gateway, DNS), and for
 *       a network root (NBD, AoE) KeepConfiguration=yes, so networkd never drops the
 *       address (or a DHCP address whose lease ran out) the root lives on.
 *       NN: 00 for a network root (sorts before the system's own files: this file is the
 *       one networkd applies), 99 for anything else (sorts after them: the system's own
 *       configuration wins, this one only catches a link it has none for). A file of the
 *       same name in /etc/systemd/network overrides it either way.
 *   NetworkManager    run/NetworkManager/system-connections/<iface>.nmconnection (0600)
 *       the keyfile nm-initrd-generator writes for ip=<iface>:dhcp (or the static form):
 *       id and interface-name <iface>, multi-connect single, autoconnect-retries 1,
 *       origin nm-initrd-generator.
 *                     run/NetworkManager/devices/<ifindex>: the device state NetworkManager
 *       leaves when it ran in the initrd (managed=true, connection-uuid= that profile), so
 *       the booted NetworkManager assumes the running configuration instead of treating the
 *       link as configured externally.
 *   ifupdown          for a network root only, two systemd drop-ins:
 *       run/systemd/system/ifup@<iface>.service.d/50-netinit-netroot.conf (no ifdown at
 *       shutdown: dhclient, stopped with SIGTERM, keeps its lease) and
 *       run/systemd/system/networking.service.d/50-netinit-netroot-<iface>.conf ("ifdown -a"
 *       excludes <iface>). /run/network/ifstate is not written: ifup then runs the system's
 *       own "iface <iface>" (dhclient asks for the same lease; the address stays).
 *   hostname          the DHCP host name (option 12, or ip='s) if it is a valid host
 *       name, for /proc/sys/kernel/hostname as dracut's dhclient-script sets it.
 * Values a DHCP server sent (host name, domain) are written only when they are plain
 * DNS names (letters, digits, '-', '.'), so nothing from the network reaches the
 * INI-style files except such names. */
#ifndef NETINIT_NET_HANDOFF_H
#define NETINIT_NET_HANDOFF_H
#include <stdbool.h>
#include <stddef.h>

#include "net/net.h"

#define HANDOFF_TEXT_MAX 4096	/* the longest text handoff_*_format can produce fits */
#define HANDOFF_PATH_MAX 96	/* the longest relative path handoff_*_path produces */

struct handoff {
	const struct net_result *res;	/* the configured boot interface */
	const char *netroot;		/* "nbd", "aoe": the root lives on this link; NULL: it does not */
	const char *uuid;		/* the NetworkManager profile's UUID (36 characters) */
	int ifindex;			/* the boot interface's index (NetworkManager's device state) */
};

/* "run/systemd/network/00-netinit-ens3.network" (relative to the new root's /). */
int handoff_networkd_path(const struct handoff *h, char *buf, size_t len);
int handoff_networkd_format(const struct handoff *h, char *buf, size_t len);

/* "run/NetworkManager/system-connections/ens3.nmconnection". */
int handoff_nm_path(const struct handoff *h, char *buf, size_t len);
int handoff_nm_format(const struct handoff *h, char *buf, size_t len);

/* "run/NetworkManager/devices/2" (needs h->ifindex > 0 and h->uuid). */
int handoff_nm_state_path(const struct handoff *h, char *buf, size_t len);
int handoff_nm_state_format(const struct handoff *h, char *buf, size_t len);

/* ifupdown's drop-ins; -ENOENT when the root is not on the network (nothing to write). */
int handoff_ifup_path(const struct handoff *h, char *buf, size_t len);
int handoff_ifup_format(const struct handoff *h, char *buf, size_t len);
int handoff_networking_path(const struct handoff *h, char *buf, size_t len);
int handoff_networking_format(const struct handoff *h, char *buf, size_t len);

/* Is name a host name to set (1-63 characters of letters, digits, '-' and '.', no
 * leading '-' or '.')? */
bool handoff_hostname_ok(const char *name);

/* All return 0, -EINVAL (no interface, an interface name or UUID that is not plain),
 * or -ENOSPC when the text does not fit (buf then holds "", never half a file). */
#endif
