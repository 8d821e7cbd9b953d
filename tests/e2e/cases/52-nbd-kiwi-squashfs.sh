#!/bin/bash
# KIWI's seed form without a port, root=overlay:nbd=<server-ip>:<export>, with a squashfs image
# (type detected by magic) exported read-only by nbd-server. The guest reaches the default port
# 10809 of 10.0.2.100, which QEMU forwards to the test's nbd-server (guestfwd).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.sqfs"
nbd_serve "$W/root.sqfs" readonly
qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.100:export" \
	-netdev "user,id=n0,guestfwd=tcp:10.0.2.100:10809-tcp:127.0.0.1:$NBD_PORT" -device virtio-net-pci,netdev=n0 ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip=10.0.2.15/24
expect_log "$W/boot.log" "netinit: .*squashfs mounted read-only at /run/rootfsbase"
