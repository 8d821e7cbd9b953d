#!/bin/bash
# Classic local root: an ext4 virtio disk by /dev/vda, mounted rw.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/disk.img" 64 netinit-root
qemu_boot "$W/boot.log" "root=/dev/vda rw" -drive file="$W/disk.img",format=raw,if=virtio || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=ext4 root_rw=yes lower=no
expect_log "$W/boot.log" 'netinit: switching root to /sysroot'
