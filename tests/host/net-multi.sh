#!/bin/sh
# net_up beyond one NIC, against real dnsmasq in namespaces: several NICs at
# once (first lease wins, no waiting for NICs without carrier), BOOTIF=,
# ifname= renaming, vlan=, a static ip= with rd.route= and nameserver=,
# rd.peerdns=0.
. "$(dirname "$0")/net/lib.sh"
build_netup

teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=""
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	NSLIST=""
}
# client "c": eth0 -> "e" (peer up, no server), eth1 -> "s" (dnsmasq),
# eth2 -> "d" (peer down: no carrier)
three_nics() {
	ns c && ns e && ns s && ns d &&
	veth c eth0 e ve && veth c eth1 s vs && veth c eth2 d vd &&
	ip -n "${P}e" link set ve up && ip -n "${P}s" link set vs up &&
	ip -n "${P}s" addr add 10.9.0.1/24 dev vs &&
	dnsmasq_start s vs "$1" --dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h \
		--dhcp-option=option:router,10.9.0.1 --dhcp-option=option:dns-server,10.9.0.53
}
mac_of() { ip -n "${P}$1" link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p'; }

echo "case multinic: ip=dhcp on three NICs, only eth1 has a server, eth2 has no carrier"
three_nics multi
netup c multi ip=dhcp rd.net.timeout.carrier=10 || dump multi
el=$(field elapsed_ms)
check multi "lease on eth1 ($RESULT)" test "$(field iface)" = eth1
check multi "did not wait for eth2's carrier (${el:-?} ms < 2000)" test "${el:-99999}" -lt 2000
check multi "DHCP ran on eth0 too" grep -q 'eth0: DHCP attempt' "$T/multi.err"
check multi "eth0 has no address" sh -c "! ip -n ${P}c -4 addr show dev eth0 | grep -q inet"
teardown

echo "case bootif: BOOTIF= picks the NIC"
three_nics bootif
mac=$(mac_of c eth1)
netup c bootif ip=dhcp "BOOTIF=01-$(echo "$mac" | tr : -)" || dump bootif
check bootif "lease on eth1" test "$(field iface)" = eth1
check bootif "no DHCP on eth0" sh -c "! grep -q 'eth0: DHCP' $T/bootif.err"
teardown

echo "case bootif0: rd.bootif=0 ignores BOOTIF= (which names the dead eth0)"
three_nics bootif0
mac=$(mac_of c eth0)
netup c bootif0 ip=dhcp "BOOTIF=01-$(echo "$mac" | tr : -)" rd.bootif=0 || dump bootif0
check bootif0 "lease on eth1" test "$(field iface)" = eth1
teardown

echo "case ifname: ifname=boot0:<mac of eth1> ip=boot0:dhcp"
three_nics ifname
mac=$(mac_of c eth1)
netup c ifname "ifname=boot0:$mac" ip=boot0:dhcp:1450 || dump ifname
check ifname "lease on boot0 ($RESULT)" test "$(field iface)" = boot0
check ifname "eth1 renamed" sh -c "ip -n ${P}c link show boot0 | grep -q '$mac'"
check ifname "MTU 1450 from ip=" sh -c "ip -n ${P}c link show boot0 | grep -q 'mtu 1450 '"
check ifname ".env named after the new name" test -f "$T/ifname.root/run/netinit/net/boot0.env"
teardown

echo "case vlan: vlan=eth1.5:eth1 ip=eth1.5:dhcp, dnsmasq on VLAN 5"
ns c && ns s && veth c eth1 s vs && ip -n "${P}s" link set vs up
if ip -n "${P}s" link add link vs name vs.5 type vlan id 5 2>/dev/null; then
	ip -n "${P}s" link set vs.5 up && ip -n "${P}s" addr add 10.5.0.1/24 dev vs.5
	dnsmasq_start s vs.5 vlan --dhcp-range=10.5.0.100,10.5.0.150,255.255.255.0,1h
	netup c vlan vlan=eth1.5:eth1 ip=eth1.5:dhcp || dump vlan
	check vlan "lease on eth1.5 ($RESULT)" test "$(field iface)" = eth1.5
	check vlan "VLAN id 5 created" sh -c "ip -n ${P}c -d link show eth1.5 | grep -q 'vlan protocol 802.1Q id 5'"
	addr=$(field addr)
	check vlan "address from the VLAN's range" sh -c "case '$addr' in 10.5.0.*) true;; *) false;; esac"
else
	echo "  skip vlan: this kernel has no 8021q; checking the failure path instead"
	start=$(date +%s)
	netup c vlan vlan=eth1.5:eth1 ip=eth1.5:dhcp
	el=$(( $(date +%s) - start ))
	check vlan "fails at once with a hint (${el} s)" sh -c "[ $el -le 3 ] && grep -q '8021q' $T/vlan.out"
	check vlan "one error event, not a flood" test "$(grep -c 'creating VLAN' "$T/vlan.err")" = 1
fi
teardown

echo "case static: ip=<static> rd.route= nameserver=, no server"
ns c && ns e && veth c eth0 e ve && ip -n "${P}e" link set ve up
netup c static 'ip=192.168.77.5::192.168.77.1:255.255.255.0:nthost:eth0:none:1280' \
	rd.route=10.30.0.0/16:192.168.77.254 nameserver=192.168.77.53 || dump static
check static "configured ($RESULT)" test "$(field addr)" = 192.168.77.5/24
check static "address on eth0" sh -c "ip -n ${P}c -4 addr show dev eth0 | grep -q 'inet 192.168.77.5/24'"
check static "default via 192.168.77.1" sh -c "ip -n ${P}c route show default | grep -q 'via 192.168.77.1 dev eth0'"
check static "rd.route 10.30.0.0/16 via 192.168.77.254" sh -c "ip -n ${P}c route | grep -q '10.30.0.0/16 via 192.168.77.254 dev eth0'"
check static "MTU 1280" sh -c "ip -n ${P}c link show eth0 | grep -q 'mtu 1280 '"
check static "resolv.conf from nameserver=" grep -qx 'nameserver 192.168.77.53' "$T/static.root/etc/resolv.conf"
check static "pnp file says MANUAL" grep -qx '#MANUAL' "$T/static.root/run/netinit/resolv.conf"
check static "HOSTNAME in .env" grep -qx "HOSTNAME='nthost'" "$T/static.root/run/netinit/net/eth0.env"
teardown

echo "case kernel10: the kernel's 10-field form with dns0/dns1/ntp"
ns c && ns e && veth c eth0 e ve && ip -n "${P}e" link set ve up
netup c kernel10 'ip=192.168.78.5:192.168.78.2:192.168.78.1:255.255.255.0:k:eth0:off:192.168.78.53:192.168.78.54:192.168.78.123' || dump kernel10
check kernel10 "configured ($RESULT)" test "$(field dns)" = 192.168.78.53,192.168.78.54
teardown

echo "case peerdns: rd.peerdns=0 keeps DHCP's DNS out, nameserver= stays"
three_nics peerdns
netup c peerdns ip=eth1:dhcp rd.peerdns=0 nameserver=10.9.0.99 || dump peerdns
check peerdns "only nameserver= in resolv.conf" sh -c "grep -qx 'nameserver 10.9.0.99' $T/peerdns.root/etc/resolv.conf && ! grep -q 10.9.0.53 $T/peerdns.root/etc/resolv.conf"
teardown

echo "case nolink: ip=eth7:dhcp where eth7 never appears"
ns c
netup c nolink ip=eth7:dhcp rd.net.timeout.iflink=2
rc=$?
check nolink "fails with -ENODEV (rc=$rc)" grep -q '^ERROR rc=-19 .*eth7' "$T/nolink.out"
teardown

finish
