#!/bin/bash
# Hostile depths in an oci-archive (issue 10, items 1 and 4): a layer whose entry is 1000
# components deep is refused with one fatal line naming it (before: accepted, and on
# the registry's applier thread a kernel panic); a layer writing a tree 40 directories
# deep with opaque markers at its top and bottom, over a lower tree 100 levels deep
# that it whites out, boots with the right result (before: musl's nftw stopped at 32
# levels, "Directory not empty").
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
. "$NETINIT_ROOT/tests/host/oci/deepimages.sh"
mk_deep_images "$W/img" >"$W/mkimages.log" 2>&1 || { cat "$W/mkimages.log" >&2; fail "building the test images"; }
export E2E_STOP_ON='netinit: fatal|NETINIT-DEEP|Kernel panic' E2E_TIMEOUT=180
initrd_with "$W/initrd-deep.img" "$W/img/deep.oci:/root.oci"
E2E_INITRD="$W/initrd-deep.img" qemu_boot "$W/deep.log" "root=bootc-live:/root.oci" || true
expect_no_log "$W/deep.log" 'Kernel panic|Attempted to kill init|NETINIT-RESULT'
expect_log "$W/deep.log" 'netinit: fatal: root: .*layer sha256:[0-9a-f]{64}: entry "a/a/a/a/[a/]*.*" is 1000 levels deep, at most 512 are allowed'
[ "$(grep -ac 'netinit: fatal' "$W/deep.log")" = 1 ] || fail "not one fatal line"
note "deep: $(grep -a 'netinit: fatal' "$W/deep.log" | tr -d '\r' | cut -c1-240)"
initrd_with "$W/initrd-good.img" "$W/img/good.oci:/root.oci"
E2E_INITRD="$W/initrd-good.img" qemu_boot "$W/good.log" "root=bootc-live:/root.oci" || true
expect_no_log "$W/good.log" 'Kernel panic|Attempted to kill init|netinit: fatal'
expect_result "$W/good.log" rootfs=tmpfs
expect_log "$W/good.log" 'NETINIT-DEEP lowtree=gone top=o, bottom=new, new=new'
