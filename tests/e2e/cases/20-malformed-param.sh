#!/bin/bash
# A malformed value of a key we own stops the boot with one line naming key, value and form;
# PID 1 does not exit (no kernel panic), it reboots per panic=-1.
. "$(dirname "$0")/../lib.sh"
qemu_boot "$W/boot.log" "root=/dev/vda rd.retry=soon" || fail "QEMU did not stop (expected a reboot per panic=-1)"
expect_log "$W/boot.log" 'netinit: fatal: cmdline: kernel command line: rd.retry=soon: expected a whole number of seconds'
expect_log "$W/boot.log" 'netinit: rebooting now \(panic=-1\)'
expect_no_log "$W/boot.log" 'Kernel panic|Attempted to kill init'
