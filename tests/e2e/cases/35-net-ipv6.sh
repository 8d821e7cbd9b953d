#!/bin/bash
# IPv6 on a real segment: QEMU on a tap in a network namespace, dnsmasq sending router
# advertisements (with RDNSS) and answering DNS for a name that has only an AAAA record,
# nginx listening on an IPv6 address only. Four boots of one live squashfs over
# http://img6.test:8080/:
#   1. IPv6-only SLAAC: ip=auto6, DNS from the RA's RDNSS (dnsmasq ra-only)
#   2. static IPv6 with nameserver=[...], and static IPv4 on the same interface (dual stack)
#   3. stateful DHCPv6: ip=dhcp6 (dnsmasq dhcp-range; the RA's M flag), DNS from DHCPv6,
#      the URL with the server's IPv6 literal (http://[2001:db8:9::80]:8080/...)
#   4. dual stack on one interface, both dynamic: ip=eth0:dhcp,auto6 (DHCPv4 + SLAAC), both
#      families' servers in resolv.conf
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, tap)"
for c in dnsmasq nginx; do command -v $c >/dev/null || skip "$c missing (tools/packages/net.txt, e2e.txt)"; done
NS=ne6$$
ip netns add "$NS" || skip "cannot create a network namespace"
DPID="" NPID=""
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap || fail "tuntap"
ip -n "$NS" addr add 10.9.0.1/24 dev tap0
ip -n "$NS" addr add 2001:db8:9::1/64 dev tap0 nodad
ip -n "$NS" addr add 2001:db8:9::80/64 dev tap0 nodad
ip -n "$NS" link set tap0 up

# dnsmasq ARGS...: RA + DNS (img6.test has an AAAA record only) on tap0
dnsmasq6() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null -u root --interface=tap0 \
		--bind-interfaces --no-ping --no-resolv --no-hosts --log-dhcp --log-queries --enable-ra --ra-param=tap0,3,1800 \
		--local=/test/ --host-record=img6.test,2001:db8:9::80 --dhcp-leasefile="$W/leases" --pid-file="$W/dnsmasq.pid" \
		"$@" >> "$W/dnsmasq.log" 2>&1 &
	DPID=$!
	for _ in $(seq 50); do ip netns exec "$NS" ss -uln | grep -q '2001:db8:9::1\]:53 ' && return 0; sleep 0.1; done
	fail "dnsmasq did not start (see $W/dnsmasq.log)"
}

make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-NET6 addr6=$(ip -6 -o addr show dev eth0 scope global | awk '{print $4}' | tr '\n' ',') route6=$(ip -6 route show default | tr '\n' ';') addr4=$(ip -4 -o addr show dev eth0 | awk '{print $4}') resolv=$(grep nameserver /run/netinit/resolv.conf | tr '\n' ' ') env6=$(grep -E '^(METHOD6|ADDRESS6|DNS6)=' /run/netinit/net/eth0.env | tr '\n' ' ')"
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/www"
mk_squashfs "$W/root" "$W/www/root.squashfs"
nginx_conf "	access_log $W/nginx/logs/access.log;
	types { application/octet-stream squashfs; }
	server { listen [2001:db8:9::80]:8080 ipv6only=on; root $W/www; }"
nginx_bg "$NS"
NPID=$NGINX_PID
for _ in $(seq 50); do ip netns exec "$NS" ss -tln | grep -q '2001:db8:9::80\]:8080 ' && break; sleep 0.1; done
MAC=52:54:00:e2:e0:35
URL=http://img6.test:8080/root.squashfs
boot() {	# boot NAME APPEND [URL]
	local url=${3:-$URL}
	ip netns exec "$NS" bash -c "$(declare -f qemu_boot note); \
		KERNEL='$KERNEL' E2E_INITRD='$INITRD' E2E_TIMEOUT=${E2E_TIMEOUT:-240} E2E_MEM=${E2E_MEM:-512} \
		qemu_boot '$W/$1.log' 'net.ifnames=0 root=live:$url rd.retry=30 $2' \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$MAC" \
		|| fail "$1: boot did not finish"
	note "$1: $(grep -a 'network: eth0' "$W/$1.log" | tail -n 1 | tr -d '\r')"
}

