#!/bin/bash
# KIWI's ramdisk_size=: the ISO is written raw onto /dev/ram0 (brd), opened from there, and boots.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo ramdisk > "$W/root/netinit-marker"
mkdir -p "$W/srv/image"
mk_live_iso kiwi "$W/root" "$W/srv/image/netinit-live.x86_64-1.0.0.iso"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/image/netinit-live.x86_64-1.0.0.iso
qemu_boot "$W/boot.log" "ip=dhcp root=live:$url ramdisk_size=65536" $QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=ramdisk
expect_log "$W/boot.log" 'netinit: image at /dev/ram0 after 1 attempt'
expect_log "$W/boot.log" 'netinit: /dev/ram0: iso9660 labelled CDROM'
expect_no_log "$W/boot.log" '/run/netinit/image/'
