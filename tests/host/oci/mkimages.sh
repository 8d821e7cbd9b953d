# Build test oci-archives with umoci and skopeo (sourced by host tests, e2e cases, benchmarks).
#   mk_oci_images OUT ROOTDIR   ROOTDIR: a bootable tree (e.g. make_testroot's)
# OUT gets:
#   layout/        an OCI layout made by umoci: tags "latest" and "other"
#   root.oci       an oci-archive (tar of layout/), gzip layers
#   zstd.oci       the "latest" image with zstd layers (skopeo --dest-compress-format zstd)
#   dotdot.oci symlink.oci abs.oci   "latest" plus one hostile layer each
#   corrupt.oci    root.oci with one byte of a layer blob flipped
# "latest" is: layer 1 the tree plus fixtures, layer 2 (umoci repack) deletes
# /etc/removed-later and adds /etc/added, layer 3 (a tar of ours, umoci raw
# add-layer) makes /opq opaque after writing /opq/new, and adds a hard link, a
# symlink, a character device, a fifo, a sparse file and a security.capability xattr.
# "other" is "latest" plus a layer that changes /netinit-marker.
OCI_HERE=${NETINIT_ROOT:+$NETINIT_ROOT/tests/host/oci}
OCI_HERE=${OCI_HERE:-$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)}

mk_oci_images() {
	out=$1; src=$2
	mkdir -p "$out"
	lay=$out/layout
	rm -rf "$lay" "$out/bundle"
	umoci init --layout "$lay" || return 1
	umoci new --image "$lay:latest" || return 1
	umoci unpack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	r=$out/bundle/rootfs
	cp -a "$src/." "$r/"
	echo label-latest > "$r/netinit-marker"
	echo gone > "$r/etc/removed-later"
	mkdir -p "$r/opq/sub" "$r/keep"
	echo lower > "$r/opq/lower1"; echo lower > "$r/opq/sub/lower2"; echo kept > "$r/keep/file"
	umoci repack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	rm -rf "$out/bundle"
	umoci unpack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	rm "$out/bundle/rootfs/etc/removed-later"
	echo added > "$out/bundle/rootfs/etc/added"
	umoci repack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	python3 "$OCI_HERE/mklayer.py" special "$out/special.tar" || return 1
	umoci raw add-layer --image "$lay:latest" "$out/special.tar" || return 1
	# "other": layer 1 only, its own marker
	rm -rf "$out/bundle"
	umoci unpack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	echo label-other > "$out/bundle/rootfs/netinit-marker"
	umoci repack --image "$lay:other" "$out/bundle" >/dev/null || return 1
	rm -rf "$out/bundle"
	umoci gc --layout "$lay"
	tar -C "$lay" -cf "$out/root.oci" . || return 1
	rm -rf "$out/zstd-layout"
	skopeo copy -q --dest-compress-format zstd --dest-compress "oci:$lay:latest" "oci:$out/zstd-layout:latest" || return 1
	tar -C "$out/zstd-layout" -cf "$out/zstd.oci" . || return 1
	for bad in dotdot symlink abs; do
		rm -rf "$out/$bad-layout"; cp -a "$lay" "$out/$bad-layout"
		python3 "$OCI_HERE/mklayer.py" "$bad" "$out/$bad.tar" || return 1
		umoci raw add-layer --image "$out/$bad-layout:latest" "$out/$bad.tar" || return 1
		tar -C "$out/$bad-layout" -cf "$out/$bad.oci" . || return 1
	done
	python3 "$OCI_HERE/mklayer.py" corrupt "$out/root.oci" "$out/corrupt.oci" || return 1
}

# same_tree A B: the trees agree in names, types, modes, owners, link targets, contents and
# capfile's xattrs (the image's file capability); uses $W for its lists.
same_tree() { # what umoci unpacked vs ours: names, types, modes, owners, link targets, contents
	( cd "$1" && find . -printf '%p %y %m %U:%G %l\n' | grep -v '^\. ' | sort ) > "$W/a.lst"
	( cd "$2" && find . -printf '%p %y %m %U:%G %l\n' | grep -v '^\. ' | sort ) > "$W/b.lst"
	diff -u "$W/a.lst" "$W/b.lst" || return 1
	( cd "$1" && find . -type f ) | while read -r f; do cmp -s "$1/$f" "$2/$f" || { echo "content differs: $f"; return 1; }; done || return 1
	python3 -c 'import os,sys; a,b=sys.argv[1:]; f="capfile"
x=lambda r: sorted((k, os.getxattr(os.path.join(r,f), k)) for k in os.listxattr(os.path.join(r,f)))
sys.exit(0 if x(a)==x(b) and x(b) else "xattrs differ: %r %r" % (x(a), x(b)))' "$1" "$2"
}
