#!/bin/bash
# dracut's persistent overlay on an existing device: rd.overlay=LABEL=persist keeps the upper at
# /LiveOS/overlay-<label>-<uuid> of an ext4 disk (changes survive a reboot), rd.overlay.reset
# empties it, rd.overlay.readonly puts a tmpfs on top (the device is not written),
# rd.live.overlay=LABEL=persist:/custom/upper picks the path (work dir next to it: ovlwork).
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
# a file that exists only when the boot that wrote it was persistent
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
if [ -f /ro-probe ]; then echo "NETINIT-PROBE present"; else echo "NETINIT-PROBE absent"; fi
grep -q roprobe /proc/cmdline && echo x > /ro-probe
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/srv" "$W/empty"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
mk_ext4 "$W/empty" "$W/persist.img" 64 persist
start_http "$W/srv"
root="root=live:http://10.0.2.2:$HTTP_PORT/root.squashfs"
DISK="-drive file=$W/persist.img,format=raw,if=virtio"
ls_persist() { debugfs -R "ls -p $1" "$W/persist.img" 2>/dev/null | awk -F/ '{print $6}' | grep -v '^\.*$'; }

qemu_boot "$W/boot1.log" "$root rd.overlay=LABEL=persist" $QEMU_USERNET $DISK || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes lower=yes marker=none
expect_log "$W/boot1.log" 'netinit: root: overlay of /run/rootfsbase with the persistent upper /dev/vda path /LiveOS/overlay-- \(ext4\)'
ls_persist /LiveOS | grep -qx ovlwork || fail "no /LiveOS/ovlwork on the device"
ls_persist /LiveOS/overlay-- | grep -qx netinit-marker || fail "the marker is not in the persistent upper"

qemu_boot "$W/boot2.log" "$root rd.overlay=LABEL=persist" $QEMU_USERNET $DISK || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=overlay marker=seen

qemu_boot "$W/boot3.log" "$root rd.overlay=LABEL=persist rd.overlay.reset" $QEMU_USERNET $DISK ||
	fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay marker=none
expect_log "$W/boot3.log" 'netinit: root: emptying the persistent overlay on /dev/vda/LiveOS/overlay-- \(rd.overlay.reset\)'

# read-only: the tmpfs takes the writes; the next boot does not see them
qemu_boot "$W/boot4.log" "$root rd.overlay=LABEL=persist rd.overlay.readonly roprobe" $QEMU_USERNET $DISK ||
	fail "boot 4 did not finish"
expect_result "$W/boot4.log" rootfs=overlay root_rw=yes marker=seen
expect_log "$W/boot4.log" 'kept read-only under a tmpfs'
qemu_boot "$W/boot5.log" "$root rd.overlay=LABEL=persist" $QEMU_USERNET $DISK || fail "boot 5 did not finish"
expect_result "$W/boot5.log" marker=seen
expect_log "$W/boot5.log" 'NETINIT-PROBE absent'

# an explicit path (dracut's rd.live.overlay=<devspec>:<path>)
qemu_boot "$W/boot6.log" "$root rd.live.overlay=LABEL=persist:/custom/upper" $QEMU_USERNET $DISK ||
	fail "boot 6 did not finish"
expect_result "$W/boot6.log" rootfs=overlay marker=none
ls_persist /custom | grep -qx ovlwork || fail "no /custom/ovlwork on the device"
ls_persist /custom/upper | grep -qx netinit-marker || fail "the marker is not in /custom/upper"
exit 0
