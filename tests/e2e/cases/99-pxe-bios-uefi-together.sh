#!/bin/bash
# tools/netinit-serve serving one squashfs to a BIOS and a UEFI guest on the same segment at the
# same time (the issue's e2e for the server command): both boot from the network through their
# firmware at once — SeaBIOS + QEMU's iPXE ROM -> pxelinux.0 on tap0, OVMF (QEMU's EFI iPXE
# ROM, client arch 7) -> GRUB core.efi on tap1 — from the one dnsmasq/TFTP/nginx, and download
# the image over http. Each booted root reads back the command line its own boot loader passed,
# and the command logged both clients with their MAC and architecture.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --append "console=ttyS0 panic=-1" "$W/root.squashfs"
MB=52:54:00:e2:e9:01 MU=52:54:00:e2:e9:02
export E2E_TIMEOUT=${E2E_TIMEOUT:-600}
pxe_boot_bg bios tap0 $MB -boot n
pxe_boot_bg uefi tap1 $MU $(ovmf_args uefi) -boot n
pxe_wait bios || fail "the BIOS guest did not finish"
fw_bios=$PXE_FW
pxe_wait uefi || fail "the UEFI guest did not finish"
fw_uefi=$PXE_FW
expect_result "$W/bios.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
expect_result "$W/uefi.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
ipb=$(result_line "$W/bios.log" | sed 's/.* ip=\([^ ]*\).*/\1/') ipu=$(result_line "$W/uefi.log" | sed 's/.* ip=\([^ ]*\).*/\1/')
[ "$ipb" != "$ipu" ] || fail "both guests have $ipb"
app=$(sed -n 's/^    APPEND //p' "$W/srv/root/pxelinux.cfg/default")
want="BOOT_IMAGE=netinit/vmlinuz $app initrd=netinit/initramfs.img BOOTIF=01-${MB//:/-}"
got=$(cmdline_of "$W/bios.log")
[ "$got" = "$want" ] || fail "the BIOS guest booted with '$got', pxelinux.cfg/default makes '$want'"
args=$(sed -n 's/^    linux  \/netinit\/vmlinuz //p' "$W/srv/root/grub/grub.cfg")
want="BOOT_IMAGE=/netinit/vmlinuz $args"
got=$(cmdline_of "$W/uefi.log")
[ "$got" = "$want" ] || fail "the UEFI guest booted with '$got', grub.cfg makes '$want'"
for l in bios uefi; do expect_log "$W/$l.log" 'netinit: image at .* after 1 attempt, sha256 verified'; done
grep -q "netinit-serve: client $MB BIOS+iPXE given pxelinux.0" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no BIOS client line for $MB"; }
grep -Eq "netinit-serve: client $MU UEFI-x64(\+iPXE)? given grub/x86_64-efi/core.efi" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no UEFI client line for $MU"; }
for ip in ${ipb%/*} ${ipu%/*}; do
	grep -q "netinit-serve: http $ip GET /images/root.squashfs 200" "$W/serve.log" || fail "no http line for the image to $ip"
done
PXE_FW=$fw_bios pxe_times "$W/bios.log" together-bios-pxelinux
PXE_FW=$fw_uefi pxe_times "$W/uefi.log" together-uefi-grub
pxe_serve_stop
