#!/bin/sh
# IPv6 of net/ (net_up through the netup driver) against real dnsmasq in network
# namespaces (no VM): SLAAC from an ra-only RA with RDNSS/DNSSL, ra-stateless
# (SLAAC + stateless DHCPv6 for DNS: the O flag), a stateful dhcp-range (the M
# flag: ip=dhcp6 and ip=auto6 both take the DHCPv6 address), static IPv6 with
# nameserver=[...], dual stack on one interface (dhcp,auto6: both families in
# resolv.conf), a duplicate static address (DAD failure: one clear line), no
# router at all (the clear timeout line), either6 falling back to DHCPv6, link6, a SLAAC
# address someone else holds.
. "$(dirname "$0")/net/lib.sh"
build_netup

# One segment: client "c" (eth0) <-> server "s" (vs: 10.9.0.1/24, 2001:db8:9::1/64). The
# server's link-local skips DAD, as a router long up has it done (seen here: the RA dnsmasq
# sends while its link-local is still tentative is not taken by the client).
segment() {
	ns c && ns s && veth c eth0 s vs &&
		ip netns exec "${P}s" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/vs/accept_dad' &&
		ip -n "${P}s" addr add 10.9.0.1/24 dev vs &&
		ip -n "${P}s" addr add 2001:db8:9::1/64 dev vs nodad && ip -n "${P}s" link set vs up
}
teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=""
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	NSLIST=""
}
# dnsmasq6 NAME args...: RA (and DHCPv6 when a range asks) on vs; waits for it to listen
dnsmasq6() {
	_name=$1
	shift
	ip netns exec "${P}s" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 \
		--interface=vs --bind-interfaces --log-dhcp --enable-ra --ra-param=vs,2,1800 \
		--dhcp-leasefile="$T/$_name.leases" --pid-file="$T/$_name.pid" "$@" >"$T/$_name.log" 2>&1 &
	PIDS="$PIDS $!"
	for _i in $(seq 50); do	# DHCPv6 listening, or (ra-only) the first RA sent
		ip netns exec "${P}s" ss -uln 2>/dev/null | grep -q ':547 ' && return 0
		grep -q 'RTR-ADVERT' "$T/$_name.log" && return 0
		sleep 0.1
	done
	echo "dnsmasq $_name did not start:"; cat "$T/$_name.log"; return 1
}
in_prefix() { case $1 in 2001:db8:9:0:*|2001:db8:9::*) true;; *) false;; esac; }
resolv() { printf '%s' "$T/$1.root/etc/resolv.conf"; }	# resolv NAME: its path
DNS6="--dhcp-option=option6:dns-server,[2001:db8:9::53] --dhcp-option=option6:domain-search,v6.example.test"

echo "case raonly: SLAAC, default route and RDNSS/DNSSL from the RA"
segment
# shellcheck disable=SC2086
dnsmasq6 raonly --dhcp-range=2001:db8:9::,ra-only,64,1h $DNS6
netup c raonly ip=eth0:auto6 || dump raonly
a6=$(field addr6)
check raonly "configured ($RESULT)" test -n "$RESULT"
check raonly "SLAAC address ${a6} in 2001:db8:9::/64" in_prefix "${a6%/*}"
check raonly "prefix /64" test "${a6#*/}" = 64
check raonly "address on eth0, not tentative" sh -c "ip -n ${P}c -6 addr show dev eth0 scope global | grep -q 'inet6 ${a6%/*}/64' && ! ip -n ${P}c -6 addr show dev eth0 | grep -q tentative"
check raonly "default route from the RA (gw $(field gw6))" sh -c "case '$(field gw6)' in fe80::*) ip -n ${P}c -6 route show default | grep -q 'via $(field gw6) dev eth0';; *) false;; esac"
check raonly "RDNSS 2001:db8:9::53" test "$(field dns6)" = 2001:db8:9::53
check raonly "resolv.conf: the RDNSS server" grep -qx 'nameserver 2001:db8:9::53' "$(resolv raonly)"
check raonly "resolv.conf: the DNSSL domain" grep -qx 'search v6.example.test' "$(resolv raonly)"
check raonly "no DHCPv6 (no M or O flag)" test "$(field dhcp6)" = 0
check raonly ".env has the IPv6 facts" sh -c "grep -qx \"ADDRESS6='${a6%/*}'\" $T/raonly.root/run/netinit/net/eth0.env && grep -qx \"DNS6='2001:db8:9::53'\" $T/raonly.root/run/netinit/net/eth0.env"
check raonly "a router solicitation was sent" grep -q 'router solicitation 1 sent' "$T/raonly.err"
teardown

