#!/bin/bash
# The main job: root=live:<http URL> of a bare squashfs (Kairos, dracut livenet), DHCP from
# QEMU's user network, downloaded into RAM, verified with rd.live.sha256, overlay root.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
start_http "$W/srv"
qemu_boot "$W/boot.log" "root=live:http://10.0.2.2:$HTTP_PORT/root.squashfs rd.live.sha256=$sum netboot install-mode" \
	$QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip=10.0.2.15/24
expect_log "$W/boot.log" 'netinit: fetched [0-9.]+ (KiB|MiB) in '
expect_log "$W/boot.log" 'sha256 verified'
expect_log "$W/boot.log" 'cmdline=.* netboot install-mode'
