#!/bin/bash
# The KIWI live document's persistent line, ip=dhcp included (KIWI's /dev/sda is our /dev/vda,
# http instead of ftp): boot 1 deploys the ISO onto the disk; boot 2, the same line with no NIC,
# boots standalone from the disk (the network stage warns once and goes on: the root does not
# need it); boot 3, the same line with a NIC whose DHCP server never answers, boots the same way.
# A network root with no NIC is still fatal (e2e 26).
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
mkdir -p "$W/srv/LiveOS" "$W/.sq/LiveOS"
mk_ext4 "$W/root" "$W/.sq/LiveOS/rootfs.img" 16
mk_squashfs "$W/.sq" "$W/srv/LiveOS/squashfs.img"
xorriso -as mkisofs -quiet -V CDROM -o "$W/live.iso" "$W/srv" 2>/dev/null || fail "xorriso"
rm -rf "$W/srv"; mkdir -p "$W/srv"; mv "$W/live.iso" "$W/srv/"
start_http "$W/srv"
mkfs_list xfs "$W/mkfs-xfs.list"
"$NETINIT_BUILD/mkcpio" "$W/mkfs-xfs.list" | gzip -1 > "$W/.xfs.cpio.gz" || fail "mkcpio"
cat "$INITRD" "$W/.xfs.cpio.gz" > "$W/initrd-xfs.img"
export E2E_INITRD=$W/initrd-xfs.img
truncate -s 512M "$W/disk.img"	# mkfs.xfs wants at least 300 MiB
DISK="-drive file=$W/disk.img,format=raw,if=virtio"
kapp="ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/live.iso ramdisk_size=2097152 rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.live.overlay.cowfs=xfs"

qemu_boot "$W/boot1.log" "$kapp" $QEMU_USERNET $DISK || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes marker=none
expect_log "$W/boot1.log" 'netinit: deploy: created the write partition /dev/vda1 \(label cow, xfs\)'

# no NIC at all: the iflink wait (60 s), one warning, then the disk
E2E_TIMEOUT=300 qemu_boot "$W/boot2.log" "$kapp" $DISK || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=overlay marker=seen ip=none
expect_log "$W/boot2.log" 'netinit: network: unavailable, going on without it .*no usable network interface appeared in 60 s'
expect_log "$W/boot2.log" 'netinit: deploy: booting the image on /dev/vda: no download, no network'
expect_no_log "$W/boot2.log" 'netinit: fatal|netinit: downloading'
[ "$(grep -ac 'netinit: network: unavailable' "$W/boot2.log")" = 1 ] || fail "boot 2: the warning is not said once"

# a NIC on a hub with nobody else: DHCP never answers (rd.net.timeout.dhcp, 30 s)
E2E_TIMEOUT=300 qemu_boot "$W/boot3.log" "$kapp" -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0 $DISK ||
	fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay marker=seen
expect_log "$W/boot3.log" 'netinit: network: unavailable, going on without it'
expect_no_log "$W/boot3.log" 'netinit: fatal|netinit: downloading'
