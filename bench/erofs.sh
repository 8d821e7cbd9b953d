#!/bin/bash
# bootc.live.erofs on the host, same run, same tree (an image of about MIB MiB unpacked by
# umoci into a tmpfs): our writer (build/mkerofs, what netinit runs in the guest) vs
# `mkfs.erofs -T0 -U<null>` (erofs-utils, what bootc-live runs), both uncompressed.
# Prints for each: build time (best of 3), image size, and the smallest tmpfs (4 MiB steps)
# that holds the tree and builds its image on it — ours empties each file as it copies it
# (--consume), mkfs.erofs needs the tree and the image side by side.
#   bench/erofs.sh [MIB]   (default 200)
set -u
NETINIT_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CASE=bench-erofs
. "$NETINIT_ROOT/tests/e2e/lib.sh"
. "$NETINIT_ROOT/bench/oci-image.sh"
MIB=${1:-200}
M=$NETINIT_BUILD/mkerofs
[ -x "$M" ] || fail "no $M (make $NETINIT_BUILD/mkerofs)"
command -v mkfs.erofs >/dev/null && command -v umoci >/dev/null || skip "erofs-utils/umoci missing (make setup)"
mk_big_oci "$W/big" "$MIB" || fail "building the image"
T=$W/tmpfs; mkdir -p "$T"
mount -t tmpfs -o size=$((MIB * 3 + 256))m tmpfs "$T" || skip "cannot mount a tmpfs"
trap 'umount -l "$T" "$W/fit" 2>/dev/null' EXIT
umoci unpack --image "$W/big/layout:latest" "$T/u" >/dev/null || fail "umoci unpack"
tree=$T/u/rootfs
tree_kib=$(du -sk "$tree" | cut -f1)
NULL=00000000-0000-0000-0000-000000000000
ms() { date +%s%3N; }
best_ours=999999; best_mkfs=999999
for i in 1 2 3; do
	rm -f "$T/ours.img" "$T/mkfs.img"; sync
	t0=$(ms); "$M" "$tree" "$T/ours.img" >/dev/null || fail "mkerofs"; t1=$(ms)
	[ $((t1 - t0)) -lt $best_ours ] && best_ours=$((t1 - t0))
	t0=$(ms); mkfs.erofs -T0 -U"$NULL" "$T/mkfs.img" "$tree" >/dev/null 2>&1 || fail "mkfs.erofs"; t1=$(ms)
	[ $((t1 - t0)) -lt $best_mkfs ] && best_mkfs=$((t1 - t0))
done
ours_kib=$(( $(stat -c %s "$T/ours.img") / 1024 )); mkfs_kib=$(( $(stat -c %s "$T/mkfs.img") / 1024 ))

# smallest tmpfs (4 MiB steps) holding the tree that can also build the image on it
mkdir -p "$W/fit"
fits() { # MIB, command... (the tree is copied in first; 1 = it fits)
	mib=$1; shift
	umount -l "$W/fit" 2>/dev/null; mount -t tmpfs -o size=${mib}m tmpfs "$W/fit" || return 1
	cp -a "$tree" "$W/fit/tree" 2>/dev/null || return 1
	"$@" >/dev/null 2>&1
}
smallest() { # command with TREE and IMG placeholders
	lo=$(( tree_kib / 1024 / 4 )); hi=$(( tree_kib / 1024 / 4 * 3 + 16 ))
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if fits $((mid * 4)) "$@"; then hi=$mid; else lo=$mid; fi
	done
	echo $((hi * 4))
}
fit_ours=$(smallest "$M" "$W/fit/tree" "$W/fit/img" --consume)
fit_mkfs=$(smallest mkfs.erofs -T0 -U"$NULL" "$W/fit/img" "$W/fit/tree")
echo "EROFS image of a $((tree_kib / 1024)) MiB tree (umoci unpack of a $MIB MiB test image), uncompressed, best of 3:"
echo "  netinit mkerofs:           $best_ours ms, image $((ours_kib / 1024)) MiB, smallest tmpfs for tree + build: $fit_ours MiB"
echo "  mkfs.erofs -T0 -U<null>:   $best_mkfs ms, image $((mkfs_kib / 1024)) MiB, smallest tmpfs for tree + build: $fit_mkfs MiB"
echo "RESULT erofs tree_mib=$((tree_kib / 1024)) ours_ms=$best_ours mkfs_ms=$best_mkfs speedup=$(awk -v a=$best_mkfs -v b=$best_ours 'BEGIN{printf "%.2f", a/b}')x" \
	"ours_img_kib=$ours_kib mkfs_img_kib=$mkfs_kib ours_fit_mib=$fit_ours mkfs_fit_mib=$fit_mkfs" \
	"space_ratio=$(awk -v a=$fit_mkfs -v b=$fit_ours 'BEGIN{printf "%.2f", a/b}')"
