#!/bin/bash
# The unpacker as a host program (musl, static, build/sysroot) on archives made by umoci
# and skopeo: the result equals `umoci unpack` (names, types, modes, owners, link targets,
# contents, xattrs), for gzip and zstd layers and both tags; hostile layers are refused
# and write nothing outside the root; a corrupt blob is a digest mismatch; hole punching
# gives the applied layers' space back on a tmpfs.
set -u
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
W=$NETINIT_BUILD/host/oci-archive; rm -rf "$W"; mkdir -p "$W"
fail() { echo "FAIL: oci-archive: $*" >&2; exit 1; }
skip() { echo "SKIP: oci-archive: $*" >&2; exit 77; }
command -v umoci >/dev/null && command -v skopeo >/dev/null || skip "umoci/skopeo missing"
[ -f "$NETINIT_BUILD/sysroot/.stamp" ] || skip "no dependency sysroot"
. "$NETINIT_ROOT/tests/host/oci/mkimages.sh"
U=$W/ociunpack
sh "$NETINIT_ROOT/tests/host/oci/build.sh" "$U" || fail "building ociunpack"
mkdir -p "$W/src/bin" "$W/src/etc" "$W/src/var/lib"; cp /bin/busybox "$W/src/bin/"; ln -s busybox "$W/src/bin/sh"
truncate -s 3M "$W/src/var/lib/sparse"; echo tail >> "$W/src/var/lib/sparse"
mk_oci_images "$W/img" "$W/src" > "$W/mk.log" 2>&1 || { cat "$W/mk.log"; fail "building images"; }

for t in latest other; do
	umoci unpack --image "$W/img/layout:$t" "$W/ref-$t" >/dev/null || fail "umoci unpack $t"
done
for c in "root.oci latest" "zstd.oci latest" "root.oci other"; do
	set -- $c
	rm -rf "$W/t"; mkdir "$W/t"
	"$U" -q -l "$2" "$W/img/$1" "$W/t" > "$W/out" || fail "$1:$2 did not unpack"
	same_tree "$W/ref-$2/rootfs" "$W/t" || fail "$1:$2 differs from umoci unpack"
	echo "  $1:$2 $(cat "$W/out")"
done
find "$W/t" -name '.wh.*' | grep -q . && fail "whiteout files in the result"
sp=$(du -k "$W/t/var/lib/sparse" | cut -f1)
[ "$sp" -lt 64 ] || fail "the 3 MiB sparse file takes $sp KiB: holes not kept"
echo "  sparse: a 3 MiB file with one block of data takes $sp KiB (umoci unpack: $(du -k "$W/ref-other/rootfs/var/lib/sparse" | cut -f1) KiB)"
# hostile layers: refused, nothing outside the root
mkdir -p "$W/jail/tmp"
for bad in dotdot abs symlink; do
	rm -rf "$W/jail/root"; mkdir -p "$W/jail/root"; rm -f /netinit-escape /tmp/netinit-escape "$W/jail/netinit-escape"
	( cd "$W/jail" && "$U" -q "$W/img/$bad.oci" root ) 2> "$W/$bad.err" && fail "$bad: unpacked"
	grep -q 'refused' "$W/$bad.err" || fail "$bad: $(cat "$W/$bad.err")"
	for f in /netinit-escape /tmp/netinit-escape "$W/jail/netinit-escape" "$W/netinit-escape"; do
		[ -e "$f" ] && fail "$bad: wrote $f"
	done
	echo "  $bad: $(cat "$W/$bad.err")"
done
# a hard link out of the root, a whiteout and an opaque marker through a symlink
mkdir -p "$W/victims"; echo keep > "$W/victims/netinit-victim"
for bad in hardlink whsymlink opqsymlink; do
	rm -rf "$W/$bad-layout"; cp -a "$W/img/layout" "$W/$bad-layout"
	python3 "$OCI_HERE/mklayer.py" "$bad" "$W/$bad.tar" "$W/victims" || fail "mklayer $bad"
	umoci raw add-layer --image "$W/$bad-layout:latest" "$W/$bad.tar" || fail "add-layer $bad"
	tar -C "$W/$bad-layout" -cf "$W/$bad.oci" .
	rm -rf "$W/t"; mkdir "$W/t"
	"$U" -q "$W/$bad.oci" "$W/t" 2> "$W/$bad.err" && fail "$bad: unpacked"
	grep -q 'refused' "$W/$bad.err" || fail "$bad: $(cat "$W/$bad.err")"
	[ -f "$W/victims/netinit-victim" ] || fail "$bad: removed a file outside the root"
	echo "  $bad: $(cat "$W/$bad.err")"
done
rm -rf "$W/t"; mkdir "$W/t"
"$U" -q "$W/img/corrupt.oci" "$W/t" 2> "$W/corrupt.err" && fail "corrupt archive unpacked"
grep -q 'digest mismatch' "$W/corrupt.err" || fail "corrupt: $(cat "$W/corrupt.err")"
echo "  corrupt: $(cut -c1-120 "$W/corrupt.err")"
"$U" -q -l nope "$W/img/root.oci" "$W/t" 2> "$W/label.err" && fail "missing label unpacked"
grep -q 'labels present: latest, other' "$W/label.err" || fail "label: $(cat "$W/label.err")"
# hole punching on a tmpfs
mkdir -p "$W/tmpfs"; mount -t tmpfs -o size=64m tmpfs "$W/tmpfs" || skip "cannot mount a tmpfs"
trap 'umount "$W/tmpfs" 2>/dev/null' EXIT
cp "$W/img/root.oci" "$W/tmpfs/a.oci"; mkdir "$W/tmpfs/root"
before=$(du -k "$W/tmpfs/a.oci" | cut -f1)
"$U" -q -p "$W/tmpfs/a.oci" "$W/tmpfs/root" >/dev/null || fail "punching unpack"
after=$(du -k "$W/tmpfs/a.oci" | cut -f1)
[ "$after" -lt "$((before / 4))" ] || fail "hole punching gave back too little: $before KiB -> $after KiB"
echo "  punch: archive on tmpfs $before KiB -> $after KiB after unpacking"
# a root that does not fit: the write error stops the unpack (libarchive only warns)
mkdir -p "$W/small"; mount -t tmpfs -o size=1m tmpfs "$W/small" || fail "tmpfs"
"$U" -q "$W/img/root.oci" "$W/small" 2> "$W/enospc.err" && { umount "$W/small"; fail "a 2 MiB root fitted into 1 MiB"; }
umount "$W/small"
grep -q 'No space left on device' "$W/enospc.err" || fail "full tmpfs: $(cat "$W/enospc.err")"
echo "  full: $(cat "$W/enospc.err")"
echo "PASS: oci-archive"
