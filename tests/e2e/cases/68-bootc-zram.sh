#!/bin/bash
# bootc.zram=<size>: the image is unpacked into an ext4 on a compressed RAM disk (/dev/zram0)
# made with the mkfs.ext4 that `make initramfs MKFS=ext4` packs (here: the same list,
# tools/mkfs-list.sh, appended); without mkfs.ext4 in the initramfs the boot stops and says so.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
bootc_images
mkfs_list ext4 "$W/mkfs.list"
"$NETINIT_BUILD/mkcpio" "$W/mkfs.list" | gzip -1 > "$W/mkfs.cpio.gz" || fail "mkcpio"
initrd_with "$W/base.img" "$W/img/root.oci:/root.oci"
cat "$W/base.img" "$W/mkfs.cpio.gz" > "$W/initrd.img"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" "root=bootc-live:/root.oci bootc.zram=256M" || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=ext4 root_rw=no etc_rw=yes var_rw=yes marker=label-latest
expect_layers_applied "$W/boot.log"
expect_log "$W/boot.log" 'bootc: unpacking into an ext4 on /dev/zram0 \(256M, compressed\)'
E2E_INITRD="$W/base.img" qemu_boot "$W/boot2.log" "root=bootc-live:/root.oci bootc.zram=256M" || fail "QEMU did not stop"
expect_log "$W/boot2.log" 'netinit: fatal: root: bootc.zram: mkfs.ext4 is not in the initramfs'
expect_log "$W/boot2.log" 'make initramfs MKFS=ext4'
