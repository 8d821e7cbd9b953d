#!/bin/bash
# rd.live.overlay.cowfs: an xfs cow partition (mkfs.xfs and its libraries added to the initramfs
# the way `make initramfs MKFS=xfs` should) keeps a file across two boots; a cowfs whose mkfs is
# not in the initramfs stops the boot with a message that names the missing program and the fix.
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
mkdir -p "$W/srv/LiveOS" "$W/.sq/LiveOS"
mk_ext4 "$W/root" "$W/.sq/LiveOS/rootfs.img" 16
mk_squashfs "$W/.sq" "$W/srv/LiveOS/squashfs.img"
xorriso -as mkisofs -quiet -V KIWITEST -o "$W/live.iso" "$W/srv" 2>/dev/null || fail "xorriso"
rm -rf "$W/srv"; mkdir -p "$W/srv"; mv "$W/live.iso" "$W/srv/"
start_http "$W/srv"
kapp="root=live:http://10.0.2.2:$HTTP_PORT/live.iso rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent"

# xfs: its mkfs wants a filesystem of at least 300 MiB
mkfs_list xfs "$W/mkfs-xfs.list"
"$NETINIT_BUILD/mkcpio" "$W/mkfs-xfs.list" | gzip -1 > "$W/.xfs.cpio.gz" || fail "mkcpio"
cat "$INITRD" "$W/.xfs.cpio.gz" > "$W/initrd-xfs.img"
truncate -s 512M "$W/disk.img"
DISK="-drive file=$W/disk.img,format=raw,if=virtio"
E2E_INITRD=$W/initrd-xfs.img qemu_boot "$W/boot1.log" "$kapp rd.live.overlay.cowfs=xfs" $QEMU_USERNET $DISK ||
	fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes marker=none
expect_log "$W/boot1.log" 'netinit: deploy: created the write partition /dev/vda1 \(label cow, xfs\)'
expect_log "$W/boot1.log" 'persistent upper /dev/vda1 \(xfs\)'
E2E_INITRD=$W/initrd-xfs.img qemu_boot "$W/boot2.log" "$kapp rd.live.overlay.cowfs=xfs" $DISK ||
	fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=overlay marker=seen ip=none

# KIWI's hybrid stick: root=live:/dev/vda is a disk holding the ISO; the cow partition goes after it
E2E_INITRD=
# hybrid: an MBR whose entry 1 covers the ISO (xorriso --protective-msdos-label); the cow is entry 2
rm -rf "$W/.hy"; mkdir -p "$W/.hy/LiveOS"
mk_squashfs "$W/.sq" "$W/.hy/LiveOS/squashfs.img"
xorriso -as mkisofs -quiet -V KIWISTICK --protective-msdos-label -o "$W/stick.img" "$W/.hy" 2>/dev/null ||
	fail "xorriso hybrid"
truncate -s 256M "$W/stick.img"
sfdisk --dump "$W/stick.img" | grep -q 'stick.img1 : start= *1,' || fail "the hybrid ISO has no MBR entry 1"
mkfs_list ext4 "$W/mkfs-ext4.list"
"$NETINIT_BUILD/mkcpio" "$W/mkfs-ext4.list" | gzip -1 > "$W/.ext4.cpio.gz" || fail "mkcpio"
cat "$INITRD" "$W/.ext4.cpio.gz" > "$W/initrd-ext4.img"
STICK="-drive file=$W/stick.img,format=raw,if=virtio"
E2E_INITRD=$W/initrd-ext4.img qemu_boot "$W/boot4.log" "root=live:/dev/vda rd.live.overlay.persistent" $STICK ||
	fail "boot 4 did not finish"
expect_result "$W/boot4.log" rootfs=overlay root_rw=yes marker=none ip=none
expect_log "$W/boot4.log" 'netinit: deploy: created the write partition /dev/vda2 \(label cow, ext4\)'
sfdisk --dump "$W/stick.img" | grep -q 'stick.img1 : start= *1,' || fail "the hybrid ISO's own MBR entry was lost"
E2E_INITRD=$W/initrd-ext4.img qemu_boot "$W/boot5.log" "root=live:/dev/vda rd.live.overlay.persistent" $STICK ||
	fail "boot 5 did not finish"
expect_result "$W/boot5.log" rootfs=overlay marker=seen
expect_log "$W/boot5.log" 'netinit: deploy: found the write partition /dev/vda2'

# btrfs: no mkfs.btrfs in the plain initramfs
truncate -s 256M "$W/disk2.img"
E2E_TIMEOUT=120 qemu_boot "$W/boot3.log" "$kapp rd.live.overlay.cowfs=btrfs" $QEMU_USERNET \
	-drive file=$W/disk2.img,format=raw,if=virtio
expect_log "$W/boot3.log" 'netinit: fatal: deploy: rd.live.overlay.cowfs: mkfs.btrfs is not in the initramfs .*make initramfs MKFS=btrfs'
expect_no_log "$W/boot3.log" 'NETINIT-RESULT'
expect_no_log "$W/boot3.log" 'netinit: downloading'
[ -z "$(tr -d '\0' < "$W/disk2.img" | head -c 1)" ] || fail "the disk was written although the boot could not finish"


# a disk too small for the image (2 MiB less the record's MiB): refused before a byte of it is written
truncate -s 2M "$W/tiny.img"
E2E_TIMEOUT=120 qemu_boot "$W/boot6.log" "root=live:http://10.0.2.2:$HTTP_PORT/live.iso rd.kiwi.live.system=/dev/vda" \
	$QEMU_USERNET -drive file=$W/tiny.img,format=raw,if=virtio
expect_log "$W/boot6.log" 'netinit: fatal: download: .*/dev/vda'
expect_log "$W/boot6.log" 'netinit: hint: name a bigger disk in rd.kiwi.live.system='
[ -z "$(head -c 1048576 "$W/tiny.img" | tr -d '\0' | head -c 1)" ] || fail "the image was partly written to the small disk"
exit 0
