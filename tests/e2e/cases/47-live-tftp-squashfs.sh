#!/bin/bash
# A bare squashfs over tftp (QEMU's own TFTP server, tftp://10.0.2.2/...), size known from tsize,
# verified with rd.live.sha256.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo tftp > "$W/root/netinit-marker"
mkdir -p "$W/tftp"
mk_squashfs "$W/root" "$W/tftp/root.squashfs"
sum=$(sha256sum "$W/tftp/root.squashfs" | cut -d' ' -f1)
size=$(du -k --apparent-size "$W/tftp/root.squashfs" | cut -f1)
qemu_boot "$W/boot.log" "root=live:tftp://10.0.2.2/root.squashfs rd.live.sha256=$sum" $(qemu_usernet_tftp "$W/tftp") ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=tftp
expect_log "$W/boot.log" 'netinit: downloading tftp://10.0.2.2/root.squashfs \([0-9.]+ [KM]iB\)'
expect_log "$W/boot.log" 'sha256 verified'
