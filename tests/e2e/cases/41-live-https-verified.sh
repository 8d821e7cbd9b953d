#!/bin/bash
# https with the test CA added to the initramfs bundle: the certificate is verified, rd.live.sha256=auto
# fetches <URL>.sha256 first, and the squashfs boots.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
(cd "$W/srv" && sha256sum root.squashfs > root.squashfs.sha256)
start_http "$W/srv" tls
tls_reissue "$TLS_NAME"
echo "10.0.2.2 $TLS_NAME" > "$W/hosts"
initrd_with_cas "$W/initrd.img" "$W/tls/ca.crt" "$W/hosts:/etc/hosts"
E2E_INITRD=$W/initrd.img qemu_boot "$W/boot.log" \
	"root=live:https://$TLS_NAME:$HTTPS_PORT/root.squashfs rd.live.sha256=auto" $QEMU_USERNET ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/boot.log" "netinit: downloading https://$TLS_NAME:$HTTPS_PORT/root.squashfs"
expect_log "$W/boot.log" 'sha256 verified'
expect_no_log "$W/boot.log" 'TLS verification is off|insecure|warning'
grep -q 'GET /root.squashfs.sha256 ' "$W/nginx/logs/access.log" || fail "the .sha256 file was never requested"
