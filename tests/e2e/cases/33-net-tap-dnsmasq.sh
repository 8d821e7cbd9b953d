#!/bin/bash
# The realistic PXE segment: QEMU runs inside a network namespace on a tap device; dnsmasq
# on the same segment hands out an address, a router, DNS, a domain, MTU, classless routes
# and a boot file. BOOTIF= (pxelinux IPAPPEND 2) names the NIC.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, tap)"
command -v dnsmasq >/dev/null || skip "dnsmasq missing (tools/packages/net.txt)"
NS=ne2e$$
ip netns add "$NS" || skip "cannot create a network namespace"
DPID=""
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap || fail "tuntap"
ip -n "$NS" addr add 10.9.0.1/24 dev tap0
ip -n "$NS" link set tap0 up
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=tap0 \
	--bind-interfaces --log-dhcp --dhcp-leasefile="$W/leases" --pid-file="$W/dnsmasq.pid" \
	--dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h --dhcp-option=option:dns-server,10.9.0.53 \
	--dhcp-option=option:domain-name,pxe.test --dhcp-option=option:mtu,1400 \
	--dhcp-option=121,10.20.0.0/16,10.9.0.254,0.0.0.0/0,10.9.0.1 \
	--dhcp-boot=pxelinux.0,,10.9.0.1 > "$W/dnsmasq.log" 2>&1 &
DPID=$!
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-NET routes=$(ip -4 route | tr '\n' ';') mtu=$(cat /sys/class/net/eth0/mtu) resolv=$(tr '\n' ' ' < /etc/resolv.conf 2>/dev/null) env=$(tr '\n' ' ' < /run/netinit/net/eth0.env)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/root.squashfs"
initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
MAC=52:54:00:e2:e0:33
E2E_INITRD="$W/initrd.img" ip netns exec "$NS" bash -c "$(declare -f qemu_boot note); \
	KERNEL='$KERNEL' E2E_INITRD='$W/initrd.img' E2E_TIMEOUT=${E2E_TIMEOUT:-240} E2E_MEM=${E2E_MEM:-512} \
	qemu_boot '$W/boot.log' 'net.ifnames=0 root=live:/images/root.squashfs ip=dhcp BOOTIF=01-${MAC//:/-}' \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$MAC" \
	|| fail "boot did not finish"
# (expect_result would read the ip= of the cmdline= field, which also holds ip=)
expect_log "$W/boot.log" 'NETINIT-RESULT .* ip=10\.9\.0\.(1[0-4][0-9]|150)/24 lower='
note "$(result_line "$W/boot.log")"
expect_log "$W/boot.log" 'network: eth0: DHCP lease 10\.9\.0\.1[0-9]+/24 from 10\.9\.0\.1 in [0-9]+ ms'
expect_log "$W/boot.log" 'next-server 10\.9\.0\.1, file pxelinux\.0'
expect_log "$W/boot.log" 'NETINIT-NET routes=default via 10\.9\.0\.1 dev eth0 .*10\.20\.0\.0/16 via 10\.9\.0\.254 dev eth0'
expect_log "$W/boot.log" 'NETINIT-NET .* mtu=1400 '
expect_log "$W/boot.log" "NETINIT-NET .*env=.*DOMAIN='pxe\.test' .*NEXT_SERVER='10\.9\.0\.1' .*BOOT_FILE='pxelinux\.0'"
grep -q "DHCPACK(tap0)" "$W/dnsmasq.log" || fail "dnsmasq did not ACK (see $W/dnsmasq.log)"
