#!/bin/bash
# The same 1000-components-deep entry as 80-bootc-deep-layer.sh, in the first layer of an
# image pulled from Debian's docker-registry: that layer is applied on the puller's
# applier thread (before: musl's 128 KiB default stack, libarchive's recursive parent
# creation overflowed it: "Attempted to kill init"). Refused with one fatal line.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
. "$NETINIT_ROOT/tests/host/oci/registry.sh"
. "$NETINIT_ROOT/tests/host/oci/deepimages.sh"
command -v docker-registry >/dev/null || skip "docker-registry missing"
trap stop_registry EXIT
mk_deep_images "$W/img" >"$W/mkimages.log" 2>&1 || { cat "$W/mkimages.log" >&2; fail "building the test images"; }
start_registry || fail "docker-registry did not start"
push_image "$W/img/deepfirst-layout:latest" netinit/deep:v1 || fail "skopeo push"
export E2E_STOP_ON='netinit: fatal|NETINIT-RESULT|Kernel panic' E2E_TIMEOUT=180
qemu_boot "$W/reg.log" "root=bootc-live:docker://10.0.2.2:$REG_PORT/netinit/deep:v1 bootc.registry.unsecure" $QEMU_USERNET || true
expect_no_log "$W/reg.log" 'Kernel panic|Attempted to kill init|NETINIT-RESULT'
expect_log "$W/reg.log" 'layer 1/2: sha256:'
expect_log "$W/reg.log" 'netinit: fatal: root: .*layer sha256:[0-9a-f]{64}: entry "a/a/a/a/[a/]*.*" is 1000 levels deep, at most 512 are allowed'
[ "$(grep -ac 'netinit: fatal' "$W/reg.log")" = 1 ] || fail "not one fatal line"
note "registry: $(grep -a 'netinit: fatal' "$W/reg.log" | tr -d '\r' | cut -c1-240)"
