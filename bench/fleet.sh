#!/bin/bash
# Benchmark (not a test): a fleet booting at once, on one machine. N clients, each the
# fetch engine built as a host program (tests/host/fetch/fetchtool, live images) or the
# OCI puller (tests/host/oci/ociunpack, registry pulls), each in its own network
# namespace on one Linux bridge; every link shaped with tc tbf. Set-ups:
#   origin    clients -> nginx on the origin (a generated image of FLEET_MB MiB)
#   cache     clients -> nginx cache (proxy_cache_lock on, own namespace) -> origin
#   registry  clients -> docker-registry on the origin (a one-layer image of FLEET_MB MiB)
#   mirror    clients -> docker-registry in pull-through mode (proxy: remoteurl:) -> origin
#   dolly     a dolly chain (KIWI's root=live:dolly:): the real dolly server on the origin sends
#             to client 1, each client (netinit's fetch/dolly.c in fetchtool) forwards to the next
#   torrent   root=live:torrent://: the metainfo and the web seed (url-list) on the origin's nginx,
#             opentracker on the origin, one seeder (fetchtool, on the cache's host and link) that
#             got the image from the web seed before the runs; each client (fetchtool's
#             BitTorrent transport) stops serving when its image is complete (rd.live.torrent.seed=0)
#   torrent-seed  the same, each client forking its seeder when complete (rd.live.torrent.seed=
#             FLEET_TIMEOUT, fetchtool --seed-after): it keeps serving the rest of the row
#             "after boot"; completion is still the client's own exit. For both, a row at the
#             largest N starts the clients spread over FLEET_DELAY s (rd.live.start-delay, as
#             in the other rows), so the early ones are done when the late ones ask: only with
#             seeding after boot can they serve them
# For each set-up and each N in FLEET_NS (all clients released at the same instant) it
# prints one row: bytes the origin sent (tx_bytes of its veth) per client as a fraction
# of the image size, p50/p99/max completion time (from the common start), failures,
# retries (fetchtool's attempts - 1; ociunpack's "retrying in" warnings). A start-delay
# row (at the largest N) is added when the fetchtool binary has FLEET_DELAY_OPT (item 2 of issue 14).
# Everything (namespaces, bridge, daemons, tmpfs) is removed on exit; addresses are
# 10.213.0.0/16 inside the benchmark's own namespaces only.
#   bench/fleet.sh            environment: FLEET_NS="1 8 32" FLEET_MB=64 FLEET_SETUPS=
#   "origin cache registry mirror dolly torrent torrent-seed" FLEET_CLIENT_MBIT=1000 FLEET_UPLINK_MBIT=1000 (the origin)
#   FLEET_CACHE_MBIT=FLEET_UPLINK_MBIT (the cache's and the mirror's link)
#   FLEET_DELAY=10 (s, the start-delay window) FLEET_DELAY_OPT=--start-delay-ms FLEET_TIMEOUT=900
#   FLEET_FETCHTOOL=PATH: use that fetchtool build instead of building this tree's
#   FLEET_KEEP=1 keeps the work directory (client outputs, daemon logs at level info)
set -u
NETINIT_ROOT=$(cd "$(dirname "$0")/.." && pwd)
NS_LIST=${FLEET_NS:-1 8 32}
MB=${FLEET_MB:-64}
SETUPS=${FLEET_SETUPS:-origin cache registry mirror dolly torrent torrent-seed}
CMBIT=${FLEET_CLIENT_MBIT:-1000}
UMBIT=${FLEET_UPLINK_MBIT:-1000}
KMBIT=${FLEET_CACHE_MBIT:-$UMBIT}	# the cache's (and mirror's) link
DELAY=${FLEET_DELAY:-10}
DELAY_OPT=${FLEET_DELAY_OPT:---start-delay-ms}
TIMEOUT=${FLEET_TIMEOUT:-900}
NICE="nice -n 10"

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "fleet: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip tc nginx musl-gcc; do command -v $t >/dev/null || skip "$t missing (tools/packages/fleet.txt)"; done
case " $SETUPS " in *" registry "*|*" mirror "*)
	for t in docker-registry umoci skopeo; do command -v $t >/dev/null || skip "$t missing (tools/packages/fleet.txt)"; done;;
