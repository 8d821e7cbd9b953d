#!/bin/bash
# The Debian 12 networkd root (the one of e2e 90, systemd-networkd configured for ens3 as an
# installer writes it) as an OCI image (one gzip layer, mk-debian-root.sh's .oci output), pushed
# to Debian's docker-registry on the host and booted with root=bootc-live:docker://…: layers
# streamed into the tmpfs tree, read-only bind with /etc and /var overlays. The booted system
# must see the NIC under its udev name (ens3, QEMU slot 3; links=lo,ens3), apply its own
# 10-ens3.network (DHCP and the marker address 192.0.2.50/24; netinit's 99-netinit-ens3.network
# sorts after it), reach multi-user.target with no failed unit and power down cleanly.
# Before this case nothing booted a systemd root through bootc-live; without the renaming
# (net.ifnames=0) links=lo,eth0 and the case fails, as e2e 90 does.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/debian-lib.sh"
. "$NETINIT_ROOT/tests/host/oci/registry.sh"
command -v docker-registry >/dev/null && command -v skopeo >/dev/null || skip "docker-registry/skopeo missing"
img=$NETINIT_BUILD/debian/bookworm-networkd.oci
debian_root networkd "$img" mmdebstrap/umoci
trap stop_registry EXIT
start_registry || fail "docker-registry did not start"
mkdir -p "$W/layout" && tar -C "$W/layout" -xf "$img" || fail "unpacking $img"
push_image "$W/layout:latest" debian/networkd:12 || fail "skopeo push"
rm -rf "$W/layout"
E2E_MEM=1536 E2E_TIMEOUT=${E2E_TIMEOUT:-600} E2E_STOP_ON='reboot: Power down' \
	qemu_boot "$W/boot.log" "root=bootc-live:docker://10.0.2.2:$REG_PORT/debian/networkd:12 bootc.registry.unsecure systemd.show_status=0" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0,addr=3 || fail "boot did not finish"
expect_log "$W/boot.log" 'network: eth0: renamed to ens3 \(udev slot name'
expect_log "$W/boot.log" "bootc: .*$PUSHED_DIGEST"
debian_result "$W/boot.log"
debian_healthy "$W/boot.log"
expect_log "$W/boot.log" 'DEBIAN-LINK ens3 state=routable/configured file=/etc/systemd/network/10-ens3\.network keep=none addrs=.*192\.0\.2\.50/24'
expect_log "$W/boot.log" 'DEBIAN-LINK ens3 .*addrs=.*10\.0\.2\.15/24'
# not a Kairos image, no Kairos parameter: no Kairos live mode
expect_no_log "$W/boot.log" 'netinit: kairos:'
