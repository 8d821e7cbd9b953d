#!/bin/bash
# https whose certificate was signed by a CA the initramfs does not trust: refused before any
# byte is used, with one fatal line naming the TLS failure and a hint (rd.noverifyssl).
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
start_http "$W/srv" tls
tls_reissue "$TLS_NAME"
echo "10.0.2.2 $TLS_NAME" > "$W/hosts"
mk_test_ca "$W/other-ca"	# trusted by the guest, but it did not sign the server's certificate
initrd_with_cas "$W/initrd.img" "$W/other-ca/ca.crt" "$W/hosts:/etc/hosts"
E2E_INITRD=$W/initrd.img E2E_STOP_ON="netinit: rebooting now" E2E_TIMEOUT=120 qemu_boot "$W/boot.log" \
	"root=live:https://$TLS_NAME:$HTTPS_PORT/root.squashfs rd.retry=20" $QEMU_USERNET ||
	fail "QEMU did not stop"
expect_log "$W/boot.log" "netinit: fatal: download: https://$TLS_NAME:$HTTPS_PORT/root.squashfs: TLS: mbedTLS: The certificate is not correctly signed by the trusted CA for https://"
expect_log "$W/boot.log" 'netinit: hint: .*(CA|rd.noverifyssl)'
expect_no_log "$W/boot.log" 'NETINIT-RESULT|Kernel panic|image at /run'
