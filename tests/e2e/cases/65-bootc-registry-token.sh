#!/bin/bash
# A private registry: the Bearer token flow (tests/host/oci/regproxy.py in front of
# docker-registry) with the credentials in /etc/netinit/registry-auth in the initramfs;
# without the file the boot stops with a clear error and no password is ever printed.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
e2e_registry bootc_images
push_image "$W/img/layout:latest" private/img:v1 || fail "skopeo push"
start_regproxy token || fail "regproxy did not start"
printf '# host[:port] user:password\n10.0.2.2:%s netinit:s3cret\n' "$PROXY_PORT" > "$W/auth"
initrd_with "$W/initrd.img" "$W/auth:/etc/netinit/registry-auth"
APP="root=bootc-live:docker://10.0.2.2:$PROXY_PORT/private/img:v1 bootc.registry.unsecure rd.debug"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/token.log" "$APP" $QEMU_USERNET || fail "boot did not finish"
expect_result "$W/token.log" rootfs=tmpfs root_rw=no marker=label-latest
expect_layers_applied "$W/token.log"
expect_log "$W/token.log" 'bootc: token from http://10.0.2.2:[0-9]+/token with credentials'
expect_no_log "$W/token.log" 's3cret'
E2E_STOP_ON='netinit: fatal' E2E_TIMEOUT=120 qemu_boot "$W/nocreds.log" "$APP" $QEMU_USERNET || true
expect_log "$W/nocreds.log" 'netinit: fatal: root: .*token service .* answered 401: it wants credentials'