esac
# dolly (openSUSE's, a test peer built from its source tarball; tests/host/dolly/lib.sh)
DOLLY=""
case " $SETUPS " in *" dolly "*)
	NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
	. "$NETINIT_ROOT/tests/host/dolly/lib.sh"
	if (dolly_build >/dev/null); then dolly_build; else
		echo "fleet: no dolly rows: $(dolly_build | head -n 1)"; SETUPS=$(echo " $SETUPS " | sed 's/ dolly / /'); fi;;
esac
case " $SETUPS " in *" torrent"*)
	for t in opentracker mktorrent aria2c; do
		command -v $t >/dev/null && continue
		echo "fleet: no BitTorrent rows: $t missing (tools/packages/torrent.txt)"
		SETUPS=$(echo " $SETUPS " | sed 's/ torrent-seed / /; s/ torrent / /'); break
	done;;
esac
ip netns add fleet-probe-$$ 2>/dev/null || skip "cannot create network namespaces"
ip netns del fleet-probe-$$

MAXN=0
for n in $NS_LIST; do [ "$n" -gt "$MAXN" ] && MAXN=$n; done
[ "$MAXN" -ge 1 ] && [ "$MAXN" -le 250 ] || die "FLEET_NS: 1..250 clients"

W=$(mktemp -d /tmp/netinit-fleet.XXXXXX)
chmod 755 "$W"
P=fl$$			# namespace prefix: $P-hub (the bridge), $P-o origin, $P-k cache, $P-cI clients
PIDS=""
cleanup() {
	trap - EXIT INT TERM
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	# anything still running inside our namespaces (clients of an interrupted run)
	for n in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	mountpoint -q "$W/roots" && umount "$W/roots"
	if [ -n "${FLEET_KEEP:-}" ]; then echo "fleet: logs kept in $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inns() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }

# ---- the network: one bridge in $P-hub, one veth pair per host, tbf on both ends
burst() { echo $(( $1 * 1000000 / 8 / 100 )); }	# 10 ms at MBIT, in bytes
shape() {	# NS DEV MBIT
	ip -n "$1" link set "$2" txqueuelen 1000
	tc -n "$1" qdisc add dev "$2" root tbf rate "${3}mbit" burst "$(burst "$3")" latency 50ms || die "tc on $1/$2"
}
ip netns add "$P-hub" || die "ip netns add"
ip -n "$P-hub" link set lo up
ip -n "$P-hub" link add br0 type bridge || die "bridge"
ip -n "$P-hub" link set br0 up
addhost() {	# NAME ADDR MBIT
	ip netns add "$P-$1" || die "ip netns add $P-$1"
	ip -n "$P-hub" link add "h-$1" type veth peer name eth0 netns "$P-$1" || die "veth for $1"
	ip -n "$P-hub" link set "h-$1" master br0 up
	ip -n "$P-$1" link set lo up
	ip -n "$P-$1" addr add "$2/16" dev eth0
	ip -n "$P-$1" link set eth0 up
	shape "$P-$1" eth0 "$3"		# what the host sends
	shape "$P-hub" "h-$1" "$3"	# what it receives
}
ORIGIN=10.213.0.1 CACHE=10.213.0.2
addhost o $ORIGIN "$UMBIT"
addhost k $CACHE "$KMBIT"
i=1
while [ $i -le "$MAXN" ]; do
	addhost c$i 10.213.1.$i "$CMBIT"
	i=$((i + 1))
done

# ---- the clients' programs, built from the tree's fetch/ and oci/ sources
FETCHTOOL=${FLEET_FETCHTOOL:-$W/fetchtool} OCIUNPACK=$W/ociunpack
[ -n "${FLEET_FETCHTOOL:-}" ] || $NICE sh "$NETINIT_ROOT/tests/host/fetch/build.sh" "$FETCHTOOL" || die "building fetchtool"
case " $SETUPS " in *" registry "*|*" mirror "*)
	$NICE sh "$NETINIT_ROOT/tests/host/oci/build.sh" "$OCIUNPACK" || die "building ociunpack";;
