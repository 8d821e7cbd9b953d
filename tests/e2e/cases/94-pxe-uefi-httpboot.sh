#!/bin/bash
# UEFI HTTP Boot, no TFTP at all, two boots: OVMF's own network stack (the NIC has no option
# ROM, so no iPXE; OVMF's PXE is switched off through fw_cfg, so its HTTPv4 boot option is the
# one that runs) asks DHCP with vendor class HTTPClient:Arch:00016 and takes an answer with
# vendor class HTTPClient and a URL as the boot file; HttpBootDxe downloads it.
# 1. proxy DHCP: another server on the segment (a second namespace, 10.9.0.2) hands out the
#    address only; tools/netinit-serve --proxy's proxydhcp-http.py offers the URL of
#    grub-http/core.efi (dnsmasq's proxy mode answers PXEClient only). GRUB (prefix
#    (http,<server>)/grub-http) reads grub-http/grub.cfg, loads the kernel and netinit's
#    initramfs over http, netinit downloads the squashfs.
# 2. full DHCP: netinit-serve's dnsmasq answers the HTTPClient vendor class with the URL.
# (Secure Boot over HTTP Boot does not work with Debian's signed netboot GRUB, which has no http
# module: docs/pxe.md "Secure Boot"; --secure-boot leaves such clients unanswered.)
# Each booted root reads back the command line its GRUB passed; nothing crossed TFTP.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
export E2E_TIMEOUT=${E2E_TIMEOUT:-600}
NOPXE="-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no -fw_cfg name=opt/org.tianocore/IPv6Support,string=no"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"

# 1. proxy DHCP beside an address-only dnsmasq
DNS=ndhcp$$
ip netns add "$DNS" || fail "second namespace"
ADDR_PID=""
dhcp_cleanup() { [ -n "$ADDR_PID" ] && kill "$ADDR_PID" 2>/dev/null; pxe_cleanup; ip netns del "$DNS" 2>/dev/null; }
trap dhcp_cleanup EXIT
ip -n "$PXE_NS" link add veth0 type veth peer name eth0 netns "$DNS" || fail "veth"
ip -n "$PXE_NS" link set veth0 master br0
ip -n "$PXE_NS" link set veth0 up
ip -n "$DNS" addr add 10.9.0.2/24 dev eth0
ip -n "$DNS" link set eth0 up
ip netns exec "$DNS" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=eth0 \
	--bind-interfaces --log-dhcp --dhcp-leasefile="$W/leases" --dhcp-authoritative \
	--dhcp-range=10.9.0.50,10.9.0.60,255.255.255.0,1h > "$W/addr-dnsmasq.log" 2>&1 &
ADDR_PID=$!
pxe_serve --proxy --append "console=ttyS0 panic=-1" "$W/root.squashfs"
MAC=52:54:00:e2:e0:94
PXE_NIC="romfile=,bootindex=1" pxe_boot "$W/proxy.log" tap1 $MAC $(ovmf_args http) $NOPXE || fail "the proxy boot did not finish"
expect_log "$W/proxy.log" 'BdsDxe: starting Boot[0-9A-F]* "UEFI HTTPv4 \(MAC:525400E2E094\)"'
expect_result "$W/proxy.log" rootfs=overlay lower=yes ip='10\.9\.0\.(5[0-9]|60)/24'
grep -q "DHCPACK(eth0) 10.9.0.[56][0-9] $MAC" "$W/addr-dnsmasq.log" || fail "the address server did not lease to $MAC"
args=$(sed -n 's/^    linux  (http)\/netinit\/vmlinuz //p' "$W/srv/root/grub-http/grub.cfg")
[ -n "$args" ] || fail "no linux line in grub-http/grub.cfg"
want="BOOT_IMAGE=(http)/netinit/vmlinuz $args"
got=$(cmdline_of "$W/proxy.log")
[ "$got" = "$want" ] || fail "proxy: booted with '$got', grub-http/grub.cfg makes '$want'"
expect_log "$W/proxy.log" 'netinit: image at .* after 1 attempt, sha256 verified'
grep -q "netinit-serve: client $MAC UEFI-x64-HTTP given http://10.9.0.1/grub-http/core.efi (proxy)" "$W/serve.log" ||
	{ cat "$W/serve.log" >&2; fail "no proxy HTTP Boot client line for $MAC"; }
for f in /grub-http/core.efi /grub-http/grub.cfg /netinit/vmlinuz /netinit/initramfs.img /images/root.squashfs; do
	grep -q "netinit-serve: http 10.9.0.[56][0-9] GET $f 200" "$W/serve.log" || fail "proxy: $f was not fetched over http"
done
! grep -q 'netinit-serve: tftp ' "$W/serve.log" || fail "proxy: something was loaded over TFTP: $(grep 'netinit-serve: tftp ' "$W/serve.log" | head -n 3)"
pxe_times "$W/proxy.log" uefi-httpboot-proxydhcp
pxe_serve_stop
kill "$ADDR_PID"; wait "$ADDR_PID" 2>/dev/null; ADDR_PID=""

# 2. full DHCP: netinit-serve's dnsmasq hands out the address and the URL itself
pxe_serve --append "console=ttyS0 panic=-1" "$W/root.squashfs"
grep -q '^dhcp-boot=tag:httpboot,http://10.9.0.1/grub-http/core.efi$' "$W/srv/dnsmasq.conf" || fail "HTTP Boot clients are not given a URL"
MAC=52:54:00:e2:e0:9c
PXE_NIC="romfile=,bootindex=1" pxe_boot "$W/full.log" tap1 $MAC $(ovmf_args http2) $NOPXE || fail "the full-DHCP boot did not finish"
expect_log "$W/full.log" 'BdsDxe: starting Boot[0-9A-F]* "UEFI HTTPv4 \(MAC:525400E2E09C\)"'
expect_result "$W/full.log" rootfs=overlay lower=yes ip='10\.9\.0\.1[0-9][0-9]/24'
got=$(cmdline_of "$W/full.log")
[ "$got" = "$want" ] || fail "full DHCP: booted with '$got', grub-http/grub.cfg makes '$want'"
grep -q "netinit-serve: client $MAC UEFI-x64-HTTP given http://10.9.0.1/grub-http/core.efi" "$W/serve.log" ||
	{ cat "$W/serve.log" >&2; fail "no HTTP Boot client line for $MAC"; }
for f in /grub-http/core.efi /grub-http/grub.cfg /netinit/vmlinuz /netinit/initramfs.img /images/root.squashfs; do
	grep -q "netinit-serve: http 10.9.0.1[0-9]* GET $f 200" "$W/serve.log" || fail "full DHCP: $f was not fetched over http"
done
! grep -q 'netinit-serve: tftp ' "$W/serve.log" || fail "full DHCP: something was loaded over TFTP: $(grep 'netinit-serve: tftp ' "$W/serve.log" | head -n 3)"
pxe_times "$W/full.log" uefi-httpboot
pxe_serve_stop
