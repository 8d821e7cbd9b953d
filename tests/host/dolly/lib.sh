# Shared helpers for dolly chains in network namespaces (sourced by tests/host/fetch-dolly.sh,
# tests/e2e/cases/*dolly*.sh and bench/fleet.sh). The real dolly (openSUSE's, GPL-3.0, a test
# peer only: never linked into or shipped with netinit) is built from
# /work/shared/peers/dolly-*.tar.gz (or $DOLLY_TARBALL) into $NETINIT_BUILD/peers/.
# dolly listens on fixed ports (9997/9998), so every chain member gets its own namespace.
# (the workplace's shared/ folder beside the checkout, or at /work/shared for a clone elsewhere)
DOLLY_TARBALL=${DOLLY_TARBALL:-$(ls "$NETINIT_ROOT"/../shared/peers/dolly-*.tar.gz \
	"$NETINIT_ROOT"/../../shared/peers/dolly-*.tar.gz /work/shared/peers/dolly-*.tar.gz 2>/dev/null | head -n1)}
DOLLY_NS=""

# dolly_build: $DOLLY is the built binary, or exit 77 when it cannot be built.
dolly_build() {
	[ -n "$DOLLY_TARBALL" ] && [ -f "$DOLLY_TARBALL" ] || { echo "SKIP: no dolly source tarball (DOLLY_TARBALL)"; exit 77; }
	[ -f /usr/include/openssl/evp.h ] || { echo "SKIP: libssl-dev missing (tools/packages/dolly.txt)"; exit 77; }
	d=$NETINIT_BUILD/peers/$(basename "$DOLLY_TARBALL" .tar.gz)
	DOLLY=$d/dolly
	if [ ! -x "$DOLLY" ]; then
		mkdir -p "$NETINIT_BUILD/peers"
		tar xzf "$DOLLY_TARBALL" -C "$NETINIT_BUILD/peers" || exit 1
		make -C "$d" -j2 >"$d.build.log" 2>&1 || { echo "FAIL: building dolly (see $d.build.log)"; exit 1; }
	fi
}

# dolly_net PREFIX N: a bridge in namespace ${PREFIX}h and N namespaces ${PREFIX}0..N-1 on it,
# node i at 10.97.0.(i+1)/24 (add more later with dolly_node).
dolly_net() {
	DOLLY_P=$1
	ip netns add "${DOLLY_P}h" || return 1
	DOLLY_NS="${DOLLY_P}h"
	ip -n "${DOLLY_P}h" link add br0 type bridge
	ip -n "${DOLLY_P}h" link set br0 up
	i=0
	while [ "$i" -lt "$2" ]; do dolly_node "$i" || return 1; i=$((i + 1)); done
}

dolly_node() {	# I: namespace ${DOLLY_P}I at 10.97.0.(I+1)
	ns=${DOLLY_P}$1
	ip netns add "$ns" || return 1
	DOLLY_NS="$DOLLY_NS $ns"
	ip -n "$ns" link add eth0 type veth peer name "v$1" netns "${DOLLY_P}h"
	ip -n "${DOLLY_P}h" link set "v$1" master br0 up
	ip -n "$ns" addr add "10.97.0.$(($1 + 1))/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
}

dolly_addr() { echo "10.97.0.$(($1 + 1))"; }

dolly_cleanup() {
	for ns in $DOLLY_NS; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	for ns in $DOLLY_NS; do ip netns del "$ns" 2>/dev/null; done
	DOLLY_NS=""
}

# dolly_tab FILE INFILE OUTFILE HOST...: a dollytab as the server reads (and sends) it.
# OUTFILE is created empty here: a dolly client takes any output path that sorts before
# "/dev/" (strcmp("/dev/", name) > 0 in its open_outfile, e.g. a checkout under /check or
# /build) for a device and opens it without O_CREAT, so it would exit "No such file or
# directory" before the stream (the chain members here share one file system).
dolly_tab() {
	f=$1 in=$2 out=$3
	shift 3
	: > "$out"
	{ echo "infile $in"; echo "outfile $out"; for h in "$@"; do echo "$h"; done; echo endconfig; } > "$f"
}

# dolly_wait_listen NODE: until something listens on TCP 9997 in that namespace
dolly_wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		ip netns exec "${DOLLY_P}$1" ss -Hltn 'sport = :9997' 2>/dev/null | grep -q . && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "nothing listens on 9997 in ${DOLLY_P}$1" >&2
	return 1
}
