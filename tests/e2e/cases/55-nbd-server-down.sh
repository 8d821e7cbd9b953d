#!/bin/bash
# No NBD server at boot: the client retries with back-off and gives up after rd.retry with one
# fatal line (server, port, cause, attempts).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
P=$(free_port)
qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.2:$P:export rd.retry=6" $NET_USER || fail "QEMU did not stop"
expect_log "$W/boot.log" "netinit: nbd: 10.0.2.2 port $P: Connection refused; retrying in"
expect_log "$W/boot.log" "netinit: fatal: root: .*cannot connect to NBD server 10.0.2.2 port $P: Connection refused \(after [0-9]+ attempts\)"
expect_log "$W/boot.log" "netinit: hint: .*rd.retry"
expect_no_log "$W/boot.log" "NETINIT-RESULT|Kernel panic"
