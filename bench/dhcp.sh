#!/bin/sh
# bench/dhcp.sh [RUNS]: time from link-up to an applied DHCP lease, netinit's
# net_up against real dnsmasq in a network namespace, median of RUNS (20).
# Reference in the same invocation: busybox udhcpc (the "busybox floor" of
# GUIDE.md) applying the same lease with ip(8). Prints numbers and the ratio.
# IPv6 rows: link-up to an address + DNS by stateful DHCPv6 (net/dhcp6run.c's
# dhcp6_run), with rapid commit and with the four-message exchange, beside ISC
# dhclient -6 (isc-dhcp-client) in the same modes, each from link-up; the shell
# waits for the link-local's DAD the same way before starting either client.
# net_up IPv6 rows: the whole of ip=eth0:auto6 (SLAAC + RDNSS) and ip=eth0:dhcp6 (RA M flag +
# stateful DHCPv6), process start with the link down to a usable address + DNS, beside
# dhcpcd -6 (dhcpcd-base) in the same two modes.
# Root only; everything lives in namespaces nb<pid>*; nothing leaves them.
set -u
RUNS=${1:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${NETINIT_BUILD:-$ROOT/build}
case $B in /*) ;; *) B=$ROOT/$B;; esac
[ "$(id -u)" = 0 ] || { echo "bench/dhcp.sh: needs root (network namespaces)"; exit 77; }
command -v dnsmasq >/dev/null || { echo "bench/dhcp.sh: dnsmasq missing (tools/packages/net.txt)"; exit 77; }
P=nb$$
T=$(mktemp -d /tmp/netinit-bench.XXXXXX)
DPID=""
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns del "${P}c" 2>/dev/null; ip netns del "${P}s" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# an optimised build (no sanitizers) of the host driver
mkdir -p "$B/host"
gcc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT" -o "$B/host/netup-bench" "$ROOT/tests/host/net/netup.c" "$ROOT"/net/*.c "$ROOT"/util/shquote.c "$ROOT"/util/netlink.c || exit 1
gcc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT" -o "$B/host/netdhcp6-bench" "$ROOT/tests/host/net/dhcp6.c" \
	"$ROOT"/net/dhcp6.c "$ROOT"/net/dhcp6c.c "$ROOT"/net/dhcp6run.c || exit 1

ip netns add "${P}c" && ip netns add "${P}s" || exit 1
ip link add eth0 netns "${P}c" type veth peer name vs netns "${P}s"
ip -n "${P}s" link set vs up && ip -n "${P}s" addr add 10.9.0.1/24 dev vs
ip -n "${P}s" addr add 2001:db8:9::1/64 dev vs nodad
ip netns exec "${P}s" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=vs \
	--bind-interfaces --no-ping --dhcp-range=10.9.0.100,10.9.0.199,255.255.255.0,1h \
	--dhcp-option=option:router,10.9.0.1 --dhcp-option=option:dns-server,10.9.0.53 \
	--dhcp-range=::100,::1ff,constructor:vs,64,1h --dhcp-option=option6:dns-server,[2001:db8:9::53] \
	--dhcp-leasefile="$T/leases" --pid-file="$T/pid" >"$T/dnsmasq.log" 2>&1 &
DPID=$!
sleep 0.5

reset_link() {
	ip -n "${P}c" link set eth0 down
	ip -n "${P}c" addr flush dev eth0
	ip -n "${P}c" route flush dev eth0 2>/dev/null
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

# udhcpc's script: apply the lease like a minimal initramfs would
cat > "$T/udhcpc.sh" <<'S'
#!/bin/sh
case $1 in bound|renew)
	ip addr add "$ip/$mask" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	for d in $dns; do echo "nameserver $d"; done > "$RESOLV";;
esac
exit 0
S
chmod +x "$T/udhcpc.sh"

: > "$T/netinit.ms"; : > "$T/netinit-wall.ms"; : > "$T/udhcpc.ms"
i=0
while [ $i -lt "$RUNS" ]; do
	reset_link
	t0=$(now_ms)
	out=$(ip netns exec "${P}c" "$B/host/netup-bench" --root "$T/root" ip=eth0:dhcp 2>/dev/null)
	t1=$(now_ms)
	echo "$out" | tr ' ' '\n' | sed -n 's/^elapsed_ms=//p' >> "$T/netinit.ms"
	echo $((t1 - t0)) >> "$T/netinit-wall.ms"
	reset_link
	if command -v busybox >/dev/null; then
		t0=$(now_ms)
		ip -n "${P}c" link set eth0 up
		RESOLV=$T/resolv.udhcpc ip netns exec "${P}c" busybox udhcpc -i eth0 -f -q -n -t 10 -T 1 \
			-s "$T/udhcpc.sh" >/dev/null 2>&1
		t1=$(now_ms)
		echo $((t1 - t0)) >> "$T/udhcpc.ms"
	fi
	i=$((i + 1))
done
n=$(wc -l < "$T/netinit.ms")
m_in=$(median < "$T/netinit.ms")
m_wall=$(median < "$T/netinit-wall.ms")
echo "dhcp bench: $n runs against dnsmasq $(dnsmasq --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') on a veth pair in a netns (dnsmasq --no-ping)"
echo "  netinit net_up, link-up to applied lease (median): ${m_in} ms   [min $(sort -n "$T/netinit.ms" | head -1), max $(sort -n "$T/netinit.ms" | tail -1)]"
echo "  netinit whole process incl. exec and link up (median): ${m_wall} ms"
if [ -s "$T/udhcpc.ms" ]; then
	m_bb=$(median < "$T/udhcpc.ms")
	echo "  busybox udhcpc + ip(8) script, link-up to applied lease (median): ${m_bb} ms"
	awk -v a="$m_wall" -v b="$m_bb" 'BEGIN { if (b > 0) printf "  ratio netinit/udhcpc (whole process): %.2f\n", a / b }'
fi
awk -v m="$m_in" 'BEGIN { printf "  target <= 50 ms: %s\n", (m <= 50 ? "met" : "MISSED") }'

# ---- IPv6: link-up to address + DNS by stateful DHCPv6 --------------------------
if ! command -v dhclient >/dev/null; then
	echo "dhcp6 bench: dhclient missing (isc-dhcp-client, tools/packages/net.txt): netinit rows only"
fi
ll_ready() {	# the link-local exists and finished DAD
	ip -n "${P}c" -6 addr show dev eth0 scope link 2>/dev/null | grep -q 'inet6 fe80' &&
		! ip -n "${P}c" -6 addr show dev eth0 tentative 2>/dev/null | grep -q inet6
}
# dhclient's script applies the address like a minimal initramfs would, then notes the time
cat > "$T/dhclient.sh" <<S
#!/bin/sh
case \$reason in BOUND6|RENEW6)
	ip -6 addr add "\$new_ip6_address/128" dev "\$interface"
	for d in \$new_dhcp6_name_servers; do echo "nameserver \$d"; done > "$T/resolv.dhclient"
	echo \$(( \$(date +%s%N) / 1000000 )) > "$T/dhclient.done";;
esac
exit 0
S
chmod +x "$T/dhclient.sh"
# the server's own addresses are not DADed again at every flap of the client's link (the veth
# peer follows it; a switch port would not): otherwise its first reply waits 0.1-0.3 s for that
ip netns exec "${P}s" sysctl -qw net.ipv6.conf.vs.accept_dad=0
echo 'send dhcp6.rapid-commit;' > "$T/dhclient-rapid.conf"
: > "$T/dhclient-4msg.conf"
for f in n6r n6r-ex n6r-dad n6r-post n6m n6m-ex n6m-dad n6m-post dhr dhr-ex dhr-dad dhm dhm-ex dhm-dad; do : > "$T/$f.ms"; done
# run_netinit6 FILE-PREFIX [norapid]: link up, wait for DAD as for dhclient, dhcp6_run, apply
# the address. (dhcp6_run waits for DAD itself, but the shell's polling of ip(8) makes the
# kernel finish DAD sooner - 1.2-1.8 s instead of 1.9-2.8 s here -, so both clients get the
# same wait for the comparison to be fair.)
run_netinit6() {
	reset_link
	t0=$(now_ms)
	ip -n "${P}c" link set eth0 up
	k=0
	while ! ll_ready && [ $k -lt 500 ]; do sleep 0.01; k=$((k + 1)); done
	t_dad=$(now_ms)
	out=$(ip netns exec "${P}c" "$B/host/netdhcp6-bench" eth0 stateful 10000 5000 ${2:-} 2>/dev/null)
	a=$(echo "$out" | tr ' ' '\n' | sed -n 's/^addr=//p')
	[ -n "$a" ] && [ "$a" != none ] && ip -n "${P}c" -6 addr add "$a/128" dev eth0
	t1=$(now_ms)
	case $out in RESULT*) ;; *) echo "  netinit dhcp6 run failed: $out"; return;; esac
	echo $((t1 - t0)) >> "$T/$1.ms"
	echo "$out" | tr ' ' '\n' | sed -n 's/^elapsed_ms=//p' >> "$T/$1-ex.ms"
	echo $((t_dad - t0)) >> "$T/$1-dad.ms"
	echo $((t1 - t_dad)) >> "$T/$1-post.ms"
}
# run_dhclient FILE CONF: link up, wait for DAD like dhcp6_run does (10 ms polls), dhclient -6
# in the foreground until its script has applied the lease
run_dhclient() {
	reset_link
	rm -f "$T/dhclient.leases" "$T/dhclient.done"
	t0=$(now_ms)
	ip -n "${P}c" link set eth0 up
	k=0
	while ! ll_ready && [ $k -lt 500 ]; do sleep 0.01; k=$((k + 1)); done
	t_dad=$(now_ms)
	ip netns exec "${P}c" dhclient -6 -d -1 -cf "$2" -sf "$T/dhclient.sh" \
		-lf "$T/dhclient.leases" -pf "$T/dhclient.pid" eth0 >/dev/null 2>&1 &
	dpid=$!
	k=0
	while [ ! -s "$T/dhclient.done" ] && [ $k -lt 2000 ]; do sleep 0.005; k=$((k + 1)); done
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	[ -s "$T/dhclient.done" ] || return
	echo $(($(cat "$T/dhclient.done") - t0)) >> "$T/$1.ms"
	echo $(($(cat "$T/dhclient.done") - t_dad)) >> "$T/$1-ex.ms"
	echo $((t_dad - t0)) >> "$T/$1-dad.ms"
}
i=0
while [ $i -lt "$RUNS" ]; do
	run_netinit6 n6r
	run_netinit6 n6m norapid
	if command -v dhclient >/dev/null; then
		run_dhclient dhr "$T/dhclient-rapid.conf"
		run_dhclient dhm "$T/dhclient-4msg.conf"
	fi
	i=$((i + 1))
done
mm() { [ -s "$T/$1.ms" ] && median < "$T/$1.ms" || echo "-"; }
echo "dhcp6 bench: $(wc -l < "$T/n6r.ms") runs, stateful DHCPv6 against the same dnsmasq, link-up to address applied (median)"
echo "  netinit dhcp6_run, rapid commit: $(mm n6r) ms  (DAD wait $(mm n6r-dad) ms; after it, process + exchange + ip addr add $(mm n6r-post) ms; exchange alone $(mm n6r-ex) ms [min $(sort -n "$T/n6r-ex.ms" | head -1), max $(sort -n "$T/n6r-ex.ms" | tail -1)])"
echo "  netinit dhcp6_run, Solicit/Advertise/Request/Reply: $(mm n6m) ms  (after DAD $(mm n6m-post) ms; exchange $(mm n6m-ex) ms: RFC 8415 collects Advertises for the first RT, ~1.05 s)"
if [ -s "$T/dhr.ms" ]; then
	echo "  dhclient -6 (ISC $(dhclient --version 2>&1 | sed -n 's/.*-\([0-9][^ ]*\)$/\1/p' | head -1)), send dhcp6.rapid-commit: $(mm dhr) ms  (DAD wait $(mm dhr-dad) ms + exchange, process start to lease applied, $(mm dhr-ex) ms)"
	echo "  dhclient -6, four messages: $(mm dhm) ms  (exchange $(mm dhm-ex) ms)"
	awk -v a="$(mm n6r-post)" -v b="$(mm dhr-ex)" 'BEGIN { if (b > 0) printf "  ratio netinit/dhclient (rapid commit exchange after DAD): %.2f\n", a / b }'
	awk -v a="$(mm n6m-post)" -v b="$(mm dhm-ex)" 'BEGIN { if (b > 0) printf "  ratio netinit/dhclient (four-message exchange after DAD): %.2f\n", a / b }'
	awk -v a="$(mm n6r)" -v b="$(mm dhr)" 'BEGIN { if (b > 0) printf "  ratio netinit/dhclient (rapid commit, link-up to address, the random DAD delay included): %.2f\n", a / b }'
	awk -v a="$(mm n6m)" -v b="$(mm dhm)" 'BEGIN { if (b > 0) printf "  ratio netinit/dhclient (four messages): %.2f\n", a / b }'
fi
echo "  DAD waits, each run (ms): netinit $(tr '\n' ' ' < "$T/n6r-dad.ms")| dhclient $(tr '\n' ' ' < "$T/dhr-dad.ms")"
awk -v m="$(mm n6r-ex)" 'BEGIN { printf "  target <= 50 ms beyond DAD (rapid commit exchange): %s\n", (m <= 50 ? "met" : "MISSED") }'

# ---- IPv6 through net_up, link-up to a usable address + DNS: SLAAC and stateful DHCPv6 ----
# netinit's net_up (the netup driver: it brings the link up, waits for the link-local's DAD,
# solicits a router, ...) with ip=eth0:auto6 against dnsmasq ra-only (address by SLAAC, DNS by
# RDNSS), and with ip=eth0:dhcp6 against dnsmasq with a stateful range (RA M flag; address and
# DNS by DHCPv6), each from process start with the link down. Reference in the same run:
# dhcpcd (dhcpcd-base) -6 -1 -w in the same modes (it brings the link up too, does SLAAC and
# follows the M flag itself), done when its hook script sees the address and the DNS server
# (ROUTERADVERT with an RDNSS; BOUND6/REBOOT6 with a name server).
dnsmasq_v6() {	# dnsmasq_v6 DHCP-RANGE: a dnsmasq with RAs (enable-ra) for the rows below
	kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null
	ip netns exec "${P}s" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=vs \
		--bind-interfaces --no-ping --enable-ra --ra-param=vs,3,1800 --dhcp-range="$1" \
		--dhcp-option=option6:dns-server,[2001:db8:9::53] \
		--dhcp-leasefile="$T/leases6" --pid-file="$T/pid" >>"$T/dnsmasq.log" 2>&1 &
	DPID=$!
	sleep 0.5
}
reset6() {	# what a freshly booted NIC has (dhcpcd sets addr_gen_mode=1 and makes its own link-local)
	reset_link
	for kv in addr_gen_mode=0 accept_ra=1 autoconf=1; do
		ip netns exec "${P}c" sysctl -qw "net.ipv6.conf.eth0.$kv"
	done
}
cat > "$T/dhcpcd-hook.sh" <<S
#!/bin/sh
case \$reason in
ROUTERADVERT) [ -n "\$nd1_addr1" ] && [ -n "\$nd1_rdnss1_servers" ] && echo \$(( \$(date +%s%N) / 1000000 )) > "$T/dhcpcd.done";;
BOUND6|REBOOT6) [ -n "\$new_dhcp6_ia_na1_ia_addr1" ] && [ -n "\$new_dhcp6_name_servers" ] && echo \$(( \$(date +%s%N) / 1000000 )) > "$T/dhcpcd.done";;
esac
exit 0
S
chmod +x "$T/dhcpcd-hook.sh"
echo 'option dhcp6_name_servers' > "$T/dhcpcd.conf"	# (without it dhcpcd asks DHCPv6 for no DNS)
# run_netup6 FILE METHOD: netup-bench ip=eth0:METHOD from process start; wall time and elapsed6_ms
run_netup6() {
	reset6
	t0=$(now_ms)
	out=$(ip netns exec "${P}c" "$B/host/netup-bench" --root "$T/root" "ip=eth0:$2" 2>/dev/null)
	t1=$(now_ms)
	case $out in RESULT*dns6=2001:db8:9::53*) ;; *) echo "  netinit ip=eth0:$2 failed: $out"; return;; esac
	echo $((t1 - t0)) >> "$T/$1.ms"
	echo "$out" | tr ' ' '\n' | sed -n 's/^elapsed6_ms=//p' >> "$T/$1-in.ms"
}
run_dhcpcd6() {
	reset6
	rm -f "$T/dhcpcd.done"
	t0=$(now_ms)
	ip netns exec "${P}c" timeout 30 dhcpcd -f "$T/dhcpcd.conf" -6 -1 -w -B -c "$T/dhcpcd-hook.sh" eth0 >"$T/dhcpcd.log" 2>&1
	[ -s "$T/dhcpcd.done" ] || { echo "  dhcpcd failed: $(tail -n 1 "$T/dhcpcd.log")"; return; }
	echo $(($(cat "$T/dhcpcd.done") - t0)) >> "$T/$1.ms"
}
for f in s6 s6-in m6 m6-in dcs dcm; do : > "$T/$f.ms"; done
have_dhcpcd=$(command -v dhcpcd || true)
[ -n "$have_dhcpcd" ] || echo "net_up IPv6 bench: dhcpcd missing (dhcpcd-base, tools/packages/net.txt): netinit rows only"
rows6() {	# rows6 DHCP_RANGE NETINIT_ROWS IP_FORM DHCPCD_ROWS: RUNS of each, interleaved
	dnsmasq_v6 "$1"
	i=0
	while [ $i -lt "$RUNS" ]; do
		run_netup6 "$2" "$3"
		[ -n "$have_dhcpcd" ] && run_dhcpcd6 "$4"
		i=$((i + 1))
	done
}
rows6 ::,constructor:vs,ra-only,64,1h s6 auto6 dcs
rows6 ::100,::1ff,constructor:vs,64,1h m6 dhcp6 dcm
echo "net_up IPv6 bench: $(wc -l < "$T/s6.ms") + $(wc -l < "$T/m6.ms") runs, link-up (process start, link down) to a usable address + DNS (median), DAD on"
echo "  netinit ip=eth0:auto6 (SLAAC + RDNSS): $(mm s6) ms  (net_up's own count $(mm s6-in) ms) [min $(sort -n "$T/s6.ms" | head -1), max $(sort -n "$T/s6.ms" | tail -1)]"
echo "  netinit ip=eth0:dhcp6 (RA M + stateful DHCPv6): $(mm m6) ms  (net_up's own count $(mm m6-in) ms) [min $(sort -n "$T/m6.ms" | head -1), max $(sort -n "$T/m6.ms" | tail -1)]"
if [ -s "$T/dcs.ms" ] || [ -s "$T/dcm.ms" ]; then
	echo "  dhcpcd $(dhcpcd --version | head -n 1 | sed 's/^dhcpcd //') -6 -1 -w, SLAAC + RDNSS: $(mm dcs) ms [min $(sort -n "$T/dcs.ms" | head -1), max $(sort -n "$T/dcs.ms" | tail -1)]"
	echo "  dhcpcd -6 -1 -w, RA M + stateful DHCPv6: $(mm dcm) ms [min $(sort -n "$T/dcm.ms" | head -1), max $(sort -n "$T/dcm.ms" | tail -1)]"
	awk -v a="$(mm s6)" -v b="$(mm dcs)" 'BEGIN { if (b > 0) printf "  ratio netinit/dhcpcd (SLAAC): %.2f\n", a / b }'
	awk -v a="$(mm m6)" -v b="$(mm dcm)" 'BEGIN { if (b > 0) printf "  ratio netinit/dhcpcd (stateful DHCPv6): %.2f\n", a / b }'
fi
