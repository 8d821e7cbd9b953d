#!/bin/bash
# bootc.kexec: the OCI image carries its own kernel and initramfs in /usr/lib/modules/<kver>/;
# netinit unpacks it and kexecs into them.
# bootc.kexec.reuse-image=0: the command line minus bootc.kexec*, the kexec'd netinit (from the
# image's initramfs) fetches the image again and boots it.
# bootc.kexec (reuse-image=1, the default): the downloaded archive is kept and re-packed as
# /root.oci in front of the image's initramfs; the second kernel's netinit boots it with
# root=bootc-live:/root.oci bootc.kexec.reuse-image=0 and no second download (nginx sees one GET).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
bootc_kexec_image
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/root.oci
gets() { grep -c '"GET /root.oci ' "$W/nginx/logs/access.log"; }
E2E_MEM=768 qemu_boot "$W/boot.log" "root=bootc-live:$url bootc.kexec bootc.kexec.reuse-image=0" $QEMU_USERNET ||
	fail "boot did not finish"
expect_log "$W/boot.log" "netinit: bootc: kexec into /run/netinit/oci/root/usr/lib/modules/$KV/vmlinuz"
[ "$(grep -ac 'Run /init as init process' "$W/boot.log")" -ge 2 ] || fail "the kernel did not start twice"
expect_result "$W/boot.log" rootfs=tmpfs root_rw=no
expect_log "$W/boot.log" "NETINIT-RESULT .*cmdline=console=ttyS0 panic=-1 root=bootc-live:$url"
expect_no_log "$W/boot.log" 'NETINIT-RESULT .*bootc\.kexec'
expect_log "$W/boot.log" 'kexec_core: Starting new kernel'
[ "$(gets)" = 2 ] || fail "reuse-image=0: expected 2 GETs of root.oci (one per kernel), nginx saw $(gets)"

before=$(gets)
E2E_MEM=768 qemu_boot "$W/reuse.log" "root=bootc-live:$url bootc.kexec" $QEMU_USERNET || fail "reuse boot did not finish"
expect_reused "$W/reuse.log"
result_line "$W/reuse.log" | grep -Eq 'cmdline=console=ttyS0 panic=-1 no_timer_check bootc\.kexec\.reuse-image=0 root=bootc-live:/root\.oci$' ||
	fail "reuse: second kernel's cmdline: $(result_line "$W/reuse.log")"
[ "$(grep -ac 'netinit: bootc: downloading' "$W/reuse.log")" = 1 ] || fail "reuse: the image was downloaded more than once"
[ $(( $(gets) - before )) = 1 ] || fail "reuse: nginx saw $(( $(gets) - before )) GETs of root.oci, expected exactly 1"
note "archive $(stat -c %s "$W/srv/root.oci") bytes; $(grep -ao 'netinit: bootc: next initrd [^(]*([0-9]* bytes)' "$W/reuse.log" | head -n 1)"
note "$(grep -ao 'netinit: bootc: MemAvailable.*' "$W/reuse.log" | head -n 1 | tr -d '\r')"
