#!/bin/bash
# Image Customizer's PXE live boot with its full grub.cfg command line: the ISO keeps the root
# squashfs at /liveos/rootfs.img, so rd.live.dir=liveos rd.live.squashimg=rootfs.img must be honoured.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo imagecustomizer > "$W/root/netinit-marker"
mkdir -p "$W/srv"
mk_live_iso imagecustomizer "$W/root" "$W/srv/image.iso"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/image.iso
qemu_boot "$W/boot.log" "root=live:$url rd.live.image rd.live.dir=liveos rd.live.squashimg=rootfs.img \
rd.live.overlay=1 rd.live.overlay.overlayfs rd.live.overlay.nouserconfirmprompt rd.shell rd.info console=ttyS0" \
	$QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=imagecustomizer
expect_log "$W/boot.log" 'netinit: /run/netinit/image/image.iso: iso9660 labelled CDROM'
expect_log "$W/boot.log" 'netinit: /run/initramfs/live/liveos/rootfs.img: squashfs'
