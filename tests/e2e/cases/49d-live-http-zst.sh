#!/bin/bash
# A .zst-compressed squashfs URL (Kairos-style command line): decompressed while streaming into
# RAM under its name without the suffix, and booted.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo zstd > "$W/root/netinit-marker"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/kairos.squashfs"
zstd -q --rm "$W/srv/kairos.squashfs"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/kairos.squashfs.zst
qemu_boot "$W/boot.log" "rd.neednet=1 ip=dhcp rd.cos.disable root=live:$url netboot install-mode \
config_url=http://10.0.2.2:$HTTP_PORT/config.yaml console=tty1 console=ttyS0" $QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=zstd
expect_log "$W/boot.log" "netinit: $url: decompressing zstd while downloading"
expect_log "$W/boot.log" 'netinit: image at /run/netinit/image/kairos.squashfs after'
expect_log "$W/boot.log" 'cmdline=.* netboot install-mode config_url='
