# Test oci-layouts with hostile depths (sourced by the e2e cases 8*-bootc-deep-*.sh, after
# lib.sh; needs umoci). mk_deep_images OUT: from make_testroot's root with a check script,
#   OUT/deep-layout      the root, then a layer whose only entry is 1000 components deep
#   OUT/deepfirst-layout that layer first (for a registry: the first layer is applied on
#                        the puller's applier thread), then the root
#   OUT/good-layout      the root, a layer with a tree 100 levels deep under /lowtree,
#                        then a layer writing /opq40 40 directories deep with opaque
#                        markers at its top and bottom and a whiteout of /lowtree
# and the oci-archives OUT/deep.oci, OUT/good.oci. The root's check script prints
#   NETINIT-DEEP lowtree=gone top=o, bottom=new, new=new
mk_deep_images() {
	out=$1; mkdir -p "$out"
	make_testroot "$out/root"
	d40=opq40$(printf '/o%.0s' $(seq 39))
	cat > "$out/root/netinit-test.sh" <<EOS
#!/bin/sh
echo "NETINIT-DEEP lowtree=\$(test -e /lowtree && echo present || echo gone) top=\$(ls /opq40 | tr '\n' ,) bottom=\$(ls /$d40 | tr '\n' ,) new=\$(cat /$d40/new)"
EOS
	chmod 755 "$out/root/netinit-test.sh"
	for k in deep deeplower deepupper; do
		python3 "$OCI_HERE/mklayer.py" "$k" "$out/$k.tar" || return 1
	done
	lay=$out/good-layout
	umoci init --layout "$lay" && umoci new --image "$lay:latest" &&
		umoci unpack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	cp -a "$out/root/." "$out/bundle/rootfs/"
	umoci repack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	rm -rf "$out/bundle" "$out/deep-layout"
	cp -a "$lay" "$out/deep-layout"
	umoci raw add-layer --image "$out/deep-layout:latest" "$out/deep.tar" || return 1
	umoci raw add-layer --image "$lay:latest" "$out/deeplower.tar" &&
		umoci raw add-layer --image "$lay:latest" "$out/deepupper.tar" || return 1
	lay=$out/deepfirst-layout
	umoci init --layout "$lay" && umoci new --image "$lay:latest" &&
		umoci raw add-layer --image "$lay:latest" "$out/deep.tar" || return 1
	tar -C "$out/root" -cf "$out/root.tar" . || return 1
	umoci raw add-layer --image "$lay:latest" "$out/root.tar" || return 1
	tar -C "$out/deep-layout" -cf "$out/deep.oci" . && tar -C "$out/good-layout" -cf "$out/good.oci" .
}
