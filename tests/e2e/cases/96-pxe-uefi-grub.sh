#!/bin/bash
# UEFI + GRUB with Image Customizer's own grub.cfg: OVMF boots from the NIC (QEMU's efi-virtio
# ROM, an EFI iPXE) and asks DHCP with client architecture 7 (and user class iPXE), gets
# grub-mknetdir's core.efi from tools/netinit-serve, which serves the grub.cfg given with
# --grub-cfg unchanged. That file has the shape Image Customizer writes for a pxe-dir with a
# bootstrap ISO: no search command, `linux /boot/vmlinuz` and `initrd /boot/initrd.img` (its
# pxe-dir layout, the paths relative to the TFTP server GRUB came from), the base image's
# arguments with root= replaced by root=live:<bootstrap URL>/image.iso, then its live-OS
# arguments (rd.shell rd.live.image rd.live.dir=liveos rd.live.squashimg=rootfs.img
# rd.live.overlay=1 rd.live.overlay.overlayfs rd.live.overlay.nouserconfirmprompt), then its
# PXE arguments (ip=dhcp rd.live.azldownloader=enable). netinit downloads the ISO over http,
# opens /liveos/rootfs.img and boots it; the booted root reads back the command line GRUB
# passed: BOOT_IMAGE=/boot/vmlinuz followed by the linux line's arguments.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
make_testroot "$W/root"
echo imagecustomizer > "$W/root/netinit-marker"
mkdir -p "$W/ic"
mk_live_iso imagecustomizer "$W/root" "$W/ic/image.iso"
cat > "$W/ic/grub.cfg" <<'EOF'
set timeout=0
menuentry "Azure Linux" {
	linux /boot/vmlinuz root=live:http://10.9.0.1/images/image.iso console=ttyS0 panic=-1  rd.shell rd.live.image rd.live.dir=liveos rd.live.squashimg=rootfs.img rd.live.overlay=1 rd.live.overlay.overlayfs rd.live.overlay.nouserconfirmprompt  ip=dhcp rd.live.azldownloader=enable
	initrd /boot/initrd.img
}
EOF
pxe_serve --grub-cfg "$W/ic/grub.cfg" "$W/ic/image.iso"
cmp -s "$W/ic/grub.cfg" "$W/srv/root/grub/grub.cfg" || fail "grub/grub.cfg is not the given file"
! grep -q 'warning' "$W/serve.log" || fail "netinit-serve warned: $(grep warning "$W/serve.log")"
MAC=52:54:00:e2:e0:96
pxe_boot "$W/boot.log" tap1 $MAC $(ovmf_args uefi) -boot n || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=imagecustomizer ip='10\.9\.0\.1[0-9][0-9]/24'
expect_log "$W/boot.log" 'netinit: /run/netinit/image/image.iso: iso9660 labelled CDROM'
expect_log "$W/boot.log" 'netinit: /run/initramfs/live/liveos/rootfs.img: squashfs'
# GRUB passes the arguments as its parser splits them: single spaces
args=$(sed -n 's/^\tlinux \/boot\/vmlinuz //p' "$W/ic/grub.cfg" | tr -s ' ')
[ -n "$args" ] || fail "no linux line in the grub.cfg"
want="BOOT_IMAGE=/boot/vmlinuz $args"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', Image Customizer's grub.cfg makes '$want'"
grep -Eq "netinit-serve: client $MAC UEFI-x64(\+iPXE)? given grub/x86_64-efi/core.efi" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no UEFI client line for $MAC"; }
for f in grub/grub.cfg boot/vmlinuz boot/initrd.img; do
	grep -q "netinit-serve: tftp $f to " "$W/serve.log" || fail "GRUB did not load $f over TFTP"
done
grep -q 'netinit-serve: http 10.9.0.1[0-9]* GET /images/image.iso 200' "$W/serve.log" || fail "no http line for image.iso"
pxe_times "$W/boot.log" uefi-grub-imagecustomizer
pxe_serve_stop
