#!/bin/sh
# Mirror lists (rd.live.mirror) and jitter (rd.live.start-delay, the retry backoff) in the
# fetch engine, against real nginx servers on 127.0.0.1:
# - the first source refuses, the second dies mid-transfer, the third is a copy with the
#   same ETag/Last-Modified: the transfer continues there with Range; output identical,
#   each source's share counted
# - a source whose file changed (same size, other ETag and Last-Modified) is not mixed in:
#   the transfer starts over there, the output is that source's whole file
# - a 404 from a mirror moves on; 404 everywhere is one line
# - 20 clients started at once with a 5 s start delay, each seeded like another machine:
#   their first requests spread over the window (measured at the server)
. "$(dirname "$0")/fetch/lib.sh"
trap fetch_cleanup EXIT
fetch_need nginx ss

a=$FETCH_TMP/a; b=$FETCH_TMP/b; c=$FETCH_TMP/c
mkdir -p "$a" "$b" "$c"
head -c $((12 * 1024 * 1024)) /dev/urandom > "$a/image.bin"
cp -p "$a/image.bin" "$b/image.bin"	# a mirror's copy: same size and mtime, so same ETag and Last-Modified
head -c $((12 * 1024 * 1024)) /dev/urandom > "$c/image.bin"	# the same name, another file
touch -d '2020-01-01' "$c/image.bin"
sum=$(sha256sum "$a/image.bin" | cut -d' ' -f1)
PA=$(free_port); PB=$(free_port); PC=$(free_port); DEAD=$(free_port)
start_nginx "$a" "$PA"; start_nginx "$b" "$PB"; start_nginx "$c" "$PC"
out=$FETCH_TMP/image.out

# refused -> dies after 4 MB -> a copy: resumed on the copy
X=$(free_port); start_cutproxy "$X" "$PA" 4000000 1 "$FETCH_TMP/x.log" exit
check "mirrors: refused, cut, then resumed on a copy" 0 "ok bytes=12582912 .*sha256=$sum src0=0 src1=[1-9][0-9]* src2=[1-9][0-9]*" -- \
	--sha256 "$sum" --retry 20 --mirror "http://127.0.0.1:$X/image.bin" --mirror "http://127.0.0.1:$PB/image.bin" \
	"http://127.0.0.1:$DEAD/image.bin" "$out"
same "mirrors: output identical" "$a/image.bin" "$out"
expect "mirrors: the copy was asked for a Range (a resume, not a restart)" grep -q "event resume attempt=[0-9]* offset=[1-9]" "$FETCH_TMP/out.txt"
expect "mirrors: no restart" sh -c "! grep -q 'event restart' '$FETCH_TMP/out.txt'"
expect "mirrors: the refused source was left at once (no backoff before the second)" grep -q "event retry attempt=1 delay_ms=0 " "$FETCH_TMP/out.txt"

# dies after 4 MB -> another file of the same size: starts over there, not mixed
Y=$(free_port); start_cutproxy "$Y" "$PA" 4000000 1 "$FETCH_TMP/y.log" exit
check "mirrors: a changed file is not mixed in" 0 "ok bytes=12582912 .*src0=0 src1=12582912" -- \
	--retry 20 --mirror "http://127.0.0.1:$PC/image.bin" "http://127.0.0.1:$Y/image.bin" "$out"
same "mirrors: the output is the other source's whole file" "$c/image.bin" "$out"
expect "mirrors: the restart names why" grep -q "event restart.*not known to be the same file" "$FETCH_TMP/out.txt"

# 404 on the first source: the next one; 404 everywhere: one line, at once
check "mirrors: a 404 moves on" 0 "ok bytes=12582912 .*src0=0 src1=12582912" -- \
	--mirror "http://127.0.0.1:$PB/image.bin" "http://127.0.0.1:$PA/missing.bin" "$out"
check "mirrors: 404 everywhere is one line" 1 "HTTP 404 Not Found from http://127.0.0.1:$PA/missing.bin \(and every mirror refused too\).*ENOENT" -- \
	--mirror "http://127.0.0.1:$PB/missing.bin" "http://127.0.0.1:$PA/missing.bin" "$out"
expect "mirrors: 404 everywhere took under 2 s" [ "$CHECK_MS" -lt 2000 ]

# 20 machines at once, rd.live.start-delay=5: the first requests spread over the window
H=$(free_port); : > "$FETCH_TMP/h.log"
$PY "$NETINIT_ROOT/tests/e2e/tools/hostile.py" "$H" "$a" "$FETCH_TMP/h.log" &
FETCH_PIDS="$FETCH_PIDS $!"
wait_port "$H"
i=0; pids=""
while [ $i -lt 20 ]; do
	"$FETCHTOOL" --start-delay-ms 5000 --seed $((0x525400e20000 + i * 7919)) "http://127.0.0.1:$H/ok/image.bin" - \
		> "$FETCH_TMP/j$i.out" 2>&1 &
	pids="$pids $!"; i=$((i + 1))
done
for p in $pids; do wait "$p"; done
ok=$(cat "$FETCH_TMP"/j*.out | grep -c '^ok bytes=12582912')
expect "jitter: all 20 clients fetched the image ($ok)" [ "$ok" = 20 ]
spread=$(awk '{print $NF}' "$FETCH_TMP/h.log" | sort -n | awk 'NR==1 {a=$1} {b=$1} END {printf "%d", (b - a) * 1000}')
distinct=$(cat "$FETCH_TMP"/j*.out | sed -n 's/^event wait delay_ms=\([0-9]*\)$/\1/p' | sort -u | wc -l)
busiest=$(awk '{print int($NF)}' "$FETCH_TMP/h.log" | sort | uniq -c | sort -rn | awk 'NR==1 {print $1}')
echo "  jitter: first requests spread over $spread ms of a 5000 ms window; $distinct distinct waits; at most $busiest requests in one second"
expect "jitter: the requests spread over at least 2 s of the 5 s window" [ "$spread" -ge 2000 ]
expect "jitter: 20 machines drew at least 15 different waits" [ "$distinct" -ge 15 ]
expect "jitter: no second got more than 10 of the 20 requests" [ "$busiest" -le 10 ]

[ "$FETCH_FAILS" = 0 ] || { echo "$FETCH_FAILS failed"; exit 1; }
