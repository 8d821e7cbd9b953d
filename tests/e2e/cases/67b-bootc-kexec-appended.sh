#!/bin/bash
# bootc.kexec (reuse-image=1, the default) with the oci-archive appended by the boot loader as a
# second initrd (root=bootc-live:/root.oci, in the initramfs's ramfs): the archive is moved into the
# next initrd (copied from its end, the ramfs file truncated behind each piece: no second whole copy)
# and the second kernel's netinit boots it from /root.oci. No network at all.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
bootc_kexec_image
initrd_with "$W/initrd-oci.img" "$W/srv/root.oci:/root.oci"
E2E_MEM=768 E2E_INITRD=$W/initrd-oci.img qemu_boot "$W/reuse.log" "root=bootc-live:/root.oci bootc.kexec" ||
	fail "boot did not finish"
expect_reused "$W/reuse.log"
result_line "$W/reuse.log" | grep -Eq 'cmdline=console=ttyS0 panic=-1 no_timer_check bootc\.kexec\.reuse-image=0 root=bootc-live:/root\.oci$' ||
	fail "second kernel's cmdline: $(result_line "$W/reuse.log")"
[ "$(grep -ac 'netinit: bootc: /root.oci: image' "$W/reuse.log")" = 2 ] || fail "expected both kernels to unpack /root.oci"
note "archive $(stat -c %s "$W/srv/root.oci") bytes; $(grep -ao 'netinit: bootc: next initrd [^(]*([0-9]* bytes)' "$W/reuse.log" | head -n 1)"
note "$(grep -ao 'netinit: bootc: MemAvailable.*' "$W/reuse.log" | head -n 1 | tr -d '\r')"
