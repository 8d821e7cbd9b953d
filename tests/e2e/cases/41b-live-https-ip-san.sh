#!/bin/bash
# https by IP address: https://10.0.2.2:PORT/ is verified against the certificate's IP-address
# SAN (mbedTLS 2.28 matched DNS names only, so this could not verify), over TLS 1.3 (the server
# speaks nothing else), and boots. Then a certificate from the same trusted CA that names the
# host only by DNS: the same URL is refused with one fatal TLS line, nothing is booted.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
E2E_TLS_PROTOCOLS=TLSv1.3 start_http "$W/srv" tls	# mk_test_ca: subjectAltName=IP:10.0.2.2
initrd_with_cas "$W/initrd.img" "$W/tls/ca.crt"
U=https://10.0.2.2:$HTTPS_PORT/root.squashfs
E2E_INITRD=$W/initrd.img qemu_boot "$W/boot.log" "root=live:$U" $QEMU_USERNET ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/boot.log" "netinit: downloading $U"
expect_no_log "$W/boot.log" 'TLS verification is off|insecure|warning'
grep -q '^TLSv1.3 .*"GET /root.squashfs ' "$W/nginx/logs/tls.log" ||
	fail "root.squashfs was not fetched over TLS 1.3: $(head -n 3 "$W/nginx/logs/tls.log")"

tls_reissue "$TLS_NAME" "DNS:$TLS_NAME"
E2E_INITRD=$W/initrd.img E2E_STOP_ON="netinit: rebooting now" E2E_TIMEOUT=120 qemu_boot "$W/boot2.log" \
	"root=live:$U rd.retry=20" $QEMU_USERNET || fail "QEMU did not stop"
expect_log "$W/boot2.log" "netinit: fatal: download: $U: TLS: mbedTLS: The certificate Common Name \(CN\) does not match with the expected CN for $U "
expect_no_log "$W/boot2.log" 'NETINIT-RESULT|Kernel panic|image at /run'