esac
# the start delay (issue 14 item 2) and the per-machine seed, when this fetchtool has them
HAVE_DELAY=no HAVE_SEED=no
grep -qa -- "$DELAY_OPT" "$FETCHTOOL" && HAVE_DELAY=yes
grep -qa -- "--seed" "$FETCHTOOL" && HAVE_SEED=yes

wait_http() {	# NS URL
	for _ in $(seq 100); do
		inns "$1" curl -fsS -o /dev/null "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---- origin: nginx with the image
mkdir -p "$W/www" "$W/nginx-o/tmp" "$W/nginx-k/tmp" "$W/cache"
head -c $((MB * 1024 * 1024)) /dev/urandom > "$W/www/image.bin"
SIZE=$(stat -c %s "$W/www/image.bin")
SUM=$(sha256sum "$W/www/image.bin" | cut -d' ' -f1)
nginx_conf() {	# DIR SERVER-BLOCK-BODY
	cat > "$1/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $1/tmp; proxy_temp_path $1/tmp; fastcgi_temp_path $1/tmp;
	uwsgi_temp_path $1/tmp; scgi_temp_path $1/tmp;
	sendfile on;
	default_type application/octet-stream;
	$2
}
CONF
}
nginx_conf "$W/nginx-o" "server { listen 8080; root $W/www; }"
ip netns exec "$P-o" nginx -c "$W/nginx-o/nginx.conf" -p "$W/nginx-o" 2>"$W/nginx-o/stderr" &
PIDS="$PIDS $!"
# the cache: every request a run makes carries ?run=ID, so each run starts with a cold cache;
# proxy_cache_lock makes concurrent misses for one key wait for the single upstream fetch
nginx_conf "$W/nginx-k" "proxy_cache_path $W/cache levels=1:2 keys_zone=fleet:10m max_size=20g inactive=1h use_temp_path=off;
	server { listen 8080; location / {
		proxy_pass http://$ORIGIN:8080; proxy_http_version 1.1;
		proxy_cache fleet; proxy_cache_valid 200 1h;
		proxy_cache_lock on; proxy_cache_lock_timeout 15m; proxy_cache_lock_age 15m; } }"
ip netns exec "$P-k" nginx -c "$W/nginx-k/nginx.conf" -p "$W/nginx-k" 2>"$W/nginx-k/stderr" &
PIDS="$PIDS $!"
wait_http c1 "http://$ORIGIN:8080/image.bin?probe" || die "origin nginx: $(cat "$W/nginx-o/stderr" "$W/nginx-o/error.log")"
wait_http c1 "http://$CACHE:8080/image.bin?probe" || die "cache nginx: $(cat "$W/nginx-k/stderr" "$W/nginx-k/error.log")"

# ---- BitTorrent: the metainfo beside the image, opentracker on the origin, one seeder
TORRENT_URL=torrent://$ORIGIN:8080/image.bin.torrent
case " $SETUPS " in *" torrent"*)
	mktorrent -l 20 -a "http://$ORIGIN:6969/announce" -w "http://$ORIGIN:8080/image.bin" \
		-o "$W/www/image.bin.torrent" "$W/www/image.bin" >/dev/null || die "mktorrent"
	mkdir -p "$W/ot"
	aria2c -S "$W/www/image.bin.torrent" | sed -n 's/^Info Hash: //p' > "$W/ot/whitelist"
	chmod 755 "$W/ot"; chmod 644 "$W/ot/whitelist"
	ip netns exec "$P-o" opentracker -i "$ORIGIN" -p 6969 -P 6969 -d "$W/ot" -w whitelist -u nobody \
		> "$W/ot/log" 2>&1 &
	PIDS="$PIDS $!"
	# the seeder: gets the image from the web seed (before any run is counted), then serves
	ip netns exec "$P-k" "$FETCHTOOL" --quiet --seed-time 100000 --sha256 "$SUM" "$TORRENT_URL" \
		"$W/seeder.bin" > "$W/seeder.out" 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 1200); do cmp -s "$W/seeder.bin" "$W/www/image.bin" && break; sleep 0.1; done
	cmp -s "$W/seeder.bin" "$W/www/image.bin" || die "the seeder did not get the image: $(cat "$W/seeder.out")"
	sleep 1;;	# its completed announce
