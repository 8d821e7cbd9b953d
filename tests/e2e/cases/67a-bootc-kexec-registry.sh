#!/bin/bash
# bootc.kexec (reuse-image=1, the default) from a registry: the pull writes an oci-archive of the
# image while it streams; it goes to the next kernel as /root.oci in front of the image's own
# initramfs, and the second kernel's netinit boots it (root=bootc-live:/root.oci, bootclabel=<tag>)
# without the network: the registry (behind a logging pass-through proxy) serves exactly one pull.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
e2e_registry bootc_kexec_image
push_image "$W/layout:latest" netinit/kexec:v1 || fail "skopeo push"
start_regproxy pass || fail "regproxy"
E2E_MEM=768 qemu_boot "$W/reuse.log" "root=bootc-live:docker://10.0.2.2:$PROXY_PORT/netinit/kexec:v1 bootc.registry.unsecure bootc.kexec" \
	$QEMU_USERNET || fail "boot did not finish"
expect_log "$W/reuse.log" 'netinit: bootc: keeping the pulled image as an oci-archive labelled "v1"'
expect_reused "$W/reuse.log"
result_line "$W/reuse.log" | grep -Eq 'cmdline=console=ttyS0 panic=-1 bootc\.registry\.unsecure no_timer_check bootclabel=v1 bootc\.kexec\.reuse-image=0 root=bootc-live:/root\.oci$' ||
	fail "second kernel's cmdline: $(result_line "$W/reuse.log")"
[ "$(grep -ac 'netinit: bootc: pulling' "$W/reuse.log")" = 1 ] || fail "the image was pulled more than once"
log=$W/regproxy-pass.log
[ "$(grep -c 'regproxy: GET /v2/netinit/kexec/manifests/v1 ' "$log")" = 1 ] || { cat "$log" >&2; fail "the manifest was fetched $(grep -c 'manifests/v1 ' "$log") times, expected once"; }
nblobs=$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$REG_PORT/netinit/kexec:v1" |
	python3 -c 'import json,sys; m=json.load(sys.stdin); print(1 + len({l["digest"] for l in m["layers"]}))')
[ "$(grep -c 'regproxy: GET /v2/netinit/kexec/blobs/' "$log")" = "$nblobs" ] || { cat "$log" >&2; fail "expected $nblobs blob GETs (config + layers, once each)"; }
[ "$(grep 'regproxy: GET /v2/netinit/kexec/blobs/' "$log" | sort | uniq -d | wc -l)" = 0 ] || fail "a blob was fetched twice"
note "$(grep -ao 'netinit: bootc: next initrd [^(]*([0-9]* bytes)' "$W/reuse.log" | head -n 1)"
note "$(grep -ao 'netinit: bootc: MemAvailable.*' "$W/reuse.log" | head -n 1 | tr -d '\r')"
