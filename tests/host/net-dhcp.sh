#!/bin/sh
# DHCP client of net/ against real dnsmasq in network namespaces (no VM):
# normal lease, classless routes (option 121), NAK then success, no server
# (clean timeout), two servers on one segment.
. "$(dirname "$0")/net/lib.sh"
build_netup

# One segment: client namespace "c" (eth0) <-> server namespace "s" (vs, 10.9.0.1/24).
segment() {
	ns c && ns s && veth c eth0 s vs && ip -n "${P}s" addr add 10.9.0.1/24 dev vs &&
		ip -n "${P}s" link set vs up
}
teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=""
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	NSLIST=""
}
in_range() {	# in_range ADDR LO HI (last octet, 10.9.0.x)
	_o=${1##*.}
	case $1 in 10.9.0.*) [ "$_o" -ge "$2" ] && [ "$_o" -le "$3" ];; *) false;; esac
}
COMMON="--dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h"

echo "case normal: lease, router, DNS, MTU, domain, search, boot file"
segment
dnsmasq_start s vs normal $COMMON --dhcp-option=option:router,10.9.0.1 \
	--dhcp-option=option:dns-server,10.9.0.53,10.9.0.54 --dhcp-option=option:mtu,1400 \
	--dhcp-option=option:domain-name,example.test \
	--dhcp-option=option:domain-search,a.example.test,b.example.test \
	--dhcp-boot=pxelinux.0,,10.9.0.1
netup c normal rd.net.timeout.dhcp=10 || dump normal
addr=$(field addr)
check normal "lease received ($RESULT)" test -n "$RESULT"
check normal "address ${addr} in 10.9.0.100-150/24" in_range "${addr%/*}" 100 150
check normal "prefix /24" test "${addr#*/}" = 24
check normal "default route via 10.9.0.1" sh -c "ip -n ${P}c route show default | grep -q 'via 10.9.0.1 dev eth0'"
check normal "address on eth0" sh -c "ip -n ${P}c -4 addr show dev eth0 | grep -q 'inet ${addr} '"
check normal "MTU 1400 applied" sh -c "ip -n ${P}c link show eth0 | grep -q 'mtu 1400 '"
check normal "resolv.conf nameservers" sh -c "grep -q '^nameserver 10.9.0.53' $T/normal.root/etc/resolv.conf && grep -q '^nameserver 10.9.0.54' $T/normal.root/etc/resolv.conf"
check normal "resolv.conf search list" grep -q '^search example.test a.example.test b.example.test$' "$T/normal.root/etc/resolv.conf"
check normal ".env facts" sh -c "grep -qx \"ADDRESS='${addr%/*}'\" $T/normal.root/run/netinit/net/eth0.env && grep -qx \"BOOT_FILE='pxelinux.0'\" $T/normal.root/run/netinit/net/eth0.env && grep -qx \"NEXT_SERVER='10.9.0.1'\" $T/normal.root/run/netinit/net/eth0.env && grep -qx \"LEASE='3600'\" $T/normal.root/run/netinit/net/eth0.env"
check normal "pnp-style resolv.conf" sh -c "grep -qx '#PROTO: DHCP' $T/normal.root/run/netinit/resolv.conf && grep -qx 'bootserver 10.9.0.1' $T/normal.root/run/netinit/resolv.conf"
check normal "dnsmasq logged the ACK" grep -q "DHCPACK(vs) ${addr%/*}" "$T/normal.log"
check normal "vendor class (60) and parameter list (55) sent" sh -c "grep -q 'vendor class: netinit' $T/normal.log && grep -q 'requested options: .*121:classless-static-route' $T/normal.log"
teardown

echo "case classless: option 121 replaces the router option"
segment
dnsmasq_start s vs classless $COMMON --dhcp-option=option:router,10.9.0.99 \
	--dhcp-option=121,10.20.0.0/16,10.9.0.254,0.0.0.0/0,10.9.0.1
netup c classless || dump classless
check classless "lease received" test -n "$RESULT"
check classless "10.20.0.0/16 via 10.9.0.254" sh -c "ip -n ${P}c route | grep -q '10.20.0.0/16 via 10.9.0.254 dev eth0'"
check classless "default via 10.9.0.1 (from 121, not option 3)" sh -c "ip -n ${P}c route show default | grep -q 'via 10.9.0.1 ' && ! ip -n ${P}c route | grep -q 10.9.0.99"
teardown

echo "case nak: INIT-REBOOT for a wrong address is NAKed, then DISCOVER succeeds"
segment
dnsmasq_start s vs nak $COMMON --dhcp-authoritative
netup c nak 'ip=10.77.0.9:::255.255.255.0:nthost:eth0:dhcp' || dump nak
check nak "host name (12) sent" grep -q 'client provides name: nthost' "$T/nak.log"
check nak "lease received" test -n "$RESULT"
check nak "dnsmasq sent a NAK" grep -q 'DHCPNAK' "$T/nak.log"
check nak "client reported the NAK" grep -q 'DHCP NAK' "$T/nak.err"
addr=$(field addr)
check nak "address ${addr} from the range" in_range "${addr%/*}" 100 150
teardown

echo "case noserver: clean timeout"
segment
start=$(date +%s)
netup c noserver rd.net.timeout.dhcp=3
rc=$?
el=$(( $(date +%s) - start ))
check noserver "exit status 1 (got $rc)" test "$rc" = 1
check noserver "one-line error" grep -q '^ERROR .*no interface configured: eth0: no DHCP lease' "$T/noserver.out"
check noserver "gave up after ~3 s (took ${el} s)" test "$el" -le 6
check noserver "DISCOVERs retransmitted" grep -q 'sent' "$T/noserver.err"
check noserver "no address left behind" sh -c "! ip -n ${P}c -4 addr show dev eth0 | grep -q inet"
[ "$rc" = 1 ] || dump noserver
teardown

echo "case twoservers: two dnsmasq on one segment, the first offer wins"
ns c && ns a && ns b && ns sw
ip -n "${P}sw" link add br0 type bridge && ip -n "${P}sw" link set br0 up
veth c eth0 sw p0 && veth a va sw p1 && veth b vb sw p2
for p in p0 p1 p2; do ip -n "${P}sw" link set "$p" master br0 up; done
ip -n "${P}a" addr add 10.9.0.1/24 dev va && ip -n "${P}a" link set va up
ip -n "${P}b" addr add 10.9.0.2/24 dev vb && ip -n "${P}b" link set vb up
dnsmasq_start a va srvA --dhcp-range=10.9.0.100,10.9.0.149,255.255.255.0,1h --dhcp-option=option:router,10.9.0.1
dnsmasq_start b vb srvB --dhcp-range=10.9.0.150,10.9.0.199,255.255.255.0,1h --dhcp-option=option:router,10.9.0.2
netup c two || dump two
addr=$(field addr)
srv=$(field server)
check two "lease received ($RESULT)" test -n "$RESULT"
if [ "$srv" = 10.9.0.1 ]; then
	check two "address from server A's range" in_range "${addr%/*}" 100 149
	check two "only A acked" sh -c "grep -q DHCPACK $T/srvA.log && ! grep -q DHCPACK $T/srvB.log"
else
	check two "address from server B's range" in_range "${addr%/*}" 150 199
	check two "only B acked" sh -c "grep -q DHCPACK $T/srvB.log && ! grep -q DHCPACK $T/srvA.log"
fi
check two "both servers offered" sh -c "grep -q DHCPOFFER $T/srvA.log && grep -q DHCPOFFER $T/srvB.log"
teardown

finish
