#!/bin/bash
# UEFI HTTP Boot, no TFTP at all: OVMF's own network stack (the NIC has no option ROM, so no
# iPXE; OVMF's PXE is switched off through fw_cfg, so its HTTPv4 boot option is the one that
# runs) asks DHCP with vendor class HTTPClient:Arch:00016; tools/netinit-serve's dnsmasq
# answers with vendor class HTTPClient and the URL of a GRUB EFI as the boot file; OVMF's
# HttpBootDxe downloads it, GRUB (prefix (http,<server>)/grub-http) reads grub-http/grub.cfg and
# loads the kernel and netinit's initramfs with (http)/ paths, netinit downloads the squashfs.
# The booted root reads back the command line GRUB passed; nothing crossed TFTP.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --append "console=ttyS0 panic=-1" "$W/root.squashfs"
grep -q '^dhcp-boot=tag:httpboot,http://10.9.0.1/grub-http/core.efi$' "$W/srv/dnsmasq.conf" || fail "HTTP Boot clients are not given a URL"
MAC=52:54:00:e2:e0:94
PXE_NIC="romfile=,bootindex=1" E2E_TIMEOUT=${E2E_TIMEOUT:-600} pxe_boot "$W/boot.log" tap1 $MAC $(ovmf_args http) \
	-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no -fw_cfg name=opt/org.tianocore/IPv6Support,string=no ||
	fail "boot did not finish"
expect_log "$W/boot.log" 'BdsDxe: starting Boot[0-9A-F]* "UEFI HTTPv4 \(MAC:525400E2E094\)"'
expect_result "$W/boot.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
args=$(sed -n 's/^    linux  (http)\/netinit\/vmlinuz //p' "$W/srv/root/grub-http/grub.cfg")
[ -n "$args" ] || fail "no linux line in grub-http/grub.cfg"
want="BOOT_IMAGE=(http)/netinit/vmlinuz $args"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', grub-http/grub.cfg makes '$want'"
expect_log "$W/boot.log" 'netinit: image at .* after 1 attempt, sha256 verified'
grep -q "netinit-serve: client $MAC UEFI-x64-HTTP given http://10.9.0.1/grub-http/core.efi" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no HTTP Boot client line for $MAC"; }
for f in /grub-http/core.efi /grub-http/grub.cfg /netinit/vmlinuz /netinit/initramfs.img /images/root.squashfs; do
	grep -q "netinit-serve: http 10.9.0.1[0-9]* GET $f 200" "$W/serve.log" || fail "$f was not fetched over http"
done
! grep -q 'netinit-serve: tftp ' "$W/serve.log" || fail "something was loaded over TFTP: $(grep 'netinit-serve: tftp ' "$W/serve.log" | head -n 3)"
pxe_times "$W/boot.log" uefi-httpboot
pxe_serve_stop