echo "case nodad: rd.net.timeout.ipv6dad=0: no DAD (accept_dad=0), the address usable at once"
segment
# shellcheck disable=SC2086
dnsmasq6 nodad --dhcp-range=2001:db8:9::,ra-only,64,1h $DNS6
netup c nodad ip=eth0:auto6 rd.net.timeout.ipv6dad=0 || dump nodad
check nodad "SLAAC address $(field addr6)" in_prefix "$(field addr6)"
check nodad "accept_dad=0 on eth0" sh -c "ip netns exec ${P}c cat /proc/sys/net/ipv6/conf/eth0/accept_dad | grep -qx 0"
check nodad "usable in under 2 s ($(field elapsed6_ms) ms; with DAD the kernel alone takes 2 s)" test "$(field elapsed6_ms)" -lt 2000
teardown

echo "case stateless: ra-stateless (A and O): SLAAC, then an Information-Request for DNS"
segment
dnsmasq6 stateless --dhcp-range=2001:db8:9::,ra-stateless,64,1h --dhcp-option=option6:dns-server,[2001:db8:9::54] \
	--dhcp-option=option6:domain-search,stateless.example.test
netup c stateless ip=eth0:auto6 || dump stateless
check stateless "SLAAC address $(field addr6)" in_prefix "$(field addr6)"
check stateless "RA O flag seen, M not" sh -c "test '$(field ra_o)' = 1 && test '$(field ra_m)' = 0"
check stateless "DHCPv6 used (stateless)" test "$(field dhcp6)" = 1
check stateless "dnsmasq answered an Information-Request" grep -q 'DHCPINFORMATION-REQUEST(vs)' "$T/stateless.log"
check stateless "resolv.conf: 2001:db8:9::54, stateless.example.test" sh -c "grep -qx 'nameserver 2001:db8:9::54' $(resolv stateless) && grep -q 'stateless.example.test' $(resolv stateless)"
teardown

echo "case stateful: a dhcp-range (M flag): ip=dhcp6, and ip=auto6 following M"
segment
# shellcheck disable=SC2086
dnsmasq6 stateful --dhcp-range=2001:db8:9::100,2001:db8:9::1ff,64,1h $DNS6
netup c stateful ip=eth0:dhcp6 || dump stateful
a6=$(field addr6)
check stateful "DHCPv6 address ${a6}" sh -c "case '${a6}' in 2001:db8:9::1[0-9a-f][0-9a-f]/128) true;; *) false;; esac"
check stateful "on eth0" sh -c "ip -n ${P}c -6 addr show dev eth0 | grep -q 'inet6 ${a6%/*}/128'"
check stateful "default route from the RA" sh -c "ip -n ${P}c -6 route show default | grep -q 'dev eth0'"
check stateful "resolv.conf: 2001:db8:9::53" grep -qx 'nameserver 2001:db8:9::53' "$(resolv stateful)"
check stateful "dnsmasq leased it" grep -q "DHCPREPLY(vs) ${a6%/*}" "$T/stateful.log"
ip -n "${P}c" -6 addr flush dev eth0 scope global
netup c stateful2 ip=eth0:auto6 || dump stateful2
check stateful "ip=auto6 with M: the DHCPv6 address ($(field addr6))" sh -c "test '$(field dhcp6)' = 1 && test '$(field ra_m)' = 1 && case '$(field addr6)' in 2001:db8:9::1[0-9a-f][0-9a-f]/128) true;; *) false;; esac"
teardown

echo "case static: ip=[v6]::[gw6]:64::eth0:none nameserver=[v6], rd.route=[v6/len]"
segment
netup c static 'ip=[2001:db8:9::5]::[2001:db8:9::1]:64::eth0:none' 'nameserver=[2001:db8:9::53]' \
	'rd.route=[2001:db8:77::/48]:[2001:db8:9::fe]' || dump static
check static "address 2001:db8:9::5/64" test "$(field addr6)" = 2001:db8:9::5/64
check static "default route via 2001:db8:9::1" sh -c "ip -n ${P}c -6 route show default | grep -q 'via 2001:db8:9::1 dev eth0'"
check static "rd.route 2001:db8:77::/48" sh -c "ip -n ${P}c -6 route | grep -q '2001:db8:77::/48 via 2001:db8:9::fe dev eth0'"
check static "resolv.conf nameserver 2001:db8:9::53" grep -qx 'nameserver 2001:db8:9::53' "$(resolv static)"
teardown

