#!/bin/bash
# Unpack speed on the host, same run, same archive, into a tmpfs: our unpacker (the
# musl/static host build of oci/, reading the oci-archive in place, verifying every
# digest) vs `umoci unpack` (from the same image as an OCI layout directory, the tar
# extracted beforehand and not timed). Best of 3 each; prints both and the ratio.
#   bench/oci-unpack.sh [MIB]   (default 200)
set -u
NETINIT_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CASE=bench-oci-unpack
. "$NETINIT_ROOT/tests/e2e/lib.sh"
. "$NETINIT_ROOT/bench/oci-image.sh"
MIB=${1:-200}
command -v umoci >/dev/null || skip "umoci missing"
mk_big_oci "$W/big" "$MIB" || fail "building the image"
U=$W/ociunpack
sh "$NETINIT_ROOT/tests/host/oci/build.sh" "$U" || fail "building ociunpack"
T=$W/tmpfs; mkdir -p "$T"
mount -t tmpfs -o size=$((MIB * 4 + 512))m tmpfs "$T" || skip "cannot mount a tmpfs"
trap 'umount "$T"' EXIT
cp "$W/big/big.oci" "$T/big.oci"
mkdir "$T/layout"; tar -C "$T/layout" -xf "$T/big.oci"
ms() { date +%s%3N; }
best_ours=999999; best_umoci=999999
for i in 1 2 3; do
	rm -rf "$T/ours"; mkdir "$T/ours"; sync
	t0=$(ms); "$U" -q "$T/big.oci" "$T/ours" >/dev/null || fail "ociunpack"; t1=$(ms)
	[ $((t1 - t0)) -lt $best_ours ] && best_ours=$((t1 - t0))
	rm -rf "$T/umoci"; sync
	t0=$(ms); umoci unpack --image "$T/layout:latest" "$T/umoci" >/dev/null 2>&1 || fail "umoci unpack"; t1=$(ms)
	[ $((t1 - t0)) -lt $best_umoci ] && best_umoci=$((t1 - t0))
done
size=$(du -sm "$T/ours" | cut -f1)
echo "unpack of $size MiB ($(( $(stat -c %s "$T/big.oci") >> 20 )) MiB compressed, 3 gzip layers) into a tmpfs, best of 3:"
echo "  netinit oci/ (host build): $best_ours ms"
echo "  umoci unpack:              $best_umoci ms"
echo "RESULT oci-unpack ours_ms=$best_ours umoci_ms=$best_umoci speedup=$(awk -v a=$best_umoci -v b=$best_ours 'BEGIN{printf "%.2f", a/b}')x"
