#!/bin/bash
# Embedded live root: a squashfs appended as a second initrd, loop-mounted, tmpfs overlay on top.
# Also: a module parameter from the command line reaches the module (loop.max_part=3),
# and rd.break with no shell in the initramfs says so and goes on.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-EXTRA max_part=$(cat /sys/module/loop/parameters/max_part) upper=$(test -d /run/overlayfs && echo yes)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/root.squashfs"
initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" "root=live:/images/root.squashfs loop.max_part=3 rd.break=pre-pivot" || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes var_rw=yes lower=yes
expect_log "$W/boot.log" 'NETINIT-EXTRA max_part=3 upper=yes'
expect_log "$W/boot.log" 'rd.break=pre-pivot: no shell in this initramfs'
