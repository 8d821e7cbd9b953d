#!/bin/bash
# root=bootc-live:/root.oci with the archive embedded at build time (what make initramfs
# OCI=root.oci does: one more "file" line in the initramfs list), zstd layers.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
[ -f "$NETINIT_BUILD/initramfs.list" ] && [ -x "$NETINIT_BUILD/mkcpio" ] || skip "no build/initramfs.list (make initramfs)"
bootc_images
{ cat "$NETINIT_BUILD/initramfs.list"; echo "file /root.oci $W/img/zstd.oci 0644 0 0"; } > "$W/initramfs.list"
( cd "$NETINIT_ROOT" && "$NETINIT_BUILD/mkcpio" "$W/initramfs.list" ) | gzip -1 > "$W/initrd.img" || fail "packing the initramfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" "root=bootc-live:/root.oci" || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest
expect_layers_applied "$W/boot.log"
expect_log "$W/boot.log" 'tar\+zstd'
