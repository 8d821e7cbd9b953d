#!/bin/bash
# Boot tests for forms that were implemented but never booted (issue 17, item 12):
#   1. root=overlay:LABEL=<l> with rd.root.overlay.size=64m: a local read-only ext4 under a tmpfs
#      upper of 64 MiB (df / inside the booted root sees the upper's size)
#   2. root=overlay:UUID=<u> rd.root.overlay.readonly: the device itself, read-only, no overlay
#   3. root=live:CDLABEL=<l> rd.live.ram on an ISO attached as an IDE CD-ROM: copied into RAM,
#      then opened as the live image; the CD is not what the root is read from
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-DF $(df -k / | awk 'NR==2 {print $2}') $(awk '$2=="/" {print $1; exit}' /proc/mounts)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_ext4 "$W/root" "$W/sys.img" 64 sysimg
uuid=$(blkid -s UUID -o value "$W/sys.img")
[ -n "$uuid" ] || fail "no UUID on the ext4 image"
DISK="-drive file=$W/sys.img,format=raw,if=virtio"

qemu_boot "$W/boot1.log" "root=overlay:LABEL=sysimg rd.root.overlay.size=64m" $DISK || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes lower=yes marker=none ip=none
expect_log "$W/boot1.log" 'netinit: root: overlay of /run/rootfsbase with a tmpfs upper \(size 64m\)'
kib=$(grep -a 'NETINIT-DF' "$W/boot1.log" | tail -n 1 | awk '{print $2}' | tr -d '\r')
[ -n "$kib" ] && [ "$kib" -eq 65536 ] || fail "boot 1: the root's size is '$kib' KiB, expected the 64 MiB upper (65536)"
# the marker went into the tmpfs upper, not onto the image
debugfs -R 'stat /netinit-marker' "$W/sys.img" 2>&1 | grep -q 'File not found' || fail "boot 1 wrote onto the read-only lower"

qemu_boot "$W/boot2.log" "root=overlay:UUID=$uuid rd.root.overlay.readonly" $DISK || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=ext4 root_rw=no lower=yes marker=none
expect_log "$W/boot2.log" 'netinit: root: /run/rootfsbase read-only, no overlay'

rm -rf "$W/iso" && mkdir -p "$W/iso/LiveOS"
mk_squashfs "$W/root" "$W/iso/LiveOS/squashfs.img"
mk_iso "$W/iso" "$W/live.iso" LIVECD28
qemu_boot "$W/boot3.log" "root=live:CDLABEL=LIVECD28 rd.live.ram" -drive file=$W/live.iso,media=cdrom,if=ide ||
	fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay root_rw=yes lower=yes marker=none
expect_log "$W/boot3.log" 'netinit: rd.live.ram: copying /dev/sr0 into RAM'
expect_no_log "$W/boot3.log" 'netinit: fatal'
grep -a 'NETINIT-DF' "$W/boot3.log" | grep -q overlay || fail "boot 3: / is not the overlay"
