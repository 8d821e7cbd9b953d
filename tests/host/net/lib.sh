# Helpers for tests/host/net-*.sh: network namespaces, veth pairs, real dnsmasq,
# and the netup driver (tests/host/net/netup.c linked with net/ by host gcc).
# Everything lives in namespaces named nt<pid><x>; cleanup() removes them.
set -u
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
case $NETINIT_BUILD in /*) ;; *) NETINIT_BUILD=$NETINIT_ROOT/$NETINIT_BUILD;; esac
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v dnsmasq >/dev/null || { echo "SKIP: dnsmasq not installed (tools/packages/net.txt)"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: iproute2 not installed"; exit 77; }

P=nt$$
T=$(mktemp -d /tmp/netinit-nettest.XXXXXX)
NETUP=$NETINIT_BUILD/host/netup
NSLIST=""
PIDS=""
FAILS=0

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

build_netup() {
	mkdir -p "$NETINIT_BUILD/host"
	gcc -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I"$NETINIT_ROOT" -g -O1 \
		-fsanitize=address,undefined -fno-omit-frame-pointer \
		-o "$NETUP" "$NETINIT_ROOT/tests/host/net/netup.c" "$NETINIT_ROOT"/net/*.c "$NETINIT_ROOT"/util/shquote.c "$NETINIT_ROOT"/util/netlink.c || exit 1
}

# build_netdhcp6: the DHCPv6 driver (tests/host/net/dhcp6.c with net/dhcp6*.c)
NETDHCP6=$NETINIT_BUILD/host/netdhcp6
build_netdhcp6() {
	mkdir -p "$NETINIT_BUILD/host"
	gcc -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I"$NETINIT_ROOT" -g -O1 \
		-fsanitize=address,undefined -fno-omit-frame-pointer \
		-o "$NETDHCP6" "$NETINIT_ROOT/tests/host/net/dhcp6.c" "$NETINIT_ROOT"/net/dhcp6.c \
		"$NETINIT_ROOT"/net/dhcp6c.c "$NETINIT_ROOT"/net/dhcp6run.c || exit 1
}

ns() {	# ns NAME: create namespace $P$NAME with lo up
	ip netns add "$P$1" && NSLIST="$NSLIST $P$1" && ip -n "$P$1" link set lo up
}

# veth NSA IFA NSB IFB: a cable between two namespaces
veth() {
	ip link add "$2" netns "$P$1" type veth peer name "$4" netns "$P$3"
}

# dnsmasq_start NS IFACE NAME [dnsmasq args...]: DHCP only (no DNS), logs in $T/NAME.log;
# waits for port 67, or $DNSMASQ_PORT (547 for DHCPv6 only)
dnsmasq_start() {
	_ns=$1 _if=$2 _name=$3
	shift 3
	ip netns exec "$P$_ns" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 \
		--interface="$_if" --bind-interfaces --no-ping --log-dhcp \
		--dhcp-leasefile="$T/$_name.leases" --pid-file="$T/$_name.pid" "$@" \
		>"$T/$_name.log" 2>&1 &
	PIDS="$PIDS $!"
	# wait until it listens on port 67 (or 547)
	for _i in $(seq 50); do
		ip netns exec "$P$_ns" ss -uln 2>/dev/null | grep -q ":${DNSMASQ_PORT:-67} " && return 0
		sleep 0.1
	done
	echo "dnsmasq $_name did not start:"; cat "$T/$_name.log"; return 1
}

# netdhcp6 NS NAME args...: run the DHCPv6 driver in NS; stdout in $T/NAME.out
netdhcp6() {
	_ns=$1 _name=$2
	shift 2
	ip netns exec "$P$_ns" timeout 60 "$NETDHCP6" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	_rc=$?
	RESULT=$(grep '^RESULT' "$T/$_name.out" || true)
	return $_rc
}

# netup NS NAME args...: run the driver in NS; stdout in $T/NAME.out, events in $T/NAME.err
netup() {
	_ns=$1 _name=$2
	shift 2
	mkdir -p "$T/$_name.root"
	ip netns exec "$P$_ns" timeout 60 "$NETUP" --root "$T/$_name.root" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	_rc=$?
	RESULT=$(grep '^RESULT' "$T/$_name.out" || true)
	return $_rc
}

# field KEY: value of KEY= in $RESULT
field() { printf '%s\n' "$RESULT" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

check() {	# check NAME CONDITION-DESCRIPTION COMMAND...
	_n=$1 _d=$2
	shift 2
	if "$@"; then echo "  ok   $_n: $_d"; else echo "  FAIL $_n: $_d"; FAILS=$((FAILS + 1)); fi
}

dump() {	# dump NAME: show what happened when a case fails
	echo "---- $1: stdout"; cat "$T/$1.out" 2>/dev/null
	echo "---- $1: events"; cat "$T/$1.err" 2>/dev/null
}

# fails_with CASE RUN RC WHAT REGEX: the driver's run RUN (netup/netdhcp6 NAME) exited 1 with
# a line matching REGEX (WHAT says what it must say); the run is shown when the status is wrong
fails_with() {
	check "$1" "exit status 1 (got $3)" test "$3" = 1
	check "$1" "$4" grep -q "$5" "$T/$2.out"
	[ "$3" = 1 ] || dump "$2"
}

finish() {
	if [ "$FAILS" -gt 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
	echo "all checks passed"
	exit 0
}
