#!/bin/bash
# rd.shell with no shell in the initramfs: a clear message; panic=0 then halts with the reason shown.
. "$(dirname "$0")/../lib.sh"
E2E_STOP_ON="reboot: System halted" E2E_TIMEOUT=120 qemu_boot "$W/boot.log" "root=LABEL=does-not-exist rd.retry=1 rd.shell panic=0"
expect_log "$W/boot.log" 'netinit: fatal: root: LABEL=does-not-exist'
expect_log "$W/boot.log" 'rd.shell: no shell in this initramfs'
expect_log "$W/boot.log" 'netinit: system halted'
expect_log "$W/boot.log" 'reboot: System halted'
expect_no_log "$W/boot.log" 'Kernel panic|Attempted to kill init|NETINIT-RESULT'
