#!/bin/bash
# rd.kiwi.live.system: a deployment is complete only once its sha256 verified, and the image's
# size on the disk is the bytes written, not what its superblock claims. The image is a KIWI ISO
# followed by 3 MiB its ISO9660 volume does not count (as an appended partition would be).
# boot 1: a wrong rd.live.sha256 -> fatal; the disk's record still says "writing", never complete
# boot 2: the right sum -> "an interrupted deployment", deployed again; the record is complete with
#         image_bytes = the file's size, the cow partition starts after all of it, and the
#         trailing 3 MiB are still on the disk byte for byte (a cow after the ISO volume would
#         have been formatted over them)
# boot 3: no NIC -> boots the image from the disk (the record's sha256 matches)
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
rm -rf "$W/.sq" "$W/.iso"; mkdir -p "$W/.sq/LiveOS" "$W/.iso/LiveOS" "$W/srv"
mk_ext4 "$W/root" "$W/.sq/LiveOS/rootfs.img" 16
mk_squashfs "$W/.sq" "$W/.iso/LiveOS/squashfs.img"
xorriso -as mkisofs -quiet -V KIWITEST -o "$W/srv/live.iso" "$W/.iso" 2>/dev/null || fail "xorriso"
iso_bytes=$(stat -c %s "$W/srv/live.iso")
head -c $((3 << 20)) /dev/urandom >> "$W/srv/live.iso"
img_bytes=$(stat -c %s "$W/srv/live.iso")
sum=$(sha256sum < "$W/srv/live.iso" | cut -d' ' -f1)
bad=$(printf '%s' "$sum" | tr '0-9a-f' '1-9a-f0')
mkfs_list ext4 "$W/mkfs-ext4.list"
"$NETINIT_BUILD/mkcpio" "$W/mkfs-ext4.list" | gzip -1 > "$W/.list.cpio.gz" || fail "mkcpio"
cat "$INITRD" "$W/.list.cpio.gz" > "$W/initrd.img"
export E2E_INITRD=$W/initrd.img
truncate -s 256M "$W/disk.img"
disk_bytes=$(stat -c %s "$W/disk.img")
DISK="-drive file=$W/disk.img,format=raw,if=virtio"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/live.iso
kapp="root=live:$url rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent"
# rec FIELD-OFFSET BYTES: an unsigned little-endian field of the record in the disk's last 4 KiB
rec() { od -An -tu"$2" -j $((disk_bytes - 4096 + $1)) -N "$2" "$W/disk.img" | tr -d ' '; }

E2E_TIMEOUT=150 qemu_boot "$W/boot1.log" "$kapp rd.live.sha256=$bad" $QEMU_USERNET $DISK
expect_log "$W/boot1.log" "netinit: deploy: writing $url onto /dev/vda"
expect_log "$W/boot1.log" "netinit: fatal: download: .*sha256 of $url is $sum, expected $bad"
expect_no_log "$W/boot1.log" 'NETINIT-RESULT|holds the image|Kernel panic'
[ "$(rec 20 4)" = 1 ] || fail "after the mismatch the record's state is $(rec 20 4), expected 1 (writing)"

qemu_boot "$W/boot2.log" "$kapp rd.live.sha256=$sum" $QEMU_USERNET $DISK || fail "boot 2 did not finish"
expect_log "$W/boot2.log" "netinit: deploy: /dev/vda: an interrupted deployment of $url"
expect_log "$W/boot2.log" "netinit: deploy: /dev/vda holds the image \($img_bytes bytes\)"
expect_result "$W/boot2.log" rootfs=overlay root_rw=yes lower=yes marker=none
[ "$(rec 20 4)" = 2 ] || fail "the record's state is $(rec 20 4), expected 2 (complete)"
[ "$(rec 24 8)" = "$img_bytes" ] ||
	fail "the record says the image is $(rec 24 8) bytes; $img_bytes were written (the ISO volume is $iso_bytes)"
cmp -s -i 512:512 -n $((img_bytes - 512)) "$W/srv/live.iso" "$W/disk.img" ||
	fail "the disk does not hold the whole image after sector 0 (the cow partition went over its tail?)"
cow_start=$(sfdisk --dump "$W/disk.img" | sed -n 's/.*start= *\([0-9]*\),.*type=83.*/\1/p')
[ -n "$cow_start" ] && [ $((cow_start * 512)) -ge "$img_bytes" ] ||
	fail "the cow partition starts at sector ${cow_start:-none}, inside the $img_bytes-byte image"

qemu_boot "$W/boot3.log" "$kapp rd.live.sha256=$sum" $DISK || fail "boot 3 did not finish"
expect_log "$W/boot3.log" 'netinit: deploy: booting the image on /dev/vda: no download, no network'
expect_result "$W/boot3.log" rootfs=overlay marker=seen ip=none
note "image $img_bytes bytes (ISO volume $iso_bytes), cow from byte $((cow_start * 512))"
exit 0
