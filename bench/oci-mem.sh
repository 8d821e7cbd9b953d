#!/bin/bash
# Peak guest RAM for bootc-live: the smallest QEMU -m (32 MiB steps) that boots an image of
# about 200 MiB unpacked, pulled from a registry (streamed) and from an oci-archive URL
# (archive in RAM, layers punched out once applied). Prints both, with the unpacked and
# compressed sizes and the goals (and the registry pull with bootc.live.erofs): registry <= unpacked + 64 MiB + the boot's own baseline,
# archive <= unpacked + compressed + baseline. The baseline (kernel, initramfs, netinit) is
# measured too: the smallest -m that boots a 1 MiB archive.
#   bench/oci-mem.sh [MIB]     (default 200)
set -u
NETINIT_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CASE=bench-oci-mem
. "$NETINIT_ROOT/tests/e2e/lib.sh"
. "$NETINIT_ROOT/tests/host/oci/mkimages.sh"
. "$NETINIT_ROOT/tests/host/oci/registry.sh"
. "$NETINIT_ROOT/bench/oci-image.sh"
MIB=${1:-200}
trap 'stop_registry; [ -n "${NGINX_PID:-}" ] && kill $NGINX_PID 2>/dev/null' EXIT
trap 'exit 1' INT TERM
export E2E_STOP_ON='NETINIT-RESULT|netinit: fatal|Kernel panic|Out of memory' E2E_TIMEOUT=300

# one initramfs for the whole run, whatever happens to build/ meanwhile
cp "$INITRD" "$W/initrd.img" || fail "no $INITRD (make initramfs)"
export E2E_INITRD=$W/initrd.img
mk_big_oci "$W/big" "$MIB" || fail "building the image"
make_testroot "$W/small"
mk_oci_images "$W/smallimg" "$W/small" >/dev/null 2>&1 || fail "building the small image"
unpacked=$(cd "$W/big" && rm -rf u && umoci unpack --image layout:latest u >/dev/null && du -sm u/rootfs | cut -f1; rm -rf u)
compressed=$(( $(stat -c %s "$W/big/big.oci") >> 20 ))
mkdir -p "$W/srv"; cp "$W/big/big.oci" "$W/small/../srv/big.oci"; cp "$W/smallimg/root.oci" "$W/srv/small.oci"
start_http "$W/srv"
start_registry || fail "docker-registry"
trap 'stop_registry; kill $NGINX_PID 2>/dev/null' EXIT # start_http set its own
push_image "$W/big/layout:latest" bench/big:v1 || fail "push"

boots() { # mem append -> 0 if the root's init ran
	E2E_MEM=$1 qemu_boot "$W/$TAG-m$1.log" "$2" $QEMU_USERNET >/dev/null 2>&1
	grep -aq 'NETINIT-RESULT' "$W/$TAG-m$1.log"
}
smallest() { # append: binary search over 32 MiB steps in [64, 1024]
	lo=2; hi=32 # in 32 MiB units: lo fails (assumed), hi boots
	boots $((hi * 32)) "$1" || { echo "none"; return; }
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if boots $((mid * 32)) "$1"; then hi=$mid; else lo=$mid; fi
		echo "    -m $((mid * 32)): $([ $hi = $mid ] && echo boots || echo fails)" >&2
	done
	echo $((hi * 32))
}
echo "image: $unpacked MiB unpacked, $compressed MiB compressed (3 gzip layers)"
TAG=base base=$(smallest "root=bootc-live:http://10.0.2.2:$HTTP_PORT/small.oci")
echo "baseline (1 MiB archive over http): -m $base"
TAG=registry reg=$(smallest "root=bootc-live:docker://10.0.2.2:$REG_PORT/bench/big:v1 bootc.registry.unsecure")
echo "registry pull: -m $reg  (goal <= unpacked + 64 + baseline = $((unpacked + 64 + base)))"
TAG=archive arc=$(smallest "root=bootc-live:http://10.0.2.2:$HTTP_PORT/big.oci")
echo "archive URL:   -m $arc  (goal <= unpacked + compressed + baseline = $((unpacked + compressed + base)))"
TAG=erofs ero=$(smallest "root=bootc-live:docker://10.0.2.2:$REG_PORT/bench/big:v1 bootc.registry.unsecure bootc.live.erofs")
echo "registry pull + bootc.live.erofs: -m $ero  (bootc-live's mkfs.erofs beside the tree needs >= 2 x unpacked + baseline = $((2 * unpacked + base)))"
echo "RESULT oci-mem unpacked=$unpacked compressed=$compressed baseline=$base registry=$reg archive=$arc" \
	"erofs=$ero registry_over_unpacked=$((reg - base - unpacked)) archive_over_unpacked=$((arc - base - unpacked))" \
	"erofs_over_unpacked=$((ero - base - unpacked))" \
	"bootc_live_needs_at_least=$((2 * unpacked + base))"