esac

# ---- registries: the origin's, and a pull-through one started fresh per run
registry_conf() {	# DIR [REMOTE]
	mkdir -p "$1"
	{
		printf 'version: 0.1\nlog:\n  level: %s\n' "$([ -n "${FLEET_KEEP:-}" ] && echo info || echo error)"; printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n' "$1"
		printf 'http:\n  addr: 0.0.0.0:5000\n'
		[ -n "${2:-}" ] && printf 'proxy:\n  remoteurl: %s\n' "$2"
	} > "$1/config.yml"
}
IMGBYTES=0 MIRROR_PID=""
if [ -x "$OCIUNPACK" ]; then
	registry_conf "$W/reg-o"
	ip netns exec "$P-o" docker-registry serve "$W/reg-o/config.yml" > "$W/reg-o/log" 2>&1 &
	PIDS="$PIDS $!"
	# a one-layer image: FLEET_MB MiB of random data (incompressible, so the blob is about that)
	lay=$W/oci/layout
	mkdir -p "$W/oci"
	umoci init --layout "$lay" && umoci new --image "$lay:latest" &&
		umoci unpack --image "$lay:latest" "$W/oci/bundle" >/dev/null || die "umoci"
	cp "$W/www/image.bin" "$W/oci/bundle/rootfs/image.bin"
	$NICE umoci repack --image "$lay:latest" "$W/oci/bundle" >/dev/null || die "umoci repack"
	umoci gc --layout "$lay"
	rm -rf "$W/oci/bundle"
	IMGBYTES=$(find "$lay/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	wait_http o "http://127.0.0.1:5000/v2/" || die "registry: $(cat "$W/reg-o/log")"
	inns o skopeo copy -q --dest-tls-verify=false "oci:$lay:latest" "docker://127.0.0.1:5000/fleet/img:latest" ||
		die "skopeo copy"
	mkdir -p "$W/roots"
	mount -t tmpfs -o size=$(( (MAXN * (MB + 8)) + 64 ))m tmpfs "$W/roots" || die "tmpfs"
fi
start_mirror() {
	[ -n "$MIRROR_PID" ] && { kill "$MIRROR_PID"; wait "$MIRROR_PID" 2>/dev/null; }	# a cold mirror per run
	rm -rf "$W/reg-k"
	registry_conf "$W/reg-k" "http://$ORIGIN:5000"
	ip netns exec "$P-k" docker-registry serve "$W/reg-k/config.yml" > "$W/reg-k/log" 2>&1 &
	MIRROR_PID=$!
	PIDS="$PIDS $MIRROR_PID"
	wait_http k "http://127.0.0.1:5000/v2/" && kill -0 "$MIRROR_PID" || die "mirror registry: $(cat "$W/reg-k/log")"
}

# ---- one client, released by the FIFO: writes START END RC into its directory
cat > "$W/client.sh" <<'EOS'
#!/bin/bash
dir=$1 fifo=$2; shift 2
: > "$dir/ready"
read -r _ < "$fifo"
"$@" > "$dir/out" 2> "$dir/err"
echo "$? $(date +%s%N)" > "$dir/result"
EOS

otx() { inns o cat /sys/class/net/eth0/statistics/tx_bytes; }

RUN=0
run() {	# SETUP N DELAY(0|1): one row
	local setup=$1 n=$2 jit=$3
	RUN=$((RUN + 1))
	R=$W/run$RUN
	mkdir -p "$R"
	fifo=$R/go
	mkfifo "$fifo"
	[ "$setup" = mirror ] && start_mirror
	case $setup in registry|mirror) ref=$IMGBYTES;; *) ref=$SIZE;; esac
	extra=()
	[ "$jit" = 1 ] && extra=("$DELAY_OPT" $((DELAY * 1000)))
	cpids=""
	i=1
	while [ $i -le "$n" ]; do
		d=$R/c$i
		mkdir -p "$d"
		seed=()	# as netinit seeds from the boot NIC's MAC
		[ "$HAVE_SEED" = yes ] && seed=(--seed "0x$(inns c$i cat /sys/class/net/eth0/address | tr -d :)")
		case $setup in
		origin) cmd=("$FETCHTOOL" --quiet "${extra[@]}" "${seed[@]}" --sha256 "$SUM" "http://$ORIGIN:8080/image.bin" -);;
		cache) cmd=("$FETCHTOOL" --quiet "${extra[@]}" "${seed[@]}" --sha256 "$SUM" "http://$CACHE:8080/image.bin?run=$RUN" -);;
		registry) cmd=("$OCIUNPACK" -k "docker://$ORIGIN:5000/fleet/img:latest" "$W/roots/c$i");;
		mirror) cmd=("$OCIUNPACK" -k "docker://$CACHE:5000/fleet/img:latest" "$W/roots/c$i");;
		dolly) cmd=("$FETCHTOOL" --quiet --retry 60 --sha256 "$SUM" dolly: -);;
		torrent) cmd=("$FETCHTOOL" --quiet "${extra[@]}" "${seed[@]}" --sha256 "$SUM" "$TORRENT_URL" "$d/image.bin");;
		torrent-seed) cmd=("$FETCHTOOL" --quiet "${extra[@]}" "${seed[@]}" --seed-after "$TIMEOUT" --sha256 "$SUM" "$TORRENT_URL" "$d/image.bin");;
		esac
		case $setup in registry|mirror) rm -rf "$W/roots/c$i"; mkdir -p "$W/roots/c$i";; esac
		ip netns exec "$P-c$i" $NICE timeout "$TIMEOUT" bash "$W/client.sh" \
			"$d" "$fifo" "${cmd[@]}" &
		cpids="$cpids $!"
		i=$((i + 1))
	done
	for _ in $(seq 600); do
		[ "$(ls "$R"/c*/ready 2>/dev/null | wc -l)" -eq "$n" ] && break
		sleep 0.05
	done
	tx0=$(otx)
	exec 9<> "$fifo"	# releases every client blocked opening the FIFO ...
	sleep 0.3
	t0=$(date +%s%N)
	exec 9>&-		# ... and its close (EOF) starts them all at once
	spid=""
	if [ "$setup" = dolly ]; then
		# the chain: once every client listens, the server on the origin sends to the first
		{ echo "infile $W/www/image.bin"; echo "outfile /tmp/fleet-dolly.out"
		  i=1; while [ $i -le "$n" ]; do echo "10.213.1.$i"; i=$((i + 1)); done; echo endconfig; } > "$R/tab"
		i=1
		while [ $i -le "$n" ]; do
			for _ in $(seq 200); do inns c$i ss -Hltn 'sport = :9997' | grep -q . && break; sleep 0.05; done
			i=$((i + 1))
		done
		inns o $NICE timeout "$TIMEOUT" "$DOLLY" -v -r 50 -s -f "$R/tab" > "$R/server.txt" 2>&1 < /dev/null &
		spid=$!
	fi
	for p in $cpids; do wait "$p"; done
	if [ -n "$spid" ]; then
		wait "$spid"
		grep -q "Transfert to all client nodes done" "$R/server.txt" ||
			{ echo "  dolly server: no acknowledgement from the chain:"; tail -n 3 "$R/server.txt" | sed 's/^/    /'; }
	fi
	# a pull-through registry may still be storing what it streamed: count until the origin is quiet
	tx1=$(otx)
	for _ in $(seq 120); do
		sleep 0.5
		t=$(otx)
		[ "$t" = "$tx1" ] && break
		tx1=$t
	done
	fails=0 retries=0 times=""
	i=1
	while [ $i -le "$n" ]; do
		d=$R/c$i
		if [ -s "$d/result" ]; then read -r rc end < "$d/result"; else rc=124 end=$(date +%s%N); fi
		times="$times $(( (end - t0) / 1000000 ))"
		case $setup in
		origin|cache|dolly)
			a=$(sed -n 's/^ok .*attempts=\([0-9]*\).*/\1/p' "$d/out")
			[ "$rc" = 0 ] && grep -q "sha256=$SUM" "$d/out" || fails=$((fails + 1))
			# attempts - 1 when it finished, else the retries it announced
			if [ -n "$a" ]; then retries=$((retries + a - 1))
			else retries=$((retries + $(grep -c '^event retry' "$d/err"))); fi;;
		torrent|torrent-seed)	# the sha256 is checked inside (--sha256): rc says it
			[ "$rc" = 0 ] && grep -q '^ok torrent' "$d/out" || fails=$((fails + 1));;
		registry|mirror)
			[ "$rc" = 0 ] && cmp -s "$W/roots/c$i/image.bin" "$W/www/image.bin" || fails=$((fails + 1))
			retries=$((retries + $(grep -c 'retrying in' "$d/err")))
			rm -rf "$W/roots/c$i";;
		esac
		i=$((i + 1))
	done
	pct() { echo "$times" | tr ' ' '\n' | grep . | sort -n |
		awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; print v[i] }'; }
	label=$setup
	[ "$jit" = 1 ] && label="$setup+delay${DELAY}s"
	awk -v l="$label" -v n="$n" -v b=$((tx1 - tx0)) -v ref="$ref" -v p50="$(pct 50)" -v p99="$(pct 99)" \
		-v mx="$(pct 100)" -v f="$fails" -v r="$retries" \
		'BEGIN { printf "%-22s %4d %10.3f %9.2f %9.2f %9.2f %6d %7d\n", l, n, b / n / ref, p50 / 1000, p99 / 1000, mx / 1000, f, r }'
	[ "$fails" -gt 0 ] && { echo "  first failure:"; for d in "$R"/c*; do
		grep -q '^ok\|^unpacked' "$d/out" 2>/dev/null || { tail -n 2 "$d/out" "$d/err" 2>/dev/null | sed 's/^/    /'; break; }
	done; }
	if [ "$setup" = torrent-seed ]; then	# the row's seeders "after boot" end with it
		i=1
		while [ $i -le "$n" ]; do
			for p in $(ip netns pids "$P-c$i" 2>/dev/null); do kill "$p" 2>/dev/null; done
			i=$((i + 1))
		done
		sleep 1
	fi
	rm -f "$fifo" "$R"/c*/image.bin
}

