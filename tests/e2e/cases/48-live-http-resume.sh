#!/bin/bash
# A server that cuts the connection after 2 MB of a 6 MB squashfs (tests/e2e/tools/cutproxy.py in
# front of nginx): the download resumes with a Range request, the sha256 matches, the root boots.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
add_filler "$W/root" 5
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
start_http "$W/srv"
start_cutproxy "$HTTP_PORT" 2000000
qemu_boot "$W/boot.log" "root=live:http://10.0.2.2:$CUT_PORT/root.squashfs rd.live.sha256=$sum" $QEMU_USERNET ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/boot.log" 'netinit: download attempt 1 failed: .*; retrying in [0-9]+ ms'
expect_log "$W/boot.log" 'netinit: download resumed at [0-9.]+ [KM]iB \(byte [1-9][0-9]*\) with a Range request'
expect_log "$W/boot.log" 'after 2 attempts, sha256 verified'
expect_no_log "$W/boot.log" 'ignored the Range|downloading again'
grep -Eq '^conn 1: cut after 2000000 bytes' "$W/cutproxy.log" || fail "the proxy never cut the first connection"
grep -Eiq '^conn 2: range: bytes=[1-9][0-9]*-' "$W/cutproxy.log" || fail "no Range request on the second connection"
