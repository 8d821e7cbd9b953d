#!/bin/bash
# BIOS + pxelinux, the whole chain: SeaBIOS and QEMU's iPXE ROM ask DHCP (tools/netinit-serve's
# dnsmasq), load pxelinux.0 and pxelinux.cfg/default over TFTP, pxelinux loads the kernel and
# netinit's initramfs, netinit downloads the squashfs (rd.live.sha256 filled in by the command)
# over http from the command's nginx and switches root. The booted root reads back the command
# line pxelinux passed: the APPEND line of the served config plus IPAPPEND 2's BOOTIF=.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --append "console=ttyS0 panic=-1" "$W/root.squashfs"
MAC=52:54:00:e2:e0:95
pxe_boot "$W/boot.log" tap0 $MAC -boot n || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
app=$(sed -n 's/^    APPEND //p' "$W/srv/root/pxelinux.cfg/default")
case $app in *" rd.live.sha256=$(sha256sum < "$W/root.squashfs" | cut -d' ' -f1) "*) ;; *) fail "APPEND lacks the image's digest: $app" ;; esac
# pxelinux puts BOOT_IMAGE= first and its INITRD as initrd= after APPEND, then IPAPPEND 2
want="BOOT_IMAGE=netinit/vmlinuz $app initrd=netinit/initramfs.img BOOTIF=01-${MAC//:/-}"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', pxelinux.cfg/default makes '$want'"
expect_log "$W/boot.log" 'netinit: image at .* after 1 attempt, sha256 verified'
grep -q "netinit-serve: client $MAC BIOS+iPXE given pxelinux.0" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no client line for $MAC"; }
grep -q 'netinit-serve: http 10.9.0.1[0-9]* GET /images/root.squashfs 200' "$W/serve.log" || fail "no http line for the image"
# the DHCP of netinit itself is logged as such (it was "non-PXE given pxelinux.0"), and gets no boot file
grep -q "netinit-serve: client $MAC netinit DHCP (vendor class netinit) given address 10.9.0.1[0-9][0-9]" "$W/serve.log" ||
	{ cat "$W/serve.log" >&2; fail "no line for netinit's own DHCP"; }
! grep -q 'non-PXE' "$W/serve.log" || fail "a client was logged as non-PXE: $(grep non-PXE "$W/serve.log")"
for x in $(grep 'vendor class: netinit' "$W/srv/log/dnsmasq.log" | awk '{print $5}' | sort -u); do
	! grep -q "]: $x sent .* bootfile-name" "$W/srv/log/dnsmasq.log" || fail "netinit's DHCP (xid $x) was given a boot file"
done
pxe_times "$W/boot.log" bios-pxelinux
pxe_serve_stop
