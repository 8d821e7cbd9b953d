#!/bin/bash
# Hostile HTTP servers for root=live: (tests/e2e/tools/hostile.py). Each boot ends in one
# fatal line naming what was wrong, within rd.retry, and never in a kernel panic:
#   norange-cut  Range ignored and every transfer cut halfway: bytes received again after a
#                restart are not progress, so rd.retry fires and the backoff keeps growing
#   trickle      one byte a second: a stall (< 1 KiB/s for 30 s), not progress
#   loop         a redirect loop: refused after 10 redirects
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
PORT=$(free_port); : > "$W/hostile.log"
python3 "$NETINIT_ROOT/tests/e2e/tools/hostile.py" "$PORT" "$W/srv" "$W/hostile.log" &
HPID=$!; trap 'kill $HPID 2>/dev/null' EXIT
wait_port "$PORT" || fail "hostile.py did not start"
export E2E_STOP_ON='netinit: rebooting now|NETINIT-RESULT|Kernel panic' E2E_TIMEOUT=150
boot() { # NAME MODE EXTRA: boot root=live: from /MODE/root.squashfs
	: > "$W/hostile.log"
	qemu_boot "$W/$1.log" "root=live:http://10.0.2.2:$PORT/$2/root.squashfs $3" $QEMU_USERNET || true
	expect_no_log "$W/$1.log" 'NETINIT-RESULT|Kernel panic|Attempted to kill init'
	[ "$(grep -ac 'netinit: fatal:' "$W/$1.log")" = 1 ] || fail "$1: expected exactly one fatal line"
	note "$1: $(grep -a 'netinit: fatal' "$W/$1.log" | tr -d '\r' | cut -c1-220)"
}
boot norange norange-cut rd.retry=12
expect_log "$W/norange.log" 'netinit: fatal: download: .*giving up on http://10.0.2.2:[0-9]+/norange-cut/root.squashfs after [0-9]+ s and [0-9]+ attempts'
# the backoff doubled (0.5, 1, 2, 4 s ...; each wait drawn below it: full jitter) instead of
# starting over after every re-sent half
expect_log "$W/norange.log" 'retrying in [0-9]+ ms \(jittered, backoff up to 4000 ms\)'
gets=$(grep -c '^GET /norange-cut/' "$W/hostile.log")
[ "$gets" -le 20 ] || fail "norange: $gets GETs within rd.retry=12 (backoff did not grow)"
boot trickle trickle rd.retry=5
expect_log "$W/trickle.log" 'netinit: fatal: download: .*giving up on .*/trickle/root.squashfs after [0-9]+ s and 1 attempt: .*stalled, [0-9]+ bytes in 30 s \(expected at least 1024 bytes/s\)'
boot loop loop ""
expect_log "$W/loop.log" 'netinit: fatal: download: .*/loop/root.squashfs: .*[Mm]aximum \(10\) redirects followed'
