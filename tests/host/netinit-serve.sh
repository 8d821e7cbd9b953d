#!/bin/sh
# Host test: tools/netinit-serve --dry-run (no root, nothing started) writes the dnsmasq lines
# and configs of each chain: UEFI HTTP Boot clients (vendor class HTTPClient) get the vendor
# class back and a URL of grub-http/core.efi, whose grub-http/grub.cfg uses (http)/ paths and
# the same kernel command line as the TFTP configs; BIOS clients' line excludes them;
# --secure-boot gives UEFI clients Debian's signed shim with the signed GRUB beside it.
set -u
ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${NETINIT_SERVE:-$ROOT/tools/netinit-serve}
[ -d /usr/lib/grub/x86_64-efi ] && [ -r /usr/lib/PXELINUX/pxelinux.0 ] || { echo "netinit-serve: grub/pxelinux missing"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf 'hsqs-not-really-a-squashfs' > "$T/root.squashfs"
printf 'kernel' > "$T/vmlinuz"; printf 'initrd' > "$T/initrd"
fails=0
ck() { if grep -qxF -- "$2" "$1"; then echo "netinit-serve: PASS $3"; else echo "netinit-serve: FAIL: $3: no line '$2' in $1"; fails=$((fails + 1)); fi; }
"$S" --dry-run --server-ip 192.0.2.10 --dir "$T/a" --kernel "$T/vmlinuz" --initrd "$T/initrd" \
	--append console=ttyS0 "$T/root.squashfs" eth9 > "$T/a.out" 2>&1 || { cat "$T/a.out"; exit 1; }
sum=$(sha256sum < "$T/root.squashfs" | cut -d' ' -f1)
ck "$T/a/dnsmasq.conf" 'dhcp-vendorclass=set:httpboot,HTTPClient' "HTTP Boot clients are tagged"
ck "$T/a/dnsmasq.conf" 'dhcp-option-force=tag:httpboot,option:vendor-class,HTTPClient' "vendor class HTTPClient sent back"
ck "$T/a/dnsmasq.conf" 'dhcp-boot=tag:httpboot,http://192.0.2.10/grub-http/core.efi' "HTTP Boot clients get a URL"
ck "$T/a/dnsmasq.conf" 'dhcp-boot=tag:!efi64,tag:!ipxe,tag:!httpboot,pxelinux.0,,192.0.2.10' "BIOS line excludes HTTP clients"
ck "$T/a/dnsmasq.conf" 'dhcp-boot=tag:efi64,tag:!ipxe,grub/x86_64-efi/core.efi,,192.0.2.10' "UEFI PXE clients get grub-mknetdir's GRUB"
ck "$T/a/root/grub-http/grub.cfg" "    linux  (http)/netinit/vmlinuz root=live:http://192.0.2.10/images/root.squashfs rd.live.sha256=$sum console=ttyS0" "grub-http/grub.cfg linux line"
ck "$T/a/root/grub-http/grub.cfg" "    initrd (http)/netinit/initramfs.img" "grub-http/grub.cfg initrd line"
[ -s "$T/a/root/grub-http/core.efi" ] && [ -r "$T/a/root/grub-http/x86_64-efi/http.mod" ] &&
	echo "netinit-serve: PASS grub-http/core.efi and its modules" || { echo "netinit-serve: FAIL: no grub-http/core.efi or modules"; fails=$((fails + 1)); }
if [ -r /usr/lib/shim/shimx64.efi.signed ] && [ -r /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed ]; then
	"$S" --dry-run --secure-boot --server-ip 192.0.2.10 --dir "$T/b" --kernel "$T/vmlinuz" --initrd "$T/initrd" \
		"$T/root.squashfs" eth9 > "$T/b.out" 2>&1 || { cat "$T/b.out"; exit 1; }
	ck "$T/b/dnsmasq.conf" 'dhcp-boot=tag:efi64,tag:!ipxe,shimx64.efi,,192.0.2.10' "--secure-boot: UEFI clients get shim"
	cmp -s "$T/b/root/shimx64.efi" /usr/lib/shim/shimx64.efi.signed && cmp -s "$T/b/root/grubx64.efi" /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed &&
		echo "netinit-serve: PASS signed shim and GRUB in the TFTP root" || { echo "netinit-serve: FAIL: shimx64.efi/grubx64.efi are not Debian's signed ones"; fails=$((fails + 1)); }
	if "$S" --dry-run --secure-boot --loader ipxe --server-ip 192.0.2.10 "$T/root.squashfs" eth9 > /dev/null 2>&1; then
		echo "netinit-serve: FAIL: --secure-boot --loader ipxe accepted"; fails=$((fails + 1))
	else echo "netinit-serve: PASS --secure-boot refuses --loader ipxe"; fi
fi
[ $fails -eq 0 ]
