#!/bin/bash
# KIWI's two pxelinux entries through the whole BIOS chain, one boot each.
# 1. Overlay-Boot: tools/netinit-serve --kind nbd exports
# a squashfs read-only with nbd-server (export "netinit") and writes pxelinux.cfg/default with
# root=overlay:nbd=<server>:netinit; SeaBIOS + QEMU's iPXE ROM -> pxelinux.0 -> kernel +
# netinit's initramfs; netinit attaches the export and mounts it as the overlay's lower. The
# booted root reads back the command line pxelinux passed; stopping the command stops
# nbd-server and its connection's process too.
# 2. Live-Boot, the entry of KIWI's document "Booting a Live ISO Image from Network" as it is
# (LABEL Live-Boot, kernel boot/linux, append initrd=boot/initrd ip=dhcp
# root=live:ftp://IP/image/kiwi-test-image-live.x86_64-1.15.6.iso; IP filled in, console=ttyS0
# panic=-1 added for the harness) given with --pxelinux-cfg; tools/netinit-serve --ftp serves
# a KIWI-layout ISO of that name with vsftpd (anonymous, read-only) at ftp://<server>/image/.
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

# 2. KIWI's Live-Boot entry, the ISO over ftp
iso=kiwi-test-image-live.x86_64-1.15.6.iso
echo kiwi-live > "$W/root/netinit-marker"
mkdir -p "$W/kiwi"
mk_live_iso kiwi "$W/root" "$W/kiwi/$iso"
cat > "$W/kiwi-live.cfg" <<EOF
DEFAULT Live-Boot
LABEL Live-Boot
    kernel boot/linux
    append initrd=boot/initrd ip=dhcp root=live:ftp://10.9.0.1/image/$iso console=ttyS0 panic=-1
EOF
pxe_serve --ftp --pxelinux-cfg "$W/kiwi-live.cfg" "$W/kiwi/$iso"
cmp -s "$W/kiwi-live.cfg" "$W/srv/root/pxelinux.cfg/default" || fail "pxelinux.cfg/default is not the given entry"
! grep -q 'warning' "$W/serve.log" || fail "netinit-serve warned: $(grep warning "$W/serve.log")"
MAC=52:54:00:e2:e0:9a
pxe_boot "$W/live.log" tap0 $MAC -boot n || fail "the Live-Boot boot did not finish"
expect_result "$W/live.log" rootfs=overlay root_rw=yes lower=yes marker=kiwi-live ip='10\.9\.0\.1[0-9][0-9]/24'
expect_log "$W/live.log" "netinit: downloading ftp://10.9.0.1/image/$iso"
expect_log "$W/live.log" "netinit: /run/netinit/image/$iso: iso9660 labelled CDROM"
expect_log "$W/live.log" 'netinit: /run/netinit/layer[0-9]/LiveOS/rootfs.img: ext4'
app=$(sed -n 's/^    append //p' "$W/kiwi-live.cfg")
want="BOOT_IMAGE=boot/linux $app"
got=$(cmdline_of "$W/live.log")
[ "$got" = "$want" ] || fail "booted with '$got', the Live-Boot entry makes '$want'"
for f in pxelinux.cfg/default boot/linux boot/initrd; do
	grep -q "netinit-serve: tftp $f to " "$W/serve.log" || fail "$f was not loaded over TFTP"
done
grep -q "netinit-serve: ftp 10.9.0.1[0-9]* /image/$iso " "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no ftp line for the ISO"; }
pxe_times "$W/live.log" bios-pxelinux-kiwi-live-ftp
pxe_serve_stop
left=$(ip netns pids "$PXE_NS")
[ -z "$left" ] || fail "still running after netinit-serve --ftp stopped: $(ps -o pid=,args= -p $(echo $left | tr ' ' ,))"
