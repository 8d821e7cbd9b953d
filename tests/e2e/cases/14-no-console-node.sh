#!/bin/bash
# PID 1 copes with an initramfs list that has neither /dev/console nor /dev/null (the kernel's
# built-in initramfs still provides /dev/console on Debian's kernel; /dev/null is really missing
# until netinit mounts devtmpfs). Also: quiet hides the info lines, init= is honoured.
. "$(dirname "$0")/../lib.sh"
grep -vE '^nod /dev/(console|null) ' "$NETINIT_BUILD/initramfs.list" > "$W/list"
grep -q '^nod ' "$W/list" && fail "the list still has device nodes"
"$NETINIT_BUILD/mkcpio" "$W/list" | gzip -1 > "$W/base.img"
make_testroot "$W/root"
cp "$W/root/sbin/init" "$W/root/sbin/other-init"
mk_squashfs "$W/root" "$W/root.squashfs"
INITRD="$W/base.img" initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" "root=live:/images/root.squashfs quiet init=/sbin/other-init" || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes
expect_log "$W/boot.log" 'pid=1 cmdline=.*init=/sbin/other-init'
expect_no_log "$W/boot.log" 'netinit: modules:'
expect_no_log "$W/boot.log" 'netinit: fatal'
