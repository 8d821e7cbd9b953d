#!/bin/sh
# bench/dhcp.sh [RUNS]: time from link-up to an applied DHCP lease, netinit's
# net_up against real dnsmasq in a network namespace, median of RUNS (20).
# Reference in the same invocation: busybox udhcpc (the "busybox floor" of
# GUIDE.md) applying the same lease with ip(8). Prints numbers and the ratio.
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
gcc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT" -o "$B/host/netup-bench" "$ROOT/tests/host/net/netup.c" "$ROOT"/net/*.c || exit 1

ip netns add "${P}c" && ip netns add "${P}s" || exit 1
ip link add eth0 netns "${P}c" type veth peer name vs netns "${P}s"
ip -n "${P}s" link set vs up && ip -n "${P}s" addr add 10.9.0.1/24 dev vs
ip netns exec "${P}s" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=vs \
	--bind-interfaces --no-ping --dhcp-range=10.9.0.100,10.9.0.199,255.255.255.0,1h \
	--dhcp-option=option:router,10.9.0.1 --dhcp-option=option:dns-server,10.9.0.53 \
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
