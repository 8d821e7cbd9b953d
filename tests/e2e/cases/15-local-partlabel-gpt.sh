#!/bin/bash
# Local root on a GPT partition found by PARTLABEL= and by PARTUUID= (no udev: netinit reads
# the partition table itself), with rootfstype= and rootflags= passed to mount.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/part.img" 48 gptroot
truncate -s 64M "$W/disk.img"
uuid=6a1e2b3c-4d5e-4f60-8172-93a4b5c6d7e8
printf 'label: gpt\nstart=2048, size=98304, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=%s, name="netroot"\n' "$uuid" \
	| sfdisk -q "$W/disk.img" >/dev/null || fail "sfdisk failed"
dd if="$W/part.img" of="$W/disk.img" bs=512 seek=2048 conv=notrunc status=none
qemu_boot "$W/boot.log" "root=PARTLABEL=netroot rootfstype=ext4 rootflags=noatime rw" \
	-drive file="$W/disk.img",format=raw,if=virtio || fail "boot 1 did not finish"
expect_result "$W/boot.log" rootfs=ext4 root_rw=yes
expect_log "$W/boot.log" 'found PARTLABEL=netroot at /dev/vda1'
qemu_boot "$W/boot2.log" "root=PARTUUID=$uuid" -drive file="$W/disk.img",format=raw,if=virtio || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=ext4 root_rw=no marker=seen
