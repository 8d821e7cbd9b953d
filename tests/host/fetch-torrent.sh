#!/bin/sh
# BitTorrent transport (fetch/torrent.c) against real peers on 127.0.0.1: Debian's
# opentracker (HTTP and UDP announce) and aria2c as the seeder, ctorrent downloading from
# netinit's upload, web seed only (BEP 19, nginx), and lying peers (tests/host/fetch/badpeer.py):
# corrupt pieces (discarded, peer banned, finished from the web seed), an oversize message,
# a peer that never unchokes. mktorrent makes the metainfo with a web seed (-w).
. "$(dirname "$0")/fetch/lib.sh"
trap fetch_cleanup EXIT
fetch_need nginx opentracker aria2c mktorrent ctorrent ss

www=$FETCH_TMP/www
mkdir -p "$www" "$FETCH_TMP/seed" "$FETCH_TMP/ot"
head -c $((24 * 1024 * 1024 + 4321)) /dev/urandom > "$www/image.bin"
sum=$(sha256sum "$www/image.bin" | cut -d' ' -f1)
size=$(stat -c %s "$www/image.bin")
P=$(free_port); T=$(free_port); A=$(free_port); B=$(free_port)
start_nginx "$www" "$P"
H=http://127.0.0.1:$P
# one torrent with an HTTP tracker and a web seed, one with a UDP tracker only, one with
# a web seed only; 256 KiB pieces: 97 of them, the last one short
mktorrent -l 18 -a "http://127.0.0.1:$T/announce" -w "$H/image.bin" -o "$www/image.torrent" "$www/image.bin" > /dev/null
mktorrent -l 18 -a "udp://127.0.0.1:$T/announce" -o "$www/udp.torrent" "$www/image.bin" > /dev/null
mktorrent -l 18 -a "http://127.0.0.1:1/announce" -w "$H/" -o "$www/ws.torrent" "$www/image.bin" > /dev/null
mkdir -p "$FETCH_TMP/multi"; echo a > "$FETCH_TMP/multi/a"; echo b > "$FETCH_TMP/multi/b"
mktorrent -a "http://127.0.0.1:$T/announce" -o "$www/multi.torrent" "$FETCH_TMP/multi" > /dev/null
ih=$(aria2c -S "$www/image.torrent" | sed -n 's/^Info Hash: //p')
ih_udp=$(aria2c -S "$www/udp.torrent" | sed -n 's/^Info Hash: //p')
npieces=$(aria2c -S "$www/image.torrent" | sed -n 's/^The Number of Pieces: //p')
expect "metainfo: 97 pieces" [ "$npieces" = 97 ]

# opentracker (Debian builds it with a whitelist: -w names a file inside its -d chroot)
printf '%s\n%s\n' "$ih" "$ih_udp" > "$FETCH_TMP/ot/whitelist"
chmod 755 "$FETCH_TMP/ot"; chmod 644 "$FETCH_TMP/ot/whitelist"
opentracker -i 127.0.0.1 -p "$T" -P "$T" -d "$FETCH_TMP/ot" -w whitelist -u nobody > "$FETCH_TMP/ot.log" 2>&1 &
FETCH_PIDS="$FETCH_PIDS $!"
wait_port "$T"

# aria2c seeds both torrents from a checked copy, from its own address (127.0.0.3): ctorrent
# keeps one peer per IP address and drops the others it is given for that address, so with
# everyone on 127.0.0.1 and aria2c's entry (dead by then) before netinit's in the tracker's
# list, ctorrent never tried netinit's seeder below until its next announce, 30 min later
cp "$www/image.bin" "$FETCH_TMP/seed/"
aria2c --dir="$FETCH_TMP/seed" --seed-ratio=0 --seed-time=30 --check-integrity=true --enable-dht=false \
	--bt-enable-lpd=false --enable-peer-exchange=false --interface=127.0.0.3 --listen-port="$A" --quiet=true \
	"$www/image.torrent" "$www/udp.torrent" > "$FETCH_TMP/aria2.log" 2>&1 &
