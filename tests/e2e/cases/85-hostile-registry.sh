#!/bin/bash
# Hostile registries for root=bootc-live:docker:// (tests/host/oci/regproxy.py's hostile modes
# in front of Debian's docker-registry). The boot recovers where it can and otherwise ends in
# one fatal line, never in a kernel panic, and no credential leaves for another host:
#   bad206   a resumed blob answered 206 from byte 0 (the wrong range): noticed, started over,
#            the image boots with every digest verified
#   cdn401   a blob redirected to a "CDN" that answers 401 naming its own token realm: refused;
#            the registry's Basic credentials never go to that realm
#   norange  Range ignored and every blob transfer cut halfway: gives up within rd.retry
#   many     a manifest listing 100000 layers: refused by size
#   flip     a layer with one byte changed near its end: applied while it streams (its digest
#            is known only at the end), then the digest mismatch stops the boot and the
#            unpacked tree is never switched to
#   bomb     a layer that inflates to more than the guest's RAM (1 GiB of "y\n", 5 MiB of gzip):
#            refused when the tree's tmpfs is full, with the entry named (zeros would not do:
#            they are written as holes and take no RAM)
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
. "$NETINIT_ROOT/tests/host/oci/registry.sh"
command -v docker-registry >/dev/null || skip "docker-registry missing"
trap stop_registry EXIT
bootc_images
if [ ! -f "$W/bomb2.done" ]; then
	rm -rf "$W/bomb-layout" "$W/bomb"; cp -a "$W/img/layout" "$W/bomb-layout"; mkdir -p "$W/bomb"
	yes | head -c 1G > "$W/bomb/yes"
	tar -C "$W/bomb" -cf "$W/bomb.tar" yes && rm -rf "$W/bomb" &&
		umoci raw add-layer --image "$W/bomb-layout:latest" "$W/bomb.tar" && rm -f "$W/bomb.tar" ||
		fail "building the bomb image"
	touch "$W/bomb2.done"
fi
start_registry || fail "docker-registry did not start"
push_image "$W/img/layout:latest" netinit/img:v1 || fail "skopeo push"
push_image "$W/bomb-layout:latest" netinit/bomb:v1 || fail "skopeo push bomb"
export E2E_STOP_ON='netinit: rebooting now|NETINIT-RESULT|Kernel panic' E2E_TIMEOUT=180
boot() { # NAME MODE REPO EXTRA
	kill "${PROXY_PID:-}" 2>/dev/null; wait "${PROXY_PID:-}" 2>/dev/null
	start_regproxy "$2" || fail "regproxy $2"
	printf '10.0.2.2:%s netinit:s3cret\n' "$PROXY_PORT" > "$W/auth"
	initrd_with "$W/initrd-$1.img" "$W/auth:/etc/netinit/registry-auth"
	E2E_INITRD="$W/initrd-$1.img" qemu_boot "$W/$1.log" \
		"root=bootc-live:docker://10.0.2.2:$PROXY_PORT/netinit/$3:v1 bootc.registry.unsecure $4" $QEMU_USERNET || true
	expect_no_log "$W/$1.log" 'Kernel panic|Attempted to kill init|s3cret'
	note "$1: $(grep -a 'netinit: fatal' "$W/$1.log" | head -n 1 | tr -d '\r' | cut -c1-220)"
}
fatal_once() { [ "$(grep -ac 'netinit: fatal:' "$W/$1.log")" = 1 ] || fail "$1: expected exactly one fatal line"; }

boot bad206 bad206 img ""
grep -q 'answered from 0' "$W/regproxy-bad206.log" || fail "bad206: the proxy sent no wrong 206"
expect_log "$W/bad206.log" 'with another range'
expect_result "$W/bad206.log" rootfs=tmpfs marker=label-latest
expect_layers_applied "$W/bad206.log"

boot cdn401 cdn401 img ""
fatal_once cdn401
expect_log "$W/cdn401.log" 'netinit: fatal: root: .*redirected to http://10\.0\.2\.2:[0-9]+, which answered 401; credentials go only to the registry'
grep -q 'GET /cdn/' "$W/regproxy-cdn401.log" || fail "cdn401: no blob was redirected"
! grep -q 'STEAL' "$W/regproxy-cdn401.log" || fail "cdn401: the guest asked the CDN's realm for a token"

boot norange norange img rd.retry=10
fatal_once norange
expect_log "$W/norange.log" 'netinit: fatal: root: .*giving up on http://10\.0\.2\.2:[0-9]+/v2/netinit/img/blobs/sha256:[0-9a-f]+ after [0-9]+ s and [0-9]+ attempts'

boot many many img ""
fatal_once many
expect_log "$W/many.log" 'netinit: fatal: root: .*manifests/v1: the response is larger than 4194304 bytes'

boot flip flip img ""
fatal_once flip
expect_log "$W/flip.log" 'netinit: fatal: root: .*digest mismatch'
expect_no_log "$W/flip.log" 'NETINIT-RESULT|switching root'

boot bomb pass bomb ""
fatal_once bomb
expect_log "$W/bomb.log" 'netinit: fatal: root: .*"?yes"?.*(No space left|full)'
