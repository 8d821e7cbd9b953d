#!/bin/bash
# rd.noverifyssl: the server's certificate is not trusted (its CA is not in the initramfs), yet
# the image downloads with a warning that verification is off, and boots.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
start_http "$W/srv" tls
qemu_boot "$W/boot.log" "root=live:https://10.0.2.2:$HTTPS_PORT/root.squashfs rd.noverifyssl rd.live.sha256=$sum" \
	$QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/boot.log" 'netinit: download: TLS certificate verification is off \(rd.noverifyssl'
expect_log "$W/boot.log" 'sha256 verified'
