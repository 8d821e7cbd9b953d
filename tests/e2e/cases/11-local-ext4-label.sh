#!/bin/bash
# Local root by LABEL=, read-only by default (like the kernel and dracut).
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/disk.img" 64 netinit-root
qemu_boot "$W/boot.log" "root=LABEL=netinit-root" -drive file="$W/disk.img",format=raw,if=virtio || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=ext4 root_rw=no
