#!/bin/bash
# bootc.registry.mirror=: a bootc-live pull through a pull-through docker-registry mirror
# (proxy: remoteurl) of the upstream docker-registry. Boot 1: upstream up, the mirror
# (resolve-tags) serves everything and caches it. Then the upstream is stopped; boot 2 by
# tag is served by the mirror alone. Boot 3: the mirror from /etc/netinit/registries.conf
# in an appended initrd, by digest, without resolve-tags. Every request carries ?ns=.
# Boot 4: the upstream back, the mirror behind regproxy.py flip (a byte of the biggest blob
# changed): the layer is refused by digest, the tree emptied, and the upstream serves it.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
e2e_registry bootc_images
push_image "$W/img/layout:latest" netinit/test:v1 || fail "skopeo push"
start_mirror || fail "the pull-through docker-registry did not start"
UP=10.0.2.2:$REG_PORT; MI=10.0.2.2:$MIRROR_PORT
nblobs=$(( $(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$REG_PORT/netinit/test:v1" |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))') + 2 ))

qemu_boot "$W/through.log" "root=bootc-live:docker://$UP/netinit/test:v1 bootc.registry.unsecure rd.debug \
bootc.registry.mirror=$UP=$MI,insecure,resolve-tags" $QEMU_USERNET || fail "boot through the mirror did not finish"
expect_result "$W/through.log" rootfs=tmpfs root_rw=no marker=label-latest
expect_layers_applied "$W/through.log"
expect_log "$W/through.log" "manifest v1 from mirror $MI"
expect_log "$W/through.log" "bootc: blobs served: $nblobs from mirror $MI[^,0-9]*$"
grep -q 'ns=10.0.2.2%3A' "$W/mirror/log" || fail "the mirror saw no ?ns= request: $(grep -m3 'GET /v2' "$W/mirror/log")"

kill "$REG_PID"; wait "$REG_PID" 2>/dev/null; REG_PID=
curl -fsS "http://127.0.0.1:$REG_PORT/v2/" >/dev/null 2>&1 && fail "the upstream is still up"
qemu_boot "$W/alone.log" "root=bootc-live:docker://$UP/netinit/test:v1 bootc.registry.unsecure rd.debug \
bootc.registry.mirror=$UP=$MI,insecure,resolve-tags" $QEMU_USERNET || fail "boot from the mirror alone did not finish"
expect_result "$W/alone.log" rootfs=tmpfs root_rw=no marker=label-latest
expect_layers_applied "$W/alone.log"
expect_log "$W/alone.log" "bootc: blobs served: $nblobs from mirror $MI[^,0-9]*$"
expect_no_log "$W/alone.log" "from registry $UP"

# the mirrors file in the initramfs (an appended cpio), by digest: no resolve-tags needed
printf '# rack cache\n%s=%s,insecure\n' "$UP" "$MI" > "$W/registries.conf"
initrd_with "$W/initrd-conf.img" "$W/registries.conf:/etc/netinit/registries.conf"
E2E_INITRD=$W/initrd-conf.img qemu_boot "$W/file.log" "root=bootc-live:docker://$UP/netinit/test@$PUSHED_DIGEST \
bootc.registry.unsecure rd.debug" $QEMU_USERNET || fail "boot with registries.conf did not finish"
expect_result "$W/file.log" rootfs=tmpfs root_rw=no marker=label-latest
expect_log "$W/file.log" "source 1: mirror $MI,insecure for $UP"
expect_log "$W/file.log" "bootc: blobs served: $nblobs from mirror $MI[^,0-9]*$"

restart_registry || fail "the upstream did not start again"
start_flipper "$MIRROR_PORT" || fail "regproxy flip did not start"
FL=10.0.2.2:$FLIP_PORT
qemu_boot "$W/flip.log" "root=bootc-live:docker://$UP/netinit/test:v1 bootc.registry.unsecure rd.debug \
bootc.registry.mirror=$UP=$FL,insecure" $QEMU_USERNET || fail "boot with a flipping mirror did not finish"
grep -q "flipped a byte" "$W/regproxy-flip.log" || fail "the mirror did not flip a byte"
expect_result "$W/flip.log" rootfs=tmpfs root_rw=no marker=label-latest
expect_layers_applied "$W/flip.log"
expect_log "$W/flip.log" "mirror $FL: layer digest mismatch: .* unpacking again from the next source"
expect_log "$W/flip.log" "bootc: blobs served: .*from registry $UP"
