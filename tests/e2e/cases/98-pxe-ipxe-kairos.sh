#!/bin/bash
# The iPXE script chain: QEMU's iPXE ROM asks DHCP, tools/netinit-serve --loader ipxe answers
# iPXE clients with http://10.9.0.1/boot.ipxe, a script in Kairos's shape (set url/kernel/initrd,
# ifconf, kernel ... initrd=..., initrd, boot) carrying Kairos's kernel parameters; with
# --embed the OCI archive is a second initrd line (root=bootc-live:/root.oci, no download).
# The booted root reads back the command line: the script's kernel line after the kernel URL.
# A second boot serves the same archive through a registry (--registry: Debian's
# docker-registry on the segment, root=bootc-live:docker://<server>:5000/netinit/root@<digest>).
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
trap pxe_cleanup EXIT
bootc_images
kairos="rd.neednet=1 ip=dhcp rd.cos.disable netboot install-mode config_url=http://10.9.0.1/config.yaml console=tty1 console=ttyS0"
pxe_serve --loader ipxe --embed --append "$kairos bootclabel=latest panic=-1" "$W/img/root.oci"
grep -q '^dhcp-boot=tag:ipxe,http://10.9.0.1/boot.ipxe$' "$W/srv/dnsmasq.conf" || fail "iPXE clients are not sent the script"
MAC=52:54:00:e2:e0:98
pxe_boot "$W/boot.log" tap0 $MAC -boot n || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest ip='10\.9\.0\.1[0-9][0-9]/24'
expect_layers_applied "$W/boot.log"
line=$(sed -n 's/^kernel ${url}\/${kernel} //p' "$W/srv/root/boot.ipxe")
[ "$line" = "initrd=initramfs.img initrd=root.cpio root=bootc-live:/root.oci $kairos bootclabel=latest panic=-1" ] ||
	fail "unexpected kernel line in boot.ipxe: $line"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$line" ] || fail "booted with '$got', boot.ipxe makes '$line'"
grep -q "^initrd \${url}/images/root.cpio$" "$W/srv/root/boot.ipxe" || fail "no second initrd line"
grep -Eq "netinit-serve: client $MAC BIOS\+iPXE given http://10.9.0.1/boot.ipxe" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no iPXE client line"; }
for f in /boot.ipxe /netinit/vmlinuz /netinit/initramfs.img /images/root.cpio; do
	grep -q "netinit-serve: http 10.9.0.1[0-9]* GET $f 200" "$W/serve.log" || fail "iPXE did not fetch $f over http"
done
pxe_times "$W/boot.log" bios-ipxe-script
pxe_serve_stop

# 2. the same archive from a registry: --registry starts Debian's docker-registry on the
# segment, pushes the archive with skopeo and pins root= to its manifest digest
command -v docker-registry >/dev/null && command -v skopeo >/dev/null || skip "docker-registry/skopeo missing (tools/packages/oci.txt)"
pxe_serve --loader ipxe --registry --append "console=ttyS0 panic=-1" "$W/img/root.oci"
# the archive holds two images; the one named latest is pushed
dig=$(tar -xOf "$W/img/root.oci" ./index.json | python3 -c 'import json,sys
print([m["digest"] for m in json.load(sys.stdin)["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "latest"][0])')
kline=$(sed -n 's/^kernel ${url}\/${kernel} //p' "$W/srv/root/boot.ipxe")
[ "$kline" = "initrd=initramfs.img root=bootc-live:docker://10.9.0.1:5000/netinit/root@$dig bootc.registry.unsecure console=ttyS0 panic=-1" ] ||
	fail "unexpected kernel line in boot.ipxe with --registry: $kline"
grep -q "netinit-serve: .*root.oci pushed as 10.9.0.1:5000/netinit/root:latest ($dig)" "$W/serve.log" || fail "no push line"
MAC=52:54:00:e2:e0:9b
pxe_boot "$W/registry.log" tap0 $MAC -boot n || fail "the registry boot did not finish"
expect_result "$W/registry.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest ip='10\.9\.0\.1[0-9][0-9]/24'
expect_layers_applied "$W/registry.log"
expect_log "$W/registry.log" "image $dig unpacked"
got=$(cmdline_of "$W/registry.log")
[ "$got" = "$kline" ] || fail "booted with '$got', boot.ipxe makes '$kline'"
grep -q "netinit-serve: registry 10.9.0.1[0-9]* GET /v2/netinit/root/manifests/$dig 200" "$W/serve.log" ||
	{ cat "$W/serve.log" >&2; fail "the guest did not fetch the manifest from the served registry"; }
pxe_times "$W/registry.log" bios-ipxe-registry
pxe_serve_stop
left=$(ip netns pids "$PXE_NS")
[ -z "$left" ] || fail "still running after netinit-serve --registry stopped: $(ps -o pid=,args= -p $(echo $left | tr ' ' ,))"
