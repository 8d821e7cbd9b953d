#!/bin/bash
# make demo: netinit's main job, end to end. An nginx on 127.0.0.1 serves a sample busybox
# root as a squashfs; QEMU boots Debian's kernel with build/initramfs.img and
#   root=live:http://10.0.2.2:<port>/demo.squashfs rd.live.sha256=<digest>
# netinit loads the NIC driver, takes a DHCP lease from QEMU's user network, streams the
# image into RAM while hashing it, loop-mounts it under a tmpfs overlay and switches root;
# the sample init prints its facts and powers off. The console is shown as it happens.
CASE=demo
. "$(dirname "$0")/lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo; echo "Hello from the sample root, booted over HTTP by netinit. Mounts:"
grep -E ' (/|/run/rootfsbase|/run/overlayfs) ' /proc/mounts; ip -4 -o addr show scope global; echo
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/demo.squashfs"
sum=$(sha256sum "$W/srv/demo.squashfs" | cut -d' ' -f1)
start_http "$W/srv"
echo "demo: nginx serves $W/srv on 127.0.0.1:$HTTP_PORT (10.0.2.2:$HTTP_PORT for the guest)" >&2
echo "demo: booting $KERNEL with $INITRD in QEMU (TCG); console follows" >&2
qemu_boot "$W/console.log" "root=live:http://10.0.2.2:$HTTP_PORT/demo.squashfs rd.live.sha256=$sum" $QEMU_USERNET &
qp=$!
sleep 1; tail -n +1 -f "$W/console.log" --pid=$qp 2>/dev/null
wait $qp || fail "the demo boot did not finish"
expect_result "$W/console.log" rootfs=overlay root_rw=yes ip=10.0.2.15/24
echo "demo: done (console log: $W/console.log)" >&2
