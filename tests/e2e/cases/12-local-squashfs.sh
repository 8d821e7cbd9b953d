#!/bin/bash
# Local root on a squashfs disk (type detected by magic), read-only, no overlay.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/disk.img"
qemu_boot "$W/boot.log" "root=/dev/vda" -drive file="$W/disk.img",format=raw,if=virtio,readonly=on || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=squashfs root_rw=no
