#!/bin/sh
# DHCPv6 client of net/ (dhcp6_run) against real dnsmasq in network namespaces (no VM):
# stateful with rapid commit (address, DNS, search list, Bootfile-URL and parameters;
# the same DUID-LL and address on a second run), stateful without rapid commit (the
# four-message exchange), stateless (Information-Request beside ra-stateless), a range
# on another subnet (no Advertise: the clear line within the timeout), an exhausted range
# (NoAddrsAvail named), no link-local yet (link down) and a link-local that fails DAD.
. "$(dirname "$0")/net/lib.sh"
build_netdhcp6
DNSMASQ_PORT=547

MAC=02:00:00:00:d6:01

# One segment: client namespace "c" (eth0, $MAC) <-> server "s" (vs, 2001:db8:9::1/64).
segment() {
	ns c && ns s && veth c eth0 s vs && ip -n "${P}c" link set eth0 address "$MAC" &&
		ip -n "${P}s" addr add 2001:db8:9::1/64 dev vs && ip -n "${P}s" link set vs up
}
up() { ip -n "${P}c" link set eth0 up; }	# the caller's precondition (the boot does it)
teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=""
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	NSLIST=""
}
in_range() {	# in_range ADDR: 2001:db8:9::100 .. ::1ff
	case $1 in 2001:db8:9::1[0-9a-f][0-9a-f]) true;; *) false;; esac
}
OPTS="--dhcp-option=option6:dns-server,[2001:db8:9::53],[2001:db8:9::54]
	--dhcp-option=option6:domain-search,a.example.test,b.example.test
	--dhcp-option=option6:bootfile-url,http://[2001:db8:9::1]:8080/boot.ipxe
	--dhcp-option=option6:bootfile-param,root=live:x,rd.debug"

echo "case stateful: rapid commit, address, DNS, search, Bootfile-URL and parameters"
segment && up
# shellcheck disable=SC2086
dnsmasq_start s vs stateful --dhcp-range=::100,::1ff,constructor:vs,64,1h $OPTS
netdhcp6 c stateful eth0 stateful 10000 5000 || dump stateful
addr=$(field addr)
check stateful "lease received ($RESULT)" test -n "$RESULT"
check stateful "address $addr in ::100-::1ff" in_range "$addr"
check stateful "lifetimes 3600 s, T1/T2 given" sh -c "test '$(field valid)' = 3600 && test '$(field pref)' = 3600 && test '$(field t1)' -gt 0"
check stateful "DNS servers (23)" test "$(field dns)" = 2001:db8:9::53,2001:db8:9::54
check stateful "search list (24)" test "$(field search)" = a.example.test,b.example.test
check stateful "Bootfile-URL (59)" test "$(field url)" = "http://[2001:db8:9::1]:8080/boot.ipxe"
check stateful "Bootfile parameters (60)" test "$(field param)" = root=live:x,rd.debug
check stateful "bound by rapid commit (one message sent)" sh -c "test '$(field rapid)' = 1 && test '$(field sent)' = 1"
check stateful "server's link-local and DUID" sh -c "case '$(field server)' in fe80::*) test -n '$(field duid)';; *) false;; esac"
check stateful "dnsmasq saw our DUID-LL and the ORO" sh -c "grep -q 'DHCPSOLICIT(vs) 00:03:00:01:02:00:00:00:d6:01' $T/stateful.log && grep -q 'requested options: 23:dns-server, 24:domain-search, 59:bootfile-url' $T/stateful.log"
check stateful "dnsmasq replied with rapid-commit" grep -q 'option: 14 rapid-commit' "$T/stateful.log"
netdhcp6 c again eth0 stateful 10000 5000 || dump again
check stateful "second run (a reboot): same DUID, same address $addr" test "$(field addr)" = "$addr"
teardown

