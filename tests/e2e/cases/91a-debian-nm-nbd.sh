#!/bin/bash
# The network handoff to NetworkManager on a real Debian 12 (NetworkManager 1.42 with the
# installer's profile /etc/NetworkManager/system-connections/ens3.nmconnection, "Wired connection
# 1") whose root is an ext4 image on NBD (KIWI's root=overlay:nbd=, read-only lower, tmpfs upper),
# and the shutdown of that root through /run/initramfs/shutdown.
# netinit leaves the keyfile nm-initrd-generator writes and the device state NetworkManager leaves
# when it ran in the initrd (/run/NetworkManager/devices/<ifindex>: managed, connection-uuid=).
# The booted NetworkManager must assume that profile on ens3 ("connected", not "connected
# (externally)": without the device state, seen with this commit's initramfs minus the nm_state
# file, it generates an external "ens3" profile and manages nothing) without ever deleting
# 10.0.2.15 (ip monitor from before NetworkManager starts); the 50 MiB file reads back intact
# after drop_caches with NetworkManager in charge; multi-user with no failed unit. At poweroff
# systemd pivots into /run/initramfs and runs netinit's shutdown, which unmounts the overlay and
# its NBD lower and disconnects /dev/nbd0 before the kernel powers down (without it: no
# "Returning to initrd", the NBD device is never disconnected).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/debian-lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
img=$NETINIT_BUILD/debian/bookworm-nm.ext4
debian_root nm "$img"
nbd_serve "$img" readonly
E2E_MEM=1536 E2E_TIMEOUT=${E2E_TIMEOUT:-900} E2E_STOP_ON='reboot: Power down' \
	qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.2:$NBD_PORT:export rd.retry=60 systemd.show_status=0" \
	-netdev user,id=n0,hostname=netinit-dhcp -device virtio-net-pci,netdev=n0,addr=3 || fail "boot did not finish"
debian_result "$W/boot.log"
debian_healthy "$W/boot.log"
note "$(grep -a 'DEBIAN-NM ' "$W/boot.log" | tail -n 1 | tr -d '\r')"
note "$(grep -a 'DEBIAN-BIGFILE' "$W/boot.log" | tail -n 1 | tr -d '\r')"
expect_log "$W/boot.log" 'network: eth0: renamed to ens3'
expect_log "$W/boot.log" 'handoff: NetworkManager for ens3: /run/NetworkManager/system-connections/ens3\.nmconnection'
expect_log "$W/boot.log" 'handoff: NetworkManager for ens3: /run/NetworkManager/devices/[0-9]* \(device state'
# NetworkManager assumed the boot profile (indicated by the device state), not an external one
expect_log "$W/boot.log" "DEBIAN-NMLOG .*assume: will attempt to assume matching connection 'ens3' .*(indicated)"
expect_log "$W/boot.log" 'DEBIAN-NM ens3 state=100_\(connected\) conn=ens3 file=/run/NetworkManager/system-connections/ens3\.nmconnection addrs=10\.0\.2\.15/24'
expect_no_log "$W/boot.log" 'DEBIAN-NMLOG .*state change: .* -> unavailable .*reason .carrier'
expect_log "$W/boot.log" 'DEBIAN-ADDRWATCH early_hostname=netinit-dhcp deleted=0 '
expect_no_log "$W/boot.log" 'DEBIAN-ADDRWATCH-DEL'
expect_log "$W/boot.log" 'DEBIAN-BIGFILE intact size=52428800 .*lower=/dev/nbd0'
case $res in *" hostname=netinit-dhcp "*) ;; *) fail "the host name is not the DHCP one: $res" ;; esac
# the shutdown: systemd's pivot, netinit unmounts the old root and disconnects the export
debian_nbd_shutdown "$W/boot.log" poweroff
