#!/bin/bash
# Proxy DHCP (what pixiecore does): another machine on the segment (a second network namespace
# behind a veth on the bridge, 10.9.0.2) runs a dnsmasq that only hands out addresses;
# tools/netinit-serve --proxy adds the boot information (dnsmasq's proxy mode, PXE service
# x86PC -> pxelinux.0) and serves TFTP and http. The BIOS client gets its address from the one
# and pxelinux from the other; netinit's own DHCP (no PXEClient vendor class) is answered by
# the address server alone.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/pxe-lib.sh"
DNS=ndhcp$$
ip netns add "$DNS" || fail "second namespace"
PXE_PIDS=""
dhcp_cleanup() { pxe_cleanup; ip netns del "$DNS" 2>/dev/null; }
trap dhcp_cleanup EXIT
ip -n "$PXE_NS" link add veth0 type veth peer name eth0 netns "$DNS" || fail "veth"
ip -n "$PXE_NS" link set veth0 master br0
ip -n "$PXE_NS" link set veth0 up
ip -n "$DNS" addr add 10.9.0.2/24 dev eth0
ip -n "$DNS" link set eth0 up
ip netns exec "$DNS" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=eth0 \
	--bind-interfaces --log-dhcp --dhcp-leasefile="$W/leases" --dhcp-authoritative \
	--dhcp-range=10.9.0.50,10.9.0.60,255.255.255.0,1h > "$W/addr-dnsmasq.log" 2>&1 &
PXE_PIDS="$PXE_PIDS $!"
make_testroot "$W/root"
mk_squashfs "$W/root" "$W/root.squashfs"
pxe_serve --proxy --append "console=ttyS0 panic=-1" "$W/root.squashfs"
grep -q '^dhcp-range=10.9.0.0,proxy,255.255.255.0$' "$W/srv/dnsmasq.conf" || fail "not in proxy mode"
MAC=52:54:00:e2:e0:97
pxe_boot "$W/boot.log" tap0 $MAC -boot n || fail "boot did not finish"
# the address comes from the other server's pool, the boot file from the proxy
expect_result "$W/boot.log" rootfs=overlay lower=yes ip='10\.9\.0\.(5[0-9]|60)/24'
expect_log "$W/boot.log" 'netinit: network: (eth0|ens[0-9]+): DHCP lease 10\.9\.0\.(5[0-9]|60)/24 from 10\.9\.0\.2 '
app=$(sed -n 's/^    APPEND //p' "$W/srv/root/pxelinux.cfg/default")
want="BOOT_IMAGE=netinit/vmlinuz $app initrd=netinit/initramfs.img BOOTIF=01-${MAC//:/-}"
got=$(cmdline_of "$W/boot.log")
[ "$got" = "$want" ] || fail "booted with '$got', pxelinux.cfg/default makes '$want'"
grep -q "DHCPACK(eth0) 10.9.0.[56][0-9] $MAC" "$W/addr-dnsmasq.log" || fail "the address server did not lease to $MAC"
grep -q "DHCPACK" "$W/srv/log/dnsmasq.log" && fail "the proxy handed out an address"
grep -Eq "netinit-serve: client $MAC BIOS(\+iPXE)? given pxelinux" "$W/serve.log" || { cat "$W/serve.log" >&2; fail "no proxy client line for $MAC"; }
pxe_times "$W/boot.log" bios-proxydhcp
pxe_serve_stop
