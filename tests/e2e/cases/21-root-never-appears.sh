#!/bin/bash
# A root device that never appears: fatal after rd.retry seconds, naming what it waited for.
. "$(dirname "$0")/../lib.sh"
qemu_boot "$W/boot.log" "root=LABEL=does-not-exist rd.retry=4" || fail "QEMU did not stop"
expect_log "$W/boot.log" 'netinit: fatal: root: LABEL=does-not-exist: no such device appeared after 4 s'
expect_log "$W/boot.log" 'netinit: hint: '
expect_no_log "$W/boot.log" 'Kernel panic|Attempted to kill init'
