#!/bin/bash
# root=bootc-live:docker://<registry>/<repo>:<tag> and @sha256:<digest> from Debian's
# docker-registry on the host (plain HTTP: bootc.registry.unsecure), layers streamed
# network -> sha256 -> gunzip -> extract.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
e2e_registry bootc_images
push_image "$W/img/layout:latest" netinit/test:v1 || fail "skopeo push"
qemu_boot "$W/tag.log" "root=bootc-live:docker://10.0.2.2:$REG_PORT/netinit/test:v1 bootc.registry.unsecure" $QEMU_USERNET ||
	fail "boot by tag did not finish"
expect_result "$W/tag.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest ip=10.0.2.15/24
expect_layers_applied "$W/tag.log"
expect_log "$W/tag.log" 'TLS verification is off'
qemu_boot "$W/digest.log" "root=bootc-live:docker://10.0.2.2:$REG_PORT/netinit/test@$PUSHED_DIGEST bootc.registry.unsecure=1 rw" \
	$QEMU_USERNET || fail "boot by digest did not finish"
expect_result "$W/digest.log" rootfs=tmpfs root_rw=yes marker=label-latest
expect_log "$W/digest.log" "image $PUSHED_DIGEST unpacked"