echo "case norapid: Solicit, Advertise, Request, Reply"
segment && up
# shellcheck disable=SC2086
dnsmasq_start s vs norapid --dhcp-range=::100,::1ff,constructor:vs,64,1h $OPTS
netdhcp6 c norapid eth0 stateful 10000 5000 norapid || dump norapid
check norapid "lease received ($RESULT)" in_range "$(field addr)"
check norapid "not rapid, Solicit + Request sent" sh -c "test '$(field rapid)' = 0 && test '$(field sent)' -ge 2"
check norapid "dnsmasq advertised, then replied to the Request" sh -c "grep -q 'DHCPADVERTISE(vs)' $T/norapid.log && grep -q 'DHCPREQUEST(vs)' $T/norapid.log && grep -q 'DHCPREPLY(vs) $(field addr)' $T/norapid.log"
check norapid "DNS and Bootfile-URL" sh -c "test '$(field dns)' = 2001:db8:9::53,2001:db8:9::54 && test '$(field url)' = 'http://[2001:db8:9::1]:8080/boot.ipxe'"
teardown

echo "case stateless: Information-Request beside ra-stateless"
segment && up
# shellcheck disable=SC2086
dnsmasq_start s vs stateless --enable-ra --dhcp-range=::,constructor:vs,ra-stateless $OPTS
netdhcp6 c stateless eth0 stateless 10000 5000 || dump stateless
check stateless "reply received ($RESULT)" test -n "$RESULT"
check stateless "no address asked for" test "$(field addr)" = none
check stateless "DNS servers (23)" test "$(field dns)" = 2001:db8:9::53,2001:db8:9::54
check stateless "search list (24)" test "$(field search)" = a.example.test,b.example.test
check stateless "Bootfile-URL (59)" test "$(field url)" = "http://[2001:db8:9::1]:8080/boot.ipxe"
check stateless "dnsmasq logged an Information-Request" grep -q 'DHCPINFORMATION-REQUEST(vs)' "$T/stateless.log"
teardown

echo "case wrongsubnet: a range on another subnet: no Advertise, clean timeout"
segment && up
dnsmasq_start s vs wrong --dhcp-range=2001:db8:77::100,2001:db8:77::1ff,64,1h
start=$(date +%s)
netdhcp6 c wrong eth0 stateful 3000 5000
rc=$?
el=$(( $(date +%s) - start ))
fails_with wrongsubnet wrong "$rc" "one clear line" '^ERROR rc=-110 DHCPv6 on eth0: no Advertise after 3 s ([0-9]* Solicits sent)'
check wrongsubnet "gave up within the timeout + DAD (took ${el} s)" test "$el" -le 7
check wrongsubnet "dnsmasq saw the Solicits" grep -q 'no address range available for DHCPv6 request via vs' "$T/wrong.log"
teardown

echo "case noaddrs: the only address is leased to another DUID: NoAddrsAvail named"
segment && up
dnsmasq_start s vs noaddrs --dhcp-range=::100,::100,constructor:vs,64,1h
netdhcp6 c first eth0 stateful 10000 5000 || dump first
check noaddrs "first client got ::100" test "$(field addr)" = 2001:db8:9::100
ip -n "${P}c" link set eth0 down && ip -n "${P}c" link set eth0 address 02:00:00:00:d6:02 && up
netdhcp6 c second eth0 stateful 3000 5000
rc=$?
fails_with noaddrs second "$rc" "the line names NoAddrsAvail" '^ERROR rc=-110 DHCPv6 on eth0: server said NoAddrsAvail'
teardown

echo "case nolinklocal: link down: no link-local, fails at once with the precondition"
segment
dnsmasq_start s vs nolink --dhcp-range=::100,::1ff,constructor:vs,64,1h
netdhcp6 c nolink eth0 stateful 3000 300
rc=$?
fails_with nolinklocal nolink "$rc" "one clear line" '^ERROR rc=-2 DHCPv6 on eth0: no IPv6 link-local address'
teardown

echo "case dadfail: another host owns our link-local: DAD fails, named"
segment
ip -n "${P}s" addr add fe80::ff:fe00:d601/64 dev vs nodad	# EUI-64 of $MAC
up
netdhcp6 c dad eth0 stateful 3000 5000
rc=$?
fails_with dadfail dad "$rc" "one clear line" '^ERROR rc=-99 DHCPv6 on eth0: link-local fe80::ff:fe00:d601 failed DAD'
teardown

finish
