#!/bin/bash
# UEFI Secure Boot, the whole signed chain: OVMF built for Secure Boot with Microsoft's keys
# enrolled (Debian's OVMF_CODE_4M.secboot.fd + OVMF_VARS_4M.ms.fd), its own network stack
# (the NIC has no option ROM: QEMU's EFI iPXE is not signed), DHCP from
# tools/netinit-serve --secure-boot -> Debian's shim (signed by Microsoft) over TFTP -> shim
# loads Debian's signed netboot GRUB (grubnetx64 as grubx64.efi, checked against Debian's key
# in shim) from the TFTP root -> GRUB reads grub/grub.cfg under its built-in prefix /grub and
# loads Debian's signed kernel (checked by shim's protocol) and netinit's initramfs (not
# checked) -> netinit downloads the squashfs (rd.live.sha256 checked). The booted root reads
# back its command line and reports the firmware's SecureBoot variable, the kernel's lockdown
# mode and the kernel's own "Secure boot enabled" line.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
[ -r /usr/lib/shim/shimx64.efi.signed ] || skip "shim-signed missing (tools/packages/pxe.txt)"
[ -r /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed ] || skip "grub-efi-amd64-signed missing (tools/packages/pxe.txt)"
[ -r /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || skip "OVMF's Secure Boot build missing (ovmf)"
make_testroot "$W/root"
for a in od dmesg insmod; do ln -sf busybox "$W/root/bin/$a"; done
# efivarfs is a module of Debian's kernel (signed, as lockdown=integrity demands)
cp "/lib/modules/$KVER/kernel/fs/efivarfs/efivarfs.ko" "$W/root/efivarfs.ko" || fail "no efivarfs.ko for $KVER"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
# SecureBoot-<EFI global variable GUID>: 4 bytes of attributes, then 1 (on) or 0
mount -t sysfs sysfs /sys 2>/dev/null
insmod /efivarfs.ko
mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
sb=$(od -An -tu1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c 2>/dev/null | awk '{print $5}')
lk=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/security/lockdown 2>/dev/null)
kl=no; dmesg | grep -q 'Secure boot enabled' && kl=yes
echo "NETINIT-SECUREBOOT efivar=${sb:-none} lockdown=${lk:-none} kernel_says_enabled=$kl"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --secure-boot --append "console=ttyS0 panic=-1" "$W/root.squashfs"
grep -q '^dhcp-boot=tag:pxe,tag:efi64,tag:!ipxe,shimx64.efi,,10.9.0.1$' "$W/srv/dnsmasq.conf" || fail "UEFI clients are not given shim"
MAC=52:54:00:e2:e0:93
PXE_NIC="romfile=,bootindex=1" E2E_TIMEOUT=${E2E_TIMEOUT:-600} pxe_boot "$W/boot.log" tap1 $MAC $(ovmf_secboot_args sb) \
	-fw_cfg name=opt/org.tianocore/IPv6Support,string=no || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
sbl=$(grep -a 'NETINIT-SECUREBOOT' "$W/boot.log" | tail -n 1 | tr -d '\r')
note "$sbl"
[ "$sbl" = "NETINIT-SECUREBOOT efivar=1 lockdown=integrity kernel_says_enabled=yes" ] || fail "the booted system did not see Secure Boot on: ${sbl:-no line}"
args=$(sed -n 's/^    linux  \/netinit\/vmlinuz //p' "$W/srv/root/grub/grub.cfg")
want="BOOT_IMAGE=/netinit/vmlinuz $args"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', grub.cfg makes '$want'"
expect_log "$W/boot.log" 'netinit: image at .* after 1 attempt, sha256 verified'
grep -Eq "netinit-serve: client $MAC UEFI-x64 given shimx64.efi" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no UEFI client line for $MAC"; }
for f in shimx64.efi grubx64.efi grub/grub.cfg netinit/vmlinuz netinit/initramfs.img; do
	grep -q "netinit-serve: tftp $f to " "$W/serve.log" || fail "$f was not loaded over TFTP"
done
pxe_times "$W/boot.log" uefi-secureboot-shim-grub
pxe_serve_stop
