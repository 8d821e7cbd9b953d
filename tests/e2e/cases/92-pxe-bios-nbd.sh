#!/bin/bash
# KIWI's Overlay-Boot entry through the whole BIOS chain: tools/netinit-serve --kind nbd exports
# a squashfs read-only with nbd-server (export "netinit") and writes pxelinux.cfg/default with
# root=overlay:nbd=<server>:netinit; SeaBIOS + QEMU's iPXE ROM -> pxelinux.0 -> kernel +
# netinit's initramfs; netinit attaches the export and mounts it as the overlay's lower. The
# booted root reads back the command line pxelinux passed; stopping the command stops
# nbd-server and its connection's process too.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
command -v nbd-server >/dev/null || skip "nbd-server missing (tools/packages/pxe.txt)"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --kind nbd --append "console=ttyS0 panic=-1" "$W/root.squashfs"
app=$(sed -n 's/^    APPEND //p' "$W/srv/root/pxelinux.cfg/default")
[ "$app" = "root=overlay:nbd=10.9.0.1:netinit console=ttyS0 panic=-1" ] || fail "unexpected APPEND line: $app"
MAC=52:54:00:e2:e0:92
pxe_boot "$W/boot.log" tap0 $MAC -boot n || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
expect_log "$W/boot.log" "netinit: .*squashfs mounted read-only at /run/rootfsbase"
want="BOOT_IMAGE=netinit/vmlinuz $app initrd=netinit/initramfs.img BOOTIF=01-${MAC//:/-}"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', pxelinux.cfg/default makes '$want'"
grep -q "netinit-serve: client $MAC BIOS+iPXE given pxelinux.0" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no client line for $MAC"; }
! grep -q 'GET /images/' "$W/serve.log" || fail "the image was downloaded instead of attached"
nbdpid=$(cat "$W/srv/nbd.pid")
pxe_times "$W/boot.log" bios-pxelinux-nbd
pxe_serve_stop
! kill -0 "$nbdpid" 2>/dev/null || fail "nbd-server ($nbdpid) still runs after netinit-serve stopped"
left=$(ip netns pids "$PXE_NS")
[ -z "$left" ] || fail "still running in the segment's namespace after netinit-serve stopped: $(ps -o pid=,args= -p $(echo $left | tr ' ' ,))"
