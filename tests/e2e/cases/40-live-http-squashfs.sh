#!/bin/bash
# The main job: root=live:<http URL> of a bare squashfs (Kairos, dracut livenet), DHCP from
# QEMU's user network, downloaded into RAM, verified with rd.live.sha256, overlay root.
# The modules the plan needs (docs/modules.md): the NIC's driver and the live root's loop,
# squashfs and overlay load; QEMU's IDE controller (storage) and the CPU-feature crc32c-intel
# do not, a network root reads no local device; rd.driver.pre=sr_mod loads a storage driver
# all the same, the command line names it.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
mountpoint() { awk -v m="$1" '$2==m {f=1} END {exit !f}' /proc/mounts; }
mountpoint /sys || mount -t sysfs sys /sys
m() { if [ -d "/sys/module/$1" ]; then echo yes; else echo no; fi; }
echo "NETINIT-MODULES virtio_net=$(m virtio_net) squashfs=$(m squashfs) overlay=$(m overlay) loop=$(m loop) sr_mod=$(m sr_mod) ata_piix=$(m ata_piix) crc32c_intel=$(m crc32c_intel)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
start_http "$W/srv"
qemu_boot "$W/boot.log" "root=live:http://10.0.2.2:$HTTP_PORT/root.squashfs rd.live.sha256=$sum rd.driver.pre=sr_mod netboot install-mode" \
	$QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip=10.0.2.15/24
expect_log "$W/boot.log" 'netinit: fetched [0-9.]+ (KiB|MiB) in '
expect_log "$W/boot.log" 'sha256 verified'
expect_log "$W/boot.log" 'cmdline=.* netboot install-mode'
expect_log "$W/boot.log" 'NETINIT-MODULES virtio_net=yes squashfs=yes overlay=yes loop=yes sr_mod=yes ata_piix=no crc32c_intel=no'
