#!/bin/bash
# bootc.kexec: the OCI image carries its own kernel and initramfs in /usr/lib/modules/<kver>/;
# netinit unpacks it, kexecs into them with the command line minus bootc.kexec*, and the kexec'd
# netinit (from the image's initramfs) fetches the image again and boots it.
# bootc.kexec without bootc.kexec.reuse-image=0 is refused (re-packing is not implemented).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
make_testroot "$W/root"
kv=${KERNEL##*/vmlinuz-}
mkdir -p "$W/root/usr/lib/modules/$kv"
cp "$KERNEL" "$W/root/usr/lib/modules/$kv/vmlinuz"
cp "$INITRD" "$W/root/usr/lib/modules/$kv/initramfs.img"
lay=$W/layout
umoci init --layout "$lay" >/dev/null && umoci new --image "$lay:latest" >/dev/null &&
	umoci unpack --image "$lay:latest" "$W/bundle" >/dev/null || fail "umoci"
cp -a "$W/root/." "$W/bundle/rootfs/"
umoci repack --image "$lay:latest" "$W/bundle" >/dev/null || fail "umoci repack"
mkdir -p "$W/srv"; tar -C "$lay" -cf "$W/srv/root.oci" . || fail "tar"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/root.oci
E2E_MEM=768 qemu_boot "$W/boot.log" "root=bootc-live:$url bootc.kexec bootc.kexec.reuse-image=0" $QEMU_USERNET ||
	fail "boot did not finish"
expect_log "$W/boot.log" "netinit: bootc: kexec into /run/netinit/oci/root/usr/lib/modules/$kv/vmlinuz"
[ "$(grep -ac 'Run /init as init process' "$W/boot.log")" -ge 2 ] || fail "the kernel did not start twice"
expect_result "$W/boot.log" rootfs=tmpfs root_rw=no
expect_log "$W/boot.log" "NETINIT-RESULT .*cmdline=console=ttyS0 panic=-1 root=bootc-live:$url"
expect_no_log "$W/boot.log" 'NETINIT-RESULT .*bootc\.kexec'
expect_log "$W/boot.log" 'kexec_core: Starting new kernel'
qemu_boot "$W/boot2.log" "root=bootc-live:$url bootc.kexec" $QEMU_USERNET || fail "QEMU did not stop"
expect_log "$W/boot2.log" 'netinit: fatal: cmdline: kernel command line: bootc.kexec: re-packing'
