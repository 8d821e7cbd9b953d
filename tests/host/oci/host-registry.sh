# Sourced by the host tests against Debian's docker-registry (oci-registry.sh, oci-mirror.sh)
# once W, fail and skip exist: checks the tools, builds ociunpack as $U, starts the registry
# (stopped when the test exits), pushes the test images as netinit/test:v1 and leaves umoci's
# unpacking of them in $W/ref for same_tree (mkimages.sh).
command -v docker-registry >/dev/null && command -v skopeo >/dev/null && command -v umoci >/dev/null || skip "docker-registry/skopeo/umoci missing"
[ -f "$NETINIT_BUILD/sysroot/.stamp" ] || skip "no dependency sysroot"
. "$NETINIT_ROOT/tests/host/oci/mkimages.sh"
. "$NETINIT_ROOT/tests/host/oci/registry.sh"
trap stop_registry EXIT
U=$W/ociunpack
sh "$NETINIT_ROOT/tests/host/oci/build.sh" "$U" || fail "building ociunpack"
mkdir -p "$W/src/bin"; cp /bin/busybox "$W/src/bin/"; ln -s busybox "$W/src/bin/sh"; mkdir -p "$W/src/etc" "$W/src/var"
mk_oci_images "$W/img" "$W/src" > "$W/mk.log" 2>&1 || { cat "$W/mk.log"; fail "building images"; }
start_registry || fail "docker-registry did not start"
push_image "$W/img/layout:latest" netinit/test:v1 || fail "skopeo push"
umoci unpack --image "$W/img/layout:latest" "$W/ref" >/dev/null || fail "umoci unpack"
