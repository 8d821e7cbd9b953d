#!/bin/bash
# A wrong export name: one fatal line naming the export the server does not have, at once
# (no retrying until rd.retry), and a hint about the nbd-server config sections.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/root.img" 32
nbd_serve "$W/root.img"
qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.2:$NBD_PORT:no-such-export rd.retry=100" $NET_USER ||
	fail "QEMU did not stop"
expect_log "$W/boot.log" "netinit: fatal: root: .*server has no export named 'no-such-export'"
expect_log "$W/boot.log" "netinit: hint: .*export name"
expect_no_log "$W/boot.log" "NETINIT-RESULT|Kernel panic|retrying"
