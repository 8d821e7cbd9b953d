#!/bin/bash
# KIWI's PXE live boot, its documented command line: an ISO over ftp (vsftpd) opened as
# ISO > LiveOS/squashfs.img > LiveOS/rootfs.img (ext4), with an overlay root.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo kiwi-ext4 > "$W/root/netinit-marker"
mkdir -p "$W/ftp/image"
mk_live_iso kiwi "$W/root" "$W/ftp/image/netinit-live.x86_64-1.0.0.iso"
chmod -R a+rX "$W/ftp"
start_ftp "$W/ftp"
url=ftp://10.0.2.2:$FTP_PORT/image/netinit-live.x86_64-1.0.0.iso
qemu_boot "$W/boot.log" "ip=dhcp root=live:$url" $QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=kiwi-ext4
expect_log "$W/boot.log" "netinit: downloading $url"
expect_log "$W/boot.log" 'netinit: /run/netinit/image/netinit-live.x86_64-1.0.0.iso: iso9660 labelled CDROM'
expect_log "$W/boot.log" 'netinit: /run/initramfs/live/LiveOS/squashfs.img: squashfs'
expect_log "$W/boot.log" 'netinit: /run/netinit/layer[0-9]/LiveOS/rootfs.img: ext4'
grep -q 'OK DOWNLOAD.*netinit-live.x86_64-1.0.0.iso' "$W/vsftpd/xfer.log" || fail "vsftpd did not log the transfer"
