#!/bin/bash
# A fatal line longer than a /dev/kmsg record (a presigned-style URL of ~1800 bytes, 404 from
# the server): the whole reason reaches the serial console, cut into records whose followers
# start with "netinit: (continued) ", before the hint and "rebooting now".
. "$(dirname "$0")/../lib.sh"
mkdir -p "$W/srv"
start_http "$W/srv"
sig=$(head -c 1200 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 1700)
url="http://10.0.2.2:$HTTP_PORT/bucket/root.squashfs?X-Amz-Signature=${sig}&end=1"
[ ${#url} -gt 1750 ] || fail "URL is only ${#url} bytes"
E2E_STOP_ON="netinit: rebooting now" E2E_TIMEOUT=120 qemu_boot "$W/boot.log" "root=live:$url" $QEMU_USERNET ||
	fail "QEMU did not stop"
# join the records back into one line: the first, then every "(continued)" one after it
whole=$(tr -d '\r' < "$W/boot.log" | awk '
	/netinit: fatal: download: / { sub(/^.*netinit: fatal: /, "fatal: "); line = $0; on = 1; next }
	on && /netinit: \(continued\) / { sub(/^.*netinit: \(continued\) /, ""); line = line $0; next }
	on { print line; on = 0 }
	END { if (on) print line }')
want="fatal: download: $url: HTTP 404 Not Found"
[ "${whole:0:${#want}}" = "$want" ] ||
	fail "the fatal line on the console is not whole: '${whole:0:200}...' (${#whole} bytes, want ${#want} or more)"
grep -aq 'netinit: (continued) ' "$W/boot.log" || fail "no continued record: the line was not split"
expect_log "$W/boot.log" 'netinit: hint: check the URL'
expect_log "$W/boot.log" 'netinit: rebooting now'
expect_no_log "$W/boot.log" 'Kernel panic'
note "a ${#url}-byte URL: the fatal line reached the console in $(grep -ac 'netinit: fatal: download: \|netinit: (continued) ' "$W/boot.log") records"
exit 0
