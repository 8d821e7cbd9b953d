#!/bin/bash
# A URL the server does not have (404): fatal at once (no retries) with the HTTP status and the URL.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$W/srv"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/no/such/root.squashfs
E2E_STOP_ON="netinit: rebooting now" E2E_TIMEOUT=120 qemu_boot "$W/boot.log" "root=live:$url" $QEMU_USERNET || fail "QEMU did not stop"
expect_log "$W/boot.log" "netinit: fatal: download: $url: HTTP 404 Not Found"
expect_log "$W/boot.log" 'netinit: hint: check the URL'
expect_no_log "$W/boot.log" 'retrying|NETINIT-RESULT|Kernel panic'
t0=$(log_ts "$W/boot.log" 'netinit: network: done'); t1=$(log_ts "$W/boot.log" 'netinit: fatal: download')
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }' || fail "404 took $t0 -> $t1 s of guest time (expected under 2 s)"
note "404 reported $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after the network was up"
