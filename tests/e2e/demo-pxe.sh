#!/bin/bash
# make demo-pxe: the whole network boot, as a fleet gets it. tools/netinit-serve serves a sample
# busybox root (squashfs) on a bridge in a private network namespace: dnsmasq (DHCP + TFTP),
# nginx (http), pxelinux for BIOS. QEMU boots with no kernel of its own (-boot n): SeaBIOS and
# QEMU's iPXE ROM -> DHCP -> pxelinux.0 -> pxelinux.cfg/default -> Debian's kernel + netinit's
# initramfs -> the image over http, checked against the digest netinit-serve put on the command
# line -> switch_root. The server's output (configs, then one line per client request) and the
# console are shown; everything is stopped and removed at the end. Needs root (netns, tap).
CASE=demo-pxe
. "$(dirname "$0")/lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo; echo "Hello from the sample root, netbooted through pxelinux by netinit. Command line and mounts:"
cat /proc/cmdline; grep -E ' (/|/run/rootfsbase|/run/overlayfs) ' /proc/mounts; ip -4 -o addr show scope global; echo
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/demo.squashfs"
echo "demo-pxe: tools/netinit-serve --append 'console=ttyS0' $W/demo.squashfs br0   (in netns $PXE_NS)" >&2
pxe_serve --append "console=ttyS0 panic=-1" "$W/demo.squashfs"
sed 's/^/  serve| /' "$W/serve.log" >&2
tail -n 0 -f "$W/serve.log" 2>/dev/null | sed -u 's/^/  serve| /' >&2 &
tp=$!
echo "demo-pxe: QEMU -boot n (SeaBIOS + iPXE ROM, TCG); console follows" >&2
tail -n +1 -F "$W/console.log" 2>/dev/null &
cp=$!
pxe_boot "$W/console.log" tap0 52:54:00:de:00:01 -boot n || fail "the demo boot did not finish"
sleep 0.5; kill $cp
expect_result "$W/console.log" rootfs=overlay root_rw=yes lower=yes
pxe_times "$W/console.log" bios-pxelinux
pxe_serve_stop
sleep 0.5; kill $tp 2>/dev/null
echo "demo-pxe: done (console: $W/console.log, server: $W/serve.log)" >&2
