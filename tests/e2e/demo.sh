#!/bin/bash
# make demo: boot a sample busybox root with netinit in QEMU and show the console.
# The sample root is a squashfs appended to the initramfs as a second initrd
# (root=live:/images/demo.squashfs): netinit loop-mounts it, puts a tmpfs overlay on
# top and switches to it; the sample init prints its facts and powers off.
CASE=demo
. "$(dirname "$0")/lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo; echo "Hello from the sample root. Mounts:"; grep -E ' (/|/run/rootfsbase|/run/overlayfs) ' /proc/mounts; echo
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/demo.squashfs"
initrd_with "$W/initrd.img" "$W/demo.squashfs:/images/demo.squashfs"
echo "demo: booting $KERNEL with $INITRD + demo.squashfs in QEMU (TCG); console follows" >&2
E2E_INITRD="$W/initrd.img" qemu_boot "$W/console.log" "root=live:/images/demo.squashfs" &
qp=$!
sleep 1; tail -n +1 -f "$W/console.log" --pid=$qp 2>/dev/null
wait $qp || fail "the demo boot did not finish"
expect_result "$W/console.log" rootfs=overlay root_rw=yes
echo "demo: done (console log: $W/console.log)" >&2