ARIA=$!
FETCH_PIDS="$FETCH_PIDS $ARIA"
wait_port "$A"
sleep 1	# its first announces are in

out=$FETCH_TMP/image.out
check "tracker + aria2c seeder, no web seed" 0 "ok torrent bytes=$size peers=$size webseed=0" -- \
	--no-webseed --port "$B" --sha256 "$sum" "torrent://127.0.0.1:$P/image.torrent" "$out"
same "tracker + seeder: output identical" "$www/image.bin" "$out"
check "UDP tracker (BEP 15) + aria2c seeder" 0 "ok torrent bytes=$size peers=$size webseed=0" -- \
	--no-webseed --port "$B" --sha256 "$sum" "torrent://127.0.0.1:$P/udp.torrent" "$out"
same "UDP tracker: output identical" "$www/image.bin" "$out"
check "rd.live.sha256 mismatch refused" 1 "sha256 of image.bin is $sum, expected .*EBADMSG" -- --no-webseed \
	--port "$B" --sha256 "$(echo "$sum" | tr '0-9a-f' '1-9a-f0')" "torrent://127.0.0.1:$P/image.torrent" "$out"

# web seed only: no tracker answers, no peer; compared with plain HTTP of the same file
"$FETCHTOOL" "$H/image.bin" "$out" > "$FETCH_TMP/http.txt" 2>&1
http_ms=$(sed -n 's/^ok .*ms=\([0-9]*\).*/\1/p' "$FETCH_TMP/http.txt")
check "web seed only (url-list directory + name)" 0 "ok torrent bytes=$size peers=0 webseed=$size" -- \
	--port "$B" --sha256 "$sum" "torrent://127.0.0.1:$P/ws.torrent" "$out"
same "web seed: output identical" "$www/image.bin" "$out"
ws_ms=$(sed -n 's/^ok torrent.* ms=\([0-9]*\).*/\1/p' "$FETCH_TMP/out.txt")
echo "INFO web seed only: ${ws_ms} ms, plain HTTP: ${http_ms} ms"
expect "web seed within 4x + 2 s of plain HTTP" [ "$ws_ms" -le $((4 * http_ms + 2000)) ]

# rd.live.start-delay: the transport waits its draw (seeded, as netinit seeds from the MAC)
# before it asks for the metainfo, then fetches as usual
check "start delay: waited, then fetched from the web seed" 0 "ok torrent bytes=$size peers=0 webseed=$size" -- \
	--start-delay-ms 3000 --seed 0x525400e2e001 --port "$B" --sha256 "$sum" "torrent://127.0.0.1:$P/ws.torrent" "$out"
delay=$(sed -n 's/^event wait delay_ms=\([0-9]*\)$/\1/p' "$FETCH_TMP/out.txt")
echo "INFO start delay drawn: ${delay:-none} ms of 3000, the whole fetch took $CHECK_MS ms"
expect "start delay: one wait drawn within the window" sh -c 'case $1 in ""|*[!0-9]*) exit 1;; esac; [ "$1" -lt 3000 ]' _ "$delay"
expect "start delay: the fetch took at least the wait" [ "$CHECK_MS" -ge "${delay:-0}" ]

# a peer that sends corrupt pieces: discarded, banned, the web seed finishes
C=$(free_port)
$PY "$NETINIT_ROOT/tests/host/fetch/badpeer.py" "$C" "$ih" "$npieces" "$FETCH_TMP/bad.log" corrupt &
FETCH_PIDS="$FETCH_PIDS $!"
wait_port "$C"
check "corrupt peer: banned, finished from the web seed" 0 "ok torrent bytes=$size peers=0 webseed=$size uploaded=0 bad=1 banned=1" -- \
	--no-trackers --peer "127.0.0.1:$C" --port "$B" --sha256 "$sum" "torrent://127.0.0.1:$P/image.torrent" "$out"
