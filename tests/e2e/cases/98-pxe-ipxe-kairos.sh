#!/bin/bash
# The iPXE script chain: QEMU's iPXE ROM asks DHCP, tools/netinit-serve --loader ipxe answers
# iPXE clients with http://10.9.0.1/boot.ipxe, a script in Kairos's shape (set url/kernel/initrd,
# ifconf, kernel ... initrd=..., initrd, boot) carrying Kairos's kernel parameters; with
# --embed the OCI archive is a second initrd line (root=bootc-live:/root.oci, no download).
# The booted root reads back the command line: the script's kernel line after the kernel URL.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
trap pxe_cleanup EXIT
bootc_images
kairos="rd.neednet=1 ip=dhcp rd.cos.disable netboot install-mode config_url=http://10.9.0.1/config.yaml console=tty1 console=ttyS0"
pxe_serve --loader ipxe --embed --append "$kairos bootclabel=latest panic=-1" "$W/img/root.oci"
grep -q '^dhcp-boot=tag:ipxe,http://10.9.0.1/boot.ipxe$' "$W/srv/dnsmasq.conf" || fail "iPXE clients are not sent the script"
MAC=52:54:00:e2:e0:98
pxe_boot "$W/boot.log" tap0 $MAC -boot n || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest ip='10\.9\.0\.1[0-9][0-9]/24'
expect_layers_applied "$W/boot.log"
line=$(sed -n 's/^kernel ${url}\/${kernel} //p' "$W/srv/root/boot.ipxe")
[ "$line" = "initrd=initramfs.img initrd=root.cpio root=bootc-live:/root.oci $kairos bootclabel=latest panic=-1" ] ||
	fail "unexpected kernel line in boot.ipxe: $line"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$line" ] || fail "booted with '$got', boot.ipxe makes '$line'"
grep -q "^initrd \${url}/images/root.cpio$" "$W/srv/root/boot.ipxe" || fail "no second initrd line"
grep -Eq "netinit-serve: client $MAC BIOS\+iPXE given http://10.9.0.1/boot.ipxe" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no iPXE client line"; }
for f in /boot.ipxe /netinit/vmlinuz /netinit/initramfs.img /images/root.cpio; do
	grep -q "netinit-serve: http 10.9.0.1[0-9]* GET $f 200" "$W/serve.log" || fail "iPXE did not fetch $f over http"
done
pxe_times "$W/boot.log" bios-ipxe-script
pxe_serve_stop
