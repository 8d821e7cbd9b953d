#!/bin/bash
# dracut's live ISO layout over http: /LiveOS/squashfs.img holding the root itself, found with
# the default rd.live.dir/rd.live.squashimg.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo dracut-squashfs > "$W/root/netinit-marker"
mkdir -p "$W/srv"
mk_live_iso dracut "$W/root" "$W/srv/Live.iso"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/Live.iso
qemu_boot "$W/boot.log" "root=live:$url rd.live.image rd.live.overlay.overlayfs" $QEMU_USERNET ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=dracut-squashfs
expect_log "$W/boot.log" 'netinit: /run/netinit/image/Live.iso: iso9660 labelled netinit-live'
expect_log "$W/boot.log" 'netinit: /run/initramfs/live/LiveOS/squashfs.img: squashfs'
expect_no_log "$W/boot.log" 'rootfs.img'
