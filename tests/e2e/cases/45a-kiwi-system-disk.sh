#!/bin/bash
# KIWI's rd.kiwi.live.system with rd.live.overlay.persistent: boot 1 downloads the ISO onto the
# disk and creates the cow partition (ext4, mkfs.ext4 from the initramfs); boot 2 has no NIC
# and boots from the disk with the file boot 1 wrote; rd.kiwi.live.reset downloads again and
# starts a fresh cow; a disk that holds a partition table is refused without reset.
. "$(dirname "$0")/../lib.sh"

# initrd_list OUT LIST: $INITRD plus a cpio packed from LIST with our own packer
initrd_list() {
	"$NETINIT_BUILD/mkcpio" "$2" | gzip -1 > "$W/.list.cpio.gz" || fail "mkcpio $2"
	cat "$INITRD" "$W/.list.cpio.gz" > "$1"
}
# mk_kiwi_iso ROOTDIR OUT: KIWI's layout, ISO > LiveOS/squashfs.img > LiveOS/rootfs.img (ext4)
mk_kiwi_iso() {
	rm -rf "$W/.sq" "$W/.iso"; mkdir -p "$W/.sq/LiveOS" "$W/.iso/LiveOS"
	mk_ext4 "$1" "$W/.sq/LiveOS/rootfs.img" 16
	mk_squashfs "$W/.sq" "$W/.iso/LiveOS/squashfs.img"
	xorriso -as mkisofs -quiet -V KIWITEST -o "$2" "$W/.iso" 2>/dev/null || fail "xorriso"
}

make_testroot "$W/root"
mkdir -p "$W/srv"
mk_kiwi_iso "$W/root" "$W/srv/live.iso"
mkfs_list ext4 "$W/mkfs-ext4.list"
initrd_list "$W/initrd.img" "$W/mkfs-ext4.list"
export E2E_INITRD=$W/initrd.img
truncate -s 256M "$W/disk.img"
DISK="-drive file=$W/disk.img,format=raw,if=virtio"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/live.iso
kapp="root=live:$url rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent"

# boot 0: blank disk, the download fails (404) -> the record says "interrupted"
E2E_TIMEOUT=120 qemu_boot "$W/boot0.log" "root=live:http://10.0.2.2:$HTTP_PORT/missing.iso rd.retry=5 rd.kiwi.live.system=/dev/vda" \
	$QEMU_USERNET $DISK
expect_log "$W/boot0.log" 'netinit: deploy: /dev/vda: it is blank'
expect_log "$W/boot0.log" 'netinit: fatal: download: '
expect_no_log "$W/boot0.log" 'NETINIT-RESULT'

# boot 1: the interrupted deployment is ours -> download onto it, create the cow partition
qemu_boot "$W/boot1.log" "$kapp" $QEMU_USERNET $DISK || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes lower=yes marker=none
expect_log "$W/boot1.log" 'netinit: deploy: /dev/vda: an interrupted deployment of http://.*/missing.iso'
expect_log "$W/boot1.log" "netinit: deploy: writing $url onto /dev/vda"
expect_log "$W/boot1.log" 'netinit: deploy: created the write partition /dev/vda1 \(label cow, ext4\)'
# the ISO byte for byte after sector 0 (which now holds the MBR with the cow entry)
cmp -s -i 512:512 -n $(( $(stat -c %s "$W/srv/live.iso") - 512 )) "$W/srv/live.iso" "$W/disk.img" ||
	fail "the disk does not hold the ISO after sector 0"
sfdisk --dump "$W/disk.img" | grep -q 'type=83' || fail "no Linux partition in the disk's MBR"

# boot 2: no NIC at all -> boots from the disk, the marker written on boot 1 is there
qemu_boot "$W/boot2.log" "$kapp" $DISK || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=overlay root_rw=yes lower=yes marker=seen ip=none
expect_log "$W/boot2.log" 'netinit: deploy: booting the image on /dev/vda: no download, no network'
expect_log "$W/boot2.log" 'netinit: deploy: found the write partition /dev/vda1'
expect_no_log "$W/boot2.log" 'netinit: downloading'

# boot 3: rd.kiwi.live.reset -> downloads again, a fresh cow partition
qemu_boot "$W/boot3.log" "$kapp rd.kiwi.live.reset" $QEMU_USERNET $DISK || fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay root_rw=yes marker=none
expect_log "$W/boot3.log" "netinit: downloading $url"
expect_log "$W/boot3.log" 'netinit: deploy: created the write partition /dev/vda1'

# boot 4: a disk with a partition table and no reset -> a clear refusal, nothing written
truncate -s 256M "$W/other.img"
printf 'label: dos\n,64M,83\n' | sfdisk -q "$W/other.img" >/dev/null || fail "sfdisk"
sum_before=$(md5sum < "$W/other.img")
E2E_TIMEOUT=120 qemu_boot "$W/boot4.log" "$kapp" $QEMU_USERNET -drive file=$W/other.img,format=raw,if=virtio
expect_log "$W/boot4.log" 'netinit: fatal: deploy: /dev/vda: refusing to overwrite it: it holds an MBR partition table'
expect_log "$W/boot4.log" 'rd.kiwi.live.reset'
expect_no_log "$W/boot4.log" 'NETINIT-RESULT'
[ "$(md5sum < "$W/other.img")" = "$sum_before" ] || fail "the refused disk was changed"
exit 0
