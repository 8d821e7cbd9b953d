#!/bin/bash
# UEFI + GRUB, the whole chain: OVMF boots from the NIC (QEMU's efi-virtio ROM, an EFI iPXE)
# and asks DHCP with client architecture 7 (and user class iPXE), gets
# grub-mknetdir's core.efi from tools/netinit-serve, GRUB reads grub/grub.cfg over TFTP and loads
# the kernel and netinit's initramfs with (tftp)/ paths (Image Customizer's layout), netinit
# downloads the squashfs over http. The booted root reads back the command line GRUB passed:
# BOOT_IMAGE= (GRUB's) followed by the linux line's arguments.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --append "console=ttyS0 panic=-1" "$W/root.squashfs"
MAC=52:54:00:e2:e0:96
pxe_boot "$W/boot.log" tap1 $MAC $(ovmf_args uefi) -boot n || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
args=$(sed -n 's/^    linux  (tftp)\/netinit\/vmlinuz //p' "$W/srv/root/grub/grub.cfg")
[ -n "$args" ] || fail "no linux line in grub.cfg"
want="BOOT_IMAGE=(tftp)/netinit/vmlinuz $args"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', grub.cfg makes '$want'"
expect_log "$W/boot.log" 'netinit: image at .* after 1 attempt, sha256 verified'
grep -Eq "netinit-serve: client $MAC UEFI-x64(\+iPXE)? given grub/x86_64-efi/core.efi" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no UEFI client line for $MAC"; }
grep -q 'netinit-serve: tftp grub/grub.cfg to ' "$W/serve.log" || fail "GRUB did not read grub/grub.cfg"
pxe_times "$W/boot.log" uefi-grub
pxe_serve_stop
