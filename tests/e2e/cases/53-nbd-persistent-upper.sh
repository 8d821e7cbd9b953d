#!/bin/bash
# rd.root.overlay.write=/dev/vdb: the overlay upper is a local ext4 disk, so a file written on
# the first boot (the test root writes /netinit-marker) is there on the second; the NBD lower
# stays read-only. rd.root.overlay.temporary then forces a tmpfs upper again.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/root.img" 64
mkdir -p "$W/empty"; mk_ext4 "$W/empty" "$W/upper.img" 32
nbd_serve "$W/root.img"
disk="-drive file=$W/upper.img,format=raw,if=virtio"
args="root=overlay:nbd=10.0.2.2:$NBD_PORT:export rd.root.overlay.write=/dev/vda"
qemu_boot "$W/boot1.log" "$args" $NET_USER $disk || fail "first boot did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes lower=yes marker=none
qemu_boot "$W/boot2.log" "$args" $NET_USER $disk || fail "second boot did not finish"
expect_result "$W/boot2.log" rootfs=overlay root_rw=yes lower=yes marker=seen
qemu_boot "$W/boot3.log" "$args rd.root.overlay.temporary" $NET_USER $disk || fail "third boot did not finish"
expect_result "$W/boot3.log" rootfs=overlay root_rw=yes lower=yes marker=none
