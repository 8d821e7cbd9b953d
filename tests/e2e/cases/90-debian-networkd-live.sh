#!/bin/bash
# A real Debian 12 (systemd, udev, systemd-networkd configured for ens3 as an installer writes
# it) booted as a live squashfs over HTTP. The booted system must see the NIC under the name its
# udev gives (ens3 in QEMU's hot-pluggable slot 3, no eth0), apply its own .network file
# (DHCP and the marker address 192.0.2.50/24), reach multi-user.target with no failed unit
# and power down cleanly. Without the renaming (net.ifnames=0, or before net/ifnames.c) the link
# stays eth0 (links=lo,eth0: this case fails); networkd still applies 10-ens3.network then, through
# the altname ens3 udev adds to a link it can no longer rename, but ifupdown, firewall rules and
# anything else matching the interface name do not.
# netinit's fallback /run/systemd/network/99-netinit-ens3.network (a live root) sorts after
# 10-ens3.network: the system's own file is the one applied (keep=none: no KeepConfiguration=).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/debian-lib.sh"
sq=$NETINIT_BUILD/debian/bookworm-networkd.squashfs
debian_root networkd "$sq"
mkdir -p "$W/srv"; ln -s "$sq" "$W/srv/root.squashfs"
start_http "$W/srv"
E2E_MEM=1536 E2E_TIMEOUT=${E2E_TIMEOUT:-600} E2E_STOP_ON='reboot: Power down' \
	qemu_boot "$W/boot.log" "root=live:http://10.0.2.2:$HTTP_PORT/root.squashfs systemd.show_status=0" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0,addr=3 || fail "boot did not finish"
expect_log "$W/boot.log" 'network: eth0: renamed to ens3 \(udev slot name, scheme v257\)'
expect_log "$W/boot.log" 'network: ens3: DHCP lease 10\.0\.2\.15/24'
debian_result "$W/boot.log"
debian_healthy "$W/boot.log"
expect_log "$W/boot.log" 'DEBIAN-LINK ens3 state=routable/configured file=/etc/systemd/network/10-ens3\.network keep=none addrs=.*192\.0\.2\.50/24'
expect_log "$W/boot.log" 'DEBIAN-LINK ens3 .*addrs=.*10\.0\.2\.15/24'
