#!/bin/bash
# bootc.live.erofs: the unpacked tree is written as an EROFS image (null UUID, timestamps at
# the epoch) and the root is that image, read-only, with tmpfs overlays over /etc and /var.
# The image the guest built is byte for byte the one build/mkerofs makes on the host from
# `umoci unpack` of the same tag (reproducible), on every boot; whiteouts, the opaque
# directory, owners, hard links and symlinks survive the conversion; rw has no effect;
# bootc.live.etc.rw=0 keeps /etc read-only; rootflags= reach the EROFS mount.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
[ -x "$NETINIT_BUILD/mkerofs" ] || skip "no $NETINIT_BUILD/mkerofs (make hostcheck or e2e builds it)"
BOOTC_TEST_EXTRA='dev=$(awk '"'"'$2=="/" {d=$1} END {print d}'"'"' /proc/mounts); echo "NETINIT-EROFS dev=${dev%%[0-9]*} md5=$(md5sum "$dev" | cut -d" " -f1) opts=$(awk '"'"'$2=="/" {o=$4} END {print o}'"'"' /proc/mounts)"'
bootc_images
# the reference: the same tag unpacked by umoci, written by the host build of the same writer
umoci unpack --image "$W/img/layout:latest" "$W/ref" >/dev/null || fail "umoci unpack"
# the guest's 6.1 tmpfs stores no user.* xattrs (the layer applier warns of the one on /capfile)
setfattr -x user.netinit "$W/ref/rootfs/capfile" || fail "the reference tree lacks user.netinit on /capfile"
"$NETINIT_BUILD/mkerofs" "$W/ref/rootfs" "$W/ref.erofs" >/dev/null || fail "host mkerofs"
fsck.erofs "$W/ref.erofs" >/dev/null || fail "fsck.erofs refuses the host image"
want=$(md5sum < "$W/ref.erofs" | cut -d' ' -f1)
initrd_with "$W/initrd.img" "$W/img/root.oci:/root.oci"
export E2E_INITRD="$W/initrd.img"

qemu_boot "$W/boot1.log" "root=bootc-live:/root.oci bootc.live.erofs" || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=erofs root_rw=no etc_rw=yes var_rw=yes marker=label-latest
expect_layers_applied "$W/boot1.log"
expect_log "$W/boot1.log" 'netinit: bootc: EROFS image /run/netinit/oci/root.erofs: .* inodes'
expect_log "$W/boot1.log" "NETINIT-EROFS dev=/dev/loop md5=$want "

qemu_boot "$W/boot2.log" "root=bootc-live:/root.oci bootc.live.erofs=1 rw bootc.live.etc.rw=0 rootflags=noatime" ||
	fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=erofs root_rw=no etc_rw=no var_rw=yes marker=label-latest
expect_log "$W/boot2.log" 'read-only \(rw has no effect\)'
expect_log "$W/boot2.log" "NETINIT-EROFS dev=/dev/loop md5=$want opts=ro,noatime"