expect "corrupt peer: the ban names the peer and the piece" grep -q "peer 127.0.0.1:$C banned: piece [0-9]* failed its SHA-1" "$FETCH_TMP/out.txt"
expect "corrupt peer: it was asked for blocks" grep -q '^request ' "$FETCH_TMP/bad.log"
same "corrupt peer: output identical" "$www/image.bin" "$out"
# no web seed: the bad peer is all there is; banned, nothing else arrives: rd.retry ends it
check "corrupt peer, no web seed: gives up after rd.retry" 1 "no piece of image.bin arrived for 3 s .* 1 banned.*ETIMEDOUT" -- \
	--retry 3 --no-webseed --no-trackers --peer "127.0.0.1:$C" --port "$B" "torrent://127.0.0.1:$P/image.torrent" "$out"

O=$(free_port)
$PY "$NETINIT_ROOT/tests/host/fetch/badpeer.py" "$O" "$ih" "$npieces" "$FETCH_TMP/over.log" oversize &
FETCH_PIDS="$FETCH_PIDS $!"
wait_port "$O"
check "oversize message: peer dropped" 0 "peer 127.0.0.1:$O: oversize message: dropped" -- \
	--no-trackers --peer "127.0.0.1:$O" --port "$B" --sha256 "$sum" "torrent://127.0.0.1:$P/image.torrent" "$out"
same "oversize: output identical" "$www/image.bin" "$out"

S=$(free_port)
$PY "$NETINIT_ROOT/tests/host/fetch/badpeer.py" "$S" "$ih" "$npieces" "$FETCH_TMP/silent.log" silent &
FETCH_PIDS="$FETCH_PIDS $!"
wait_port "$S"
check "peer that never unchokes: the web seed takes over" 0 "ok torrent bytes=$size peers=0 webseed=$size" -- \
	--no-trackers --peer "127.0.0.1:$S" --port "$B" --webseed-idle-ms 1000 --sha256 "$sum" \
	"torrent://127.0.0.1:$P/image.torrent" "$out"
expect "silent peer: it was connected" grep -q '^connection' "$FETCH_TMP/silent.log"
expect "silent peer: waited the idle time first" [ "$CHECK_MS" -ge 1000 ]

check "multi-file torrent refused by name" 1 "multi-file torrents are not supported" -- \
	"torrent://127.0.0.1:$P/multi.torrent" "$out"

# upload: netinit seeds after completing (--seed-time: 45 s, since ctorrent can take more than
# 15 s to learn of it from the tracker and connect); it downloads from aria2c, then
# aria2c goes, so ctorrent (a real client) can only get the pieces from netinit
U=$(free_port)
"$FETCHTOOL" --no-webseed --port "$U" --seed-time 45 --sha256 "$sum" "torrent://127.0.0.1:$P/image.torrent" \
	"$FETCH_TMP/seeder.out" > "$FETCH_TMP/seeder.txt" 2>&1 &
SEEDER=$!
FETCH_PIDS="$FETCH_PIDS $SEEDER"
i=0; until cmp -s "$FETCH_TMP/seeder.out" "$www/image.bin" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
kill_tree "$ARIA"
mkdir -p "$FETCH_TMP/ct"
# (ctorrent skips peers at what it takes for its own address: -I gives it another one)
( cd "$FETCH_TMP/ct" && exec ctorrent -I 127.0.0.2 -e 0 -E 0 -p "$(free_port)" -b "$FETCH_TMP/ct/bf" \
	-s image.bin "$www/image.torrent" > "$FETCH_TMP/ctorrent.log" 2>&1 ) &
CT=$!
FETCH_PIDS="$FETCH_PIDS $CT"
i=0; until cmp -s "$FETCH_TMP/ct/image.bin" "$www/image.bin" || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
kill_tree "$CT"
same "ctorrent (a real client) got the whole image from netinit's upload" "$www/image.bin" "$FETCH_TMP/ct/image.bin"
wait "$SEEDER"	# its --seed-time ends
up=$(sed -n 's/^ok torrent.* uploaded=\([0-9]*\).*/\1/p' "$FETCH_TMP/seeder.txt")
echo "INFO netinit's seeder uploaded ${up:-?} bytes to ctorrent (the image is $size bytes)"
expect "netinit's seeder counted at least one image uploaded" [ "${up:-0}" -ge "$size" ]

[ "$FETCH_FAILS" = 0 ]