echo "case dual: ip=eth0:dhcp,auto6: both families on one interface, both in resolv.conf"
segment
# shellcheck disable=SC2086
dnsmasq6 dual --dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h --dhcp-option=option:dns-server,10.9.0.53 \
	--dhcp-range=2001:db8:9::,ra-only,64,1h $DNS6
netup c dual ip=eth0:dhcp,auto6 || dump dual
check dual "IPv4 lease $(field addr)" sh -c "case '$(field addr)' in 10.9.0.1[0-5][0-9]/24) true;; *) false;; esac"
check dual "IPv6 SLAAC $(field addr6)" in_prefix "$(field addr6)"
check dual "resolv.conf: 10.9.0.53 then 2001:db8:9::53" sh -c "grep '^nameserver' $(resolv dual) | tr '\n' ' ' | grep -q '^nameserver 10.9.0.53 nameserver 2001:db8:9::53 $'"
teardown

echo "case either6: no router, a DHCPv6 server: SLAAC times out, DHCPv6 gives the address"
segment
ip netns exec "${P}s" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=vs --bind-interfaces \
	--log-dhcp --dhcp-range=2001:db8:9::100,2001:db8:9::1ff,64,1h --dhcp-leasefile="$T/either.leases" \
	--dhcp-option=option6:dns-server,[2001:db8:9::53] >"$T/either.log" 2>&1 &
PIDS="$PIDS $!"
netup c either ip=eth0:either6 rd.net.timeout.ipv6auto=2 || dump either
check either "SLAAC gave up, DHCPv6 tried" grep -q 'no SLAAC address in 2 s, trying DHCPv6' "$T/either.err"
check either "DHCPv6 address $(field addr6)" sh -c "case '$(field addr6)' in 2001:db8:9::1[0-9a-f][0-9a-f]/128) true;; *) false;; esac"
check either "resolv.conf: 2001:db8:9::53" grep -qx 'nameserver 2001:db8:9::53' "$(resolv either)"
teardown

echo "case link6: the link-local address only"
segment
netup c link6 ip=eth0:link6 || dump link6
check link6 "configured, link-local $(field ll6)" sh -c "case '$(field ll6)' in fe80::*) test '$(field addr6)' = none/0;; *) false;; esac"
check link6 "no global address, RAs not taken" sh -c "! ip -n ${P}c -6 addr show dev eth0 scope global | grep -q inet6 && ip netns exec ${P}c cat /proc/sys/net/ipv6/conf/eth0/accept_ra | grep -qx 0"
teardown

echo "case dad: a static address someone else has: DAD fails, one clear line"
segment
ip -n "${P}s" addr add 2001:db8:9::5/64 dev vs nodad
netup c dad 'ip=[2001:db8:9::5]::[2001:db8:9::1]:64::eth0:none' rd.net.timeout.ipv6dad=5
rc=$?
fails_with dad dad "$rc" "the line names the address" '^ERROR .*DAD failed for 2001:db8:9::5: a duplicate address on the segment'
teardown

echo "case dadslaac: the SLAAC address is someone else's: the kernel drops it, one clear line"
segment
ip -n "${P}c" link set eth0 address 02:00:00:00:66:01
ip -n "${P}s" addr add 2001:db8:9::ff:fe00:6601/64 dev vs nodad
# shellcheck disable=SC2086
dnsmasq6 dadslaac --dhcp-range=2001:db8:9::,ra-only,64,1h $DNS6
netup c dadslaac ip=eth0:auto6 rd.net.timeout.ipv6auto=8
rc=$?
check dadslaac "exit status 1 (got $rc)" test "$rc" = 1
check dadslaac "the line names the address" grep -q '^ERROR .*DAD failed for 2001:db8:9::ff:fe00:6601 (SLAAC): a duplicate address on the segment' "$T/dadslaac.out"
{ [ "$rc" = 1 ] && grep -q "DAD failed for 2001:db8:9::ff:fe00:6601 (SLAAC)" "$T/dadslaac.out"; } || dump dadslaac
teardown

echo "case norouter: ip=auto6 with no router: a clear timeout"
segment
start=$(date +%s)
netup c norouter ip=eth0:auto6 rd.net.timeout.ipv6auto=3
rc=$?
el=$(( $(date +%s) - start ))
fails_with norouter norouter "$rc" "the line says why" '^ERROR .*no IPv6 address from a router advertisement in 3 s (no router advertisement seen'
check norouter "gave up after ~3 s (took ${el} s)" test "$el" -le 6
teardown

finish