# 1. IPv6 only, SLAAC, DNS from RDNSS; the name has only an AAAA record
dnsmasq6 --dhcp-range=2001:db8:9::,ra-only,64,1h --dhcp-option=option6:dns-server,[2001:db8:9::1]
boot slaac "ip=auto6"
expect_log "$W/slaac.log" 'NETINIT-RESULT '
expect_log "$W/slaac.log" 'network: eth0 ipv6 2001:db8:9:0:5054:ff:fee2:e035/64 gw fe80::[0-9a-f:]+ dns 2001:db8:9::1 \(auto6, [0-9]+ ms\)'
expect_log "$W/slaac.log" 'NETINIT-NET6 addr6=2001:db8:9:0:5054:ff:fee2:e035/64, route6=default via fe80::'
expect_log "$W/slaac.log" 'NETINIT-NET6 .*addr4= resolv=nameserver 2001:db8:9::1 '
expect_log "$W/slaac.log" "NETINIT-NET6 .*env6=METHOD6='auto6' ADDRESS6='2001:db8:9:0:5054:ff:fee2:e035'"
grep -q 'query\[AAAA\] img6.test from 2001:db8:9:0:5054:ff:fee2:e035' "$W/dnsmasq.log" || fail "slaac: no AAAA query from the guest"
grep -q '"GET /root.squashfs HTTP/1.1" 200' "$W/nginx/logs/access.log" || fail "slaac: nginx served nothing"

# 2. static IPv6 + nameserver=[...], static IPv4 on the same interface
: > "$W/nginx/logs/access.log"
boot static "ip=10.9.0.7::10.9.0.1:24::eth0:none ip=[2001:db8:9::7]::[2001:db8:9::1]:64::eth0:none nameserver=[2001:db8:9::1]"
expect_log "$W/static.log" 'network: eth0 10\.9\.0\.7/24 gw 10\.9\.0\.1 \(static\) ipv6 2001:db8:9::7/64 gw 2001:db8:9::1 dns 2001:db8:9::1 \(static'
expect_log "$W/static.log" 'NETINIT-NET6 addr6=2001:db8:9::7/64, route6=default via 2001:db8:9::1 dev eth0'
expect_log "$W/static.log" 'NETINIT-NET6 .*addr4=10\.9\.0\.7/24 resolv=nameserver 2001:db8:9::1 '
grep -q '2001:db8:9::7 .*"GET /root.squashfs HTTP/1.1" 200' "$W/nginx/logs/access.log" || fail "static: nginx did not serve 2001:db8:9::7"

# 3. stateful DHCPv6 (the RA's M flag), DNS from DHCPv6; the URL names the server by its literal
dnsmasq6 --dhcp-range=2001:db8:9::100,2001:db8:9::1ff,64,1h --dhcp-option=option6:dns-server,[2001:db8:9::1]
: > "$W/nginx/logs/access.log"
boot dhcp6 "ip=dhcp6" "http://[2001:db8:9::80]:8080/root.squashfs"
expect_log "$W/dhcp6.log" 'network: eth0: DHCPv6 lease 2001:db8:9::1[0-9a-f]{2} '
expect_log "$W/dhcp6.log" 'network: eth0 ipv6 2001:db8:9::1[0-9a-f]{2}/128 gw fe80::[0-9a-f:]+ dns 2001:db8:9::1 \(dhcp6, dhcpv6, RA M'
expect_log "$W/dhcp6.log" 'NETINIT-NET6 .*resolv=nameserver 2001:db8:9::1 '
grep -q 'DHCPREPLY(tap0) 2001:db8:9::1' "$W/dnsmasq.log" || fail "dhcp6: dnsmasq leased nothing"
expect_log "$W/dhcp6.log" 'NETINIT-RESULT .*root=live:http://\[2001:db8:9::80\]:8080/root\.squashfs'
grep -q '^2001:db8:9::1[0-9a-f]* .*"GET /root.squashfs HTTP/1.1" 200' "$W/nginx/logs/access.log" || fail "dhcp6: nginx did not serve the DHCPv6 address"

# 4. dual stack, both dynamic, one interface: DHCPv4 + SLAAC; resolv.conf holds both families
dnsmasq6 --dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h --dhcp-option=option:dns-server,10.9.0.1 \
	--dhcp-range=2001:db8:9::,ra-only,64,1h --dhcp-option=option6:dns-server,[2001:db8:9::1]
boot dual "ip=eth0:dhcp,auto6"
expect_log "$W/dual.log" 'network: eth0 10\.9\.0\.1[0-5][0-9]/24 .*\(dhcp from 10\.9\.0\.1, .*\) ipv6 2001:db8:9:0:5054:ff:fee2:e035/64 gw fe80::[0-9a-f:]+ dns 2001:db8:9::1 \(auto6'
expect_log "$W/dual.log" 'NETINIT-NET6 addr6=2001:db8:9:0:5054:ff:fee2:e035/64, .*addr4=10\.9\.0\.1[0-5][0-9]/24 resolv=nameserver 10\.9\.0\.1 nameserver 2001:db8:9::1 '
