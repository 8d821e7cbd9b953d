# Shared helpers for tests/host/nbd-*.sh (POSIX sh). Source after setting nothing.
NBD_FAILS=0
NBD_TMP=$(mktemp -d /tmp/netinit-nbd.XXXXXX)
NBD_PIDS=""
B=${NETINIT_BUILD:-$NETINIT_ROOT/build}
PY=/usr/bin/python3

NBD_PIDFILES=""
nbd_cleanup() {
	for f in $NBD_PIDFILES; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	for p in $NBD_PIDS; do kill "$p" 2>/dev/null; done
	for p in $NBD_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$NBD_TMP"
}

nbd_need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t missing (tools/packages/nbd.txt)"; exit 77; }
	done
}

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Build the probe (host gcc, sanitizers) once per build dir.
build_probe() {
	mkdir -p "$B/host"
	PROBE=$B/host/nbd-probe
	r=$NETINIT_ROOT
	gcc -std=gnu11 -D_GNU_SOURCE -I"$r" -Wall -Wextra -g -fsanitize=address,undefined \
		-o "$PROBE" "$r/tests/host/nbd/nbd-probe.c" "$r/blockdev/nbd.c" "$r/blockdev/nbdspec.c" \
		"$r/blockdev/nbdattach.c" "$r/blockdev/nbdkern.c" "$r/util/netlink.c" "$r/util/daemon.c" || { echo "FAIL build nbd-probe"; exit 1; }
}

# probe NAME EXPECT_REGEX [--attach] FORM VALUE TIMEOUT_MS
probe() {
	name=$1; want=$2; shift 2
	out=$("$PROBE" "$@" 2>&1 | tail -n 1)
	PROBE_MS=$(echo "$out" | sed -n 's/.* ms=\([0-9]*\)$/\1/p')
	if echo "$out" | grep -Eq -- "$want"; then
		echo "PASS $name"
	else
		echo "FAIL $name: got: $out"; echo "     expected: $want"
		NBD_FAILS=$((NBD_FAILS + 1))
	fi
}

expect() {
	name=$1; shift
	if "$@"; then echo "PASS $name"; else echo "FAIL $name"; NBD_FAILS=$((NBD_FAILS + 1)); fi
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (5 s)
wait_port() {
	i=0
	while ! $PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; do
		i=$((i + 1)); [ $i -ge 50 ] && return 1; sleep 0.1
	done
}