echo "fleet: image $MB MiB (live: $SIZE bytes; OCI: $IMGBYTES bytes of blobs), client links ${CMBIT} Mbit/s, cache link ${KMBIT} Mbit/s," \
	"server uplinks ${UMBIT} Mbit/s (tbf), $(nproc) CPUs; completion = from the common start to the client's exit"
echo "origin/client: bytes the origin's veth sent in the run, per client, over the image size"
printf '%-22s %4s %10s %9s %9s %9s %6s %7s\n' setup N origin/cl p50_s p99_s max_s fail retries
for setup in $SETUPS; do
	for n in $NS_LIST; do
		if [ "$setup" = dolly ] && [ "$n" -gt 16 ]; then
			# dolly's server refuses more (MAXFANOUT in dolly.c): "Too many clients (17), max is 16."
			printf '%-22s %4d %s\n' dolly "$n" "  (not run: dolly's server takes at most 16 hosts)"
			continue
		fi
		run "$setup" "$n" 0
	done
	case $setup in origin|cache)
		if [ "$HAVE_DELAY" = yes ]; then
			run "$setup" "$MAXN" 1
		fi;;
	torrent|torrent-seed)	# boots spread over FLEET_DELAY s: the early ones have finished
		run "$setup" "$MAXN" 1;;
	esac
done
[ "$HAVE_DELAY" = yes ] || echo "start delay: TODO, not measured: fetchtool has no $DELAY_OPT option in this tree (issue 14 item 2)"
