#!/bin/bash
# dracut's form root=nbd:<server>:<export>:<fstype>:<rootflags>: the export itself is the root
# (no overlay), mounted with the given type; the port is the default 10809 (QEMU forwards
# 10.0.2.100:10809 to the test's nbd-server). Then netroot=nbd: with a numeric port is refused
# by nbd-server for want of a default export: a clear error.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/root.img" 64
nbd_serve "$W/root.img"
fwd="-netdev user,id=n0,guestfwd=tcp:10.0.2.100:10809-tcp:127.0.0.1:$NBD_PORT -device virtio-net-pci,netdev=n0"
qemu_boot "$W/boot.log" "root=nbd:10.0.2.100:export:ext4:ro,noatime,errors=remount-ro" $fwd || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=ext4 root_rw=no lower=no
expect_no_log "$W/boot.log" "Invalid argument"
qemu_boot "$W/boot2.log" "netroot=nbd:10.0.2.2:$NBD_PORT rd.retry=5" $NET_USER || fail "QEMU did not stop"
expect_log "$W/boot2.log" "netinit: fatal: root: .*server has no default export"
