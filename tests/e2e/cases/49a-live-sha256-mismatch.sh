#!/bin/bash
# rd.live.sha256 that does not match the image: the boot stops with both digests, nothing is mounted.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
bad=$(echo "$sum" | tr '0-9a-f' '1-9a-f0')
start_http "$W/srv"
E2E_STOP_ON="netinit: rebooting now" E2E_TIMEOUT=120 qemu_boot "$W/boot.log" "root=live:http://10.0.2.2:$HTTP_PORT/root.squashfs rd.live.sha256=$bad" \
	$QEMU_USERNET || fail "QEMU did not stop"
expect_log "$W/boot.log" "netinit: fatal: download: .*$sum.*$bad|netinit: fatal: download: .*$bad.*$sum"
expect_log "$W/boot.log" 'netinit: hint: .*rd.live.sha256'
expect_no_log "$W/boot.log" 'NETINIT-RESULT|sha256 verified|: squashfs$|loop0'
