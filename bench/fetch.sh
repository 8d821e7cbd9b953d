#!/bin/sh
# Benchmark (not a test): the fetch engine vs the curl command line, same nginx on
# loopback, same file (1 GiB unless FETCH_BENCH_MB says otherwise), output discarded.
# Runs are interleaved; prints each median of FETCH_BENCH_RUNS (5) and the ratio of
# throughputs (engine / curl). Targets: >= 0.95 plain, >= 0.90 with sha256 on.
# For scale it also times "curl | sha256sum", the same work done with the command line.
set -u
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$NETINIT_ROOT/tests/host/fetch/lib.sh"
trap fetch_cleanup EXIT
fetch_need nginx curl
MB=${FETCH_BENCH_MB:-1024}
RUNS=${FETCH_BENCH_RUNS:-5}

www=$FETCH_TMP/www
mkdir -p "$www"
head -c $((MB * 1024 * 1024)) /dev/urandom > "$www/image.bin"
sum=$(sha256sum "$www/image.bin" | cut -d' ' -f1)
P=$(free_port)
start_nginx "$www" "$P"
URL=http://127.0.0.1:$P/image.bin
curl -s -o /dev/null "$URL"	# warm the page cache

ms() {	# command...: wall milliseconds, or exit on failure
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || { echo "benchmark command failed: $*" >&2; exit 1; }
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

c="" e="" h="" r=""
i=0
while [ $i -lt "$RUNS" ]; do
	c="$c $(ms curl -s -o /dev/null "$URL")"
	e="$e $(ms "$FETCHTOOL" --no-digest "$URL" -)"
	h="$h $(ms "$FETCHTOOL" --sha256 "$sum" "$URL" -)"
	r="$r $(ms sh -c "curl -s '$URL' | sha256sum")"
	i=$((i + 1))
done
mc=$(echo "$c" | median); me=$(echo "$e" | median); mh=$(echo "$h" | median); mr=$(echo "$r" | median)
rate() { awk -v mb="$MB" -v ms="$1" 'BEGIN { printf "%.0f MiB/s", mb * 1000 / ms }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "file: $MB MiB over http on 127.0.0.1, median of $RUNS; SHA extensions: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
echo "runs (ms): curl:$c | engine:$e | engine+sha256:$h | curl|sha256sum:$r"
echo "curl command line:  $mc ms  $(rate "$mc")"
echo "fetch engine:       $me ms  $(rate "$me")  ratio $(ratio "$mc" "$me") (target >= 0.95)"
echo "fetch engine+sha256: $mh ms  $(rate "$mh")  ratio $(ratio "$mc" "$mh") (target >= 0.90)"
echo "curl | sha256sum:   $mr ms  $(rate "$mr")  engine+sha256 vs this: ratio $(ratio "$mr" "$mh")"
