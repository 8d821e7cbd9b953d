#!/bin/bash
# Two NICs, only the second gets DHCP: eth0 sits on an empty QEMU hub (carrier, no server),
# eth1 is on the user network. ip=dhcp runs on both at once and takes eth1's lease
# without waiting for eth0's DHCP to time out.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" "net.ifnames=0 root=live:/images/root.squashfs ip=dhcp rd.net.timeout.dhcp=60" \
	-netdev hubport,id=n1,hubid=1 -device virtio-net-pci,netdev=n1 \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0 || fail "boot did not finish"
# (expect_result would read the ip= of the cmdline= field, which also holds ip=)
expect_log "$W/boot.log" 'NETINIT-RESULT .* ip=10\.0\.2\.15/24 lower='
note "$(result_line "$W/boot.log")"
expect_log "$W/boot.log" 'network: eth1: DHCP lease 10\.0\.2\.15/24'
expect_log "$W/boot.log" 'network: eth0: link up'
expect_no_log "$W/boot.log" 'no DHCP lease'
