#!/bin/bash
# root=bootc-live:http://... : the oci-archive downloaded into the tree's tmpfs, unpacked,
# applied layers punched out of it, then deleted; DHCP from QEMU's user network.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
bootc_images
mkdir -p "$W/srv"; cp "$W/img/root.oci" "$W/srv/root.oci"
start_http "$W/srv"
qemu_boot "$W/boot.log" "root=bootc-live:http://10.0.2.2:$HTTP_PORT/root.oci bootclabel=latest rd.debug" $QEMU_USERNET ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest ip=10.0.2.15/24
expect_layers_applied "$W/boot.log"
expect_log "$W/boot.log" 'bootc: archive downloaded'
expect_log "$W/boot.log" 'MiB of applied layers given back|applied layers given back'
