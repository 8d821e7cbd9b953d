#!/bin/bash
# A fleet's mirror list: root=live: names a cache that is down, rd.live.mirror= the origin
# (nginx). The boot moves on at once, fetches from the mirror (rd.live.sha256=auto read from
# the mirror too), logs who served the image, and waits its machine's share of
# rd.live.start-delay before the first request.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
(cd "$W/srv" && sha256sum root.squashfs > root.squashfs.sha256)
start_http "$W/srv"
DEAD=$(free_port)
qemu_boot "$W/boot.log" "root=live:http://10.0.2.2:$DEAD/root.squashfs rd.live.mirror=http://10.0.2.2:$HTTP_PORT/root.squashfs rd.live.sha256=auto rd.live.start-delay=3" \
	$QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip=10.0.2.15/24
expect_log "$W/boot.log" 'download: waiting [0-9]+ ms before the first request \(rd.live.start-delay\)'
expect_log "$W/boot.log" "trying the next source now"
expect_log "$W/boot.log" 'sha256 verified'
expect_log "$W/boot.log" "image served by http://10\.0\.2\.2:$HTTP_PORT/root\.squashfs \([0-9.]+ (KiB|MiB)\)"
expect_log "$W/boot.log" "downloading http://10\.0\.2\.2:$HTTP_PORT/root\.squashfs "
w=$(grep -ao 'waiting [0-9]* ms' "$W/boot.log" | head -n1 | tr -dc 0-9)
[ "$w" -lt 3000 ] || fail "start delay $w ms, expected below 3000"
grep -q 'GET /root.squashfs ' "$W/nginx/logs/access.log" || fail "the mirror was never asked"
note "$(grep -a 'image served by' "$W/boot.log" | tr -d '\r')"
