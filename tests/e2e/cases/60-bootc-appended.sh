#!/bin/bash
# root=bootc-live:/root.oci with the oci-archive appended as a second initrd (the PXE
# loader's way): layers applied with whiteouts and an opaque directory, read-only root
# with writable /etc and /var; then rw (ro ignored), and rw=0 with bootclabel=other and
# bootc.live.{etc,var}.rw=0.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
bootc_images
initrd_with "$W/initrd.img" "$W/img/root.oci:/root.oci"
export E2E_INITRD="$W/initrd.img"

qemu_boot "$W/boot1.log" "root=bootc-live:/root.oci ro" || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest
expect_layers_applied "$W/boot1.log"
expect_log "$W/boot1.log" 'all digests verified'

qemu_boot "$W/boot2.log" "root=bootc-live:/root.oci rw ro" || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=tmpfs root_rw=yes etc_rw=yes var_rw=yes marker=label-latest

qemu_boot "$W/boot3.log" "root=bootc-live:/root.oci rw rw=0 bootclabel=other bootc.live.etc.rw=0 bootc.live.var.rw=0" ||
	fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=tmpfs root_rw=no etc_rw=no var_rw=no marker=label-other
