#!/bin/sh
# fetch engine against real nginx (http, https) on 127.0.0.1: whole file + sha256,
# mismatch, 404/403 fast failure, resume after a cut, server ignoring Range,
# retry deadline, 503 retried, .xz/.zst/.gz while streaming with bounded decoder memory,
# size pre-check, TLS (1.2 and 1.3, IP-literal URLs against IP-address SANs).
. "$(dirname "$0")/fetch/lib.sh"
trap fetch_cleanup EXIT
fetch_need nginx openssl xz zstd gzip ss

www=$FETCH_TMP/www
mkdir -p "$www"
head -c $((20 * 1024 * 1024 + 12345)) /dev/urandom > "$www/image.bin"
sum=$(sha256sum "$www/image.bin" | cut -d' ' -f1)
(cd "$www" && sha256sum image.bin > image.bin.sha256)
xz -T1 -0 -k "$www/image.bin"; zstd -q -k "$www/image.bin"; gzip -1 -k "$www/image.bin"
# a zstd file of two frames and a gzip file of two members
(zstd -q -c "$www/image.bin"; zstd -q -c "$www/image.bin") > "$www/double.bin.zst"
(gzip -1 -c "$www/image.bin"; gzip -1 -c "$www/image.bin") > "$www/double.bin.gz"
cat "$www/image.bin" "$www/image.bin" > "$FETCH_TMP/double.bin"
make_certs "$FETCH_TMP"
P=$(free_port); S=$(free_port); C=$(free_port); D=$(free_port)
start_nginx "$www" "$P" "$S" "$FETCH_TMP/server.pem" "$FETCH_TMP/server.key"
out=$FETCH_TMP/image.out
H=http://127.0.0.1:$P

check "http whole file + sha256" 0 "sha256=$sum" -- --sha256 "$sum" "$H/image.bin" "$out"
same "http output identical" "$www/image.bin" "$out"
check "http rd.live.checksum=sha256:" 0 "ok bytes" -- --checksum "sha256:$sum" "$H/image.bin" "$out"
check "http sha256=auto fetches .sha256" 0 "ok bytes" -- --sha256 auto "$H/image.bin" "$out"
bad=$(echo "$sum" | tr '0-9a-f' '1-9a-f0')
check "http sha256 mismatch refused" 1 "sha256 of .* is $sum, expected $bad.*EBADMSG" -- --sha256 "$bad" "$H/image.bin" "$out"
check "http 404 fails fast naming the status" 1 "HTTP 404 Not Found.*ENOENT" -- "$H/missing.iso" "$out"
expect "http 404 took under 2 s" [ "$CHECK_MS" -lt 2000 ]
check "http 403 fails fast" 1 "HTTP 403.*EACCES" -- "$H/forbidden/x" "$out"
check "http 503 retried until the deadline" 1 "event retry.*HTTP 503.*|giving up on .* attempts: HTTP 503" -- --retry 2 "$H/fail503/x" "$out"
grep -q "giving up on $H/fail503/x after .* s and [0-9]* attempts: HTTP 503" "$FETCH_TMP/out.txt" &&
	echo "PASS http 503 one line with URL, attempts, status" || { echo "FAIL 503 line"; FETCH_FAILS=$((FETCH_FAILS + 1)); }

# nothing listening: retries until rd.retry, then one line with attempts
check "refused: retries until the deadline" 1 "giving up on http://127.0.0.1:$D/x after [0-9]+ s and [0-9]+ attempts: .*onnect.*ETIMEDOUT" -- --retry 3 "http://127.0.0.1:$D/x" "$out"
expect "refused: gave up after 2.5..6 s" [ "$CHECK_MS" -ge 2500 -a "$CHECK_MS" -le 6000 ]

# a proxy that cuts the first connection after 5 MB: resume with Range
start_cutproxy "$C" "$P" 5000000 1 "$FETCH_TMP/cut.log"
check "cut mid-transfer: resumed with Range" 0 "event resume attempt=2 offset=[1-9][0-9]* total=$(stat -c %s "$www/image.bin")" -- --sha256 "$sum" "http://127.0.0.1:$C/image.bin" "$out"
same "cut: output identical" "$www/image.bin" "$out"
expect "cut: Range request was sent" grep -qi "^conn [0-9]*: range: bytes=[1-9][0-9]*-" "$FETCH_TMP/cut.log"
grep -q "resumes=1 restarts=0" "$FETCH_TMP/out.txt" && echo "PASS cut: stats resumes=1" || { echo "FAIL cut stats"; FETCH_FAILS=$((FETCH_FAILS + 1)); }

# same cut, the server ignores Range: start from zero, output identical
C1=$(free_port); start_cutproxy "$C1" "$P" 5000000 1 "$FETCH_TMP/cut1.log"
check "ignored Range: restarts from zero" 0 "event restart.*ignored the Range" -- --sha256 "$sum" "http://127.0.0.1:$C1/norange/image.bin" "$out"
same "ignored Range: output identical" "$www/image.bin" "$out"

# cut while decompressing: resume on the compressed stream, decoder state kept
for z in xz zst gz; do
	check "http .$z decompressed while streaming" 0 "ok bytes=$(stat -c %s "$www/image.bin.$z")" -- "$H/image.bin.$z" "$out"
	same "http .$z output identical" "$www/image.bin" "$out"
done
: > "$FETCH_TMP/cut.log"
C2=$(free_port); start_cutproxy "$C2" "$P" 3000000 1 "$FETCH_TMP/cut2.log"
check "cut .xz: resumed, decoder kept" 0 "event resume" -- "http://127.0.0.1:$C2/image.bin.xz" "$out"
same "cut .xz: output identical" "$www/image.bin" "$out"
C3=$(free_port); start_cutproxy "$C3" "$P" 3000000 1 "$FETCH_TMP/cut3.log"
check "cut .zst + ignored Range: decoder restarted" 0 "event restart" -- "http://127.0.0.1:$C3/norange/image.bin.zst" "$out"
same "cut .zst restart: output identical" "$www/image.bin" "$out"
for z in zst gz; do
	check "http two .$z frames/members" 0 "ok bytes" -- "$H/double.bin.$z" "$out"
	same "two .$z frames: output identical" "$FETCH_TMP/double.bin" "$out"
done
check "caller's own decompressor: not decompressed twice" 0 "ok bytes" -- --own-decomp "$H/image.bin.gz" "$out"
same "own decompressor: output identical" "$www/image.bin" "$out"
head -c 1000000 "$www/image.bin.xz" > "$www/trunc.bin.xz"
check "truncated .xz refused" 1 "xz stream is truncated" -- "$H/trunc.bin.xz" "$out"
cp "$www/image.bin" "$www/notgz.bin.gz"
check "not gzip data refused" 1 "compressed data is corrupt.*EBADMSG" -- "$H/notgz.bin.gz" "$out"
# decoder memory stays bounded whatever a header asks for (fetch/sink.h): valid streams of
# 64 MiB of zeros whose headers ask for a 1.5 GiB xz dictionary / a 2 GiB zstd window
$PY "$NETINIT_ROOT/tests/host/fetch/mkbomb.py" xz $((64 << 20)) "$www/bomb.bin.xz"
$PY "$NETINIT_ROOT/tests/host/fetch/mkbomb.py" zstd $((64 << 20)) "$www/bomb.bin.zst"
for z in xz zst; do
	check ".$z asking for more decoder memory than the limit: refused" 1 "bomb.bin.$z: out of memory decompressing; data is corrupt after 0 bytes" -- "$H/bomb.bin.$z" "$out"
done

# size pre-check before writing anything
rm -f "$out"; : > "$out"
check "size pre-check refused with both numbers" 1 "image is 20.0 MiB, 9.5 MiB of RAM available.*EFBIG" -- --mem-avail 10000000 "$H/image.bin" "$out"
expect "size pre-check wrote nothing" [ ! -s "$out" ]
check "size pre-check with reserve" 1 "image is 20.0 MiB, 4.8 MiB of RAM available \(4.8 MiB kept free\)" -- --mem-avail 10000000 --mem-reserve 5000000 "$H/image.bin" "$out"

# TLS: verified with our CA, refused with another, insecure warns
T=https://localhost:$S
check "https verified with --cacert" 0 "sha256=$sum" -- --curl-options "--cacert,$FETCH_TMP/ca.pem" "$T/image.bin" "$out"
same "https output identical" "$www/image.bin" "$out"
check "https wrong CA refused fast, one line" 1 "TLS: mbedTLS: The certificate is not correctly signed by the trusted CA for $T/image.bin .*EKEYREJECTED" -- --curl-options "--cacert=$FETCH_TMP/other-ca.pem" "$T/image.bin" "$out"
expect "https wrong CA took under 3 s" [ "$CHECK_MS" -lt 3000 ]
# an IP literal is matched against the certificate's IP-address SANs (mbedTLS >= 3.x; 2.28
# matched DNS names only): verified with IP:127.0.0.1, refused by name without it
check "https by IP literal verified by the IP SAN" 0 "sha256=$sum" -- --curl-options "--cacert,$FETCH_TMP/ca.pem" "https://127.0.0.1:$S/image.bin" "$out"
same "https by IP: output identical" "$www/image.bin" "$out"
N=$(free_port); start_nginx_tls "$N" "$FETCH_TMP/server-noip.pem" "$FETCH_TMP/server-noip.key" "$www" "TLSv1.2 TLSv1.3"
check "https by IP literal, certificate without that IP: refused" 1 "TLS: mbedTLS: The certificate Common Name \\(CN\\) does not match with the expected CN for https://127.0.0.1:$N/image.bin .*EKEYREJECTED" -- --curl-options "--cacert,$FETCH_TMP/ca.pem" "https://127.0.0.1:$N/image.bin" "$out"
check "https by name, same certificate: verified" 0 "sha256=$sum" -- --curl-options "--cacert,$FETCH_TMP/ca.pem" "https://localhost:$N/image.bin" "$out"
# TLS 1.3 (a server that speaks nothing else) and TLS 1.2 (nothing else) both negotiate
for v in 1.3 1.2; do
	V=$(free_port); start_nginx_tls "$V" "$FETCH_TMP/server.pem" "$FETCH_TMP/server.key" "$www" "TLSv$v"
	check "https to a TLSv$v-only server" 0 "sha256=$sum" -- --curl-options "--cacert,$FETCH_TMP/ca.pem" "https://localhost:$V/image.bin" "$out"
	expect "TLSv$v-only: the server logged TLSv$v" grep -q "^TLSv$v .*GET /image.bin" "$FETCH_TMP/nginx-tls-$V/tls.log"
done
check "https -k passes with a warning" 0 "event warning: TLS certificate verification is off" -- --curl-options "-k" "$T/image.bin" "$out"
check "https rd.noverifyssl passes with a warning" 0 "event warning: TLS" -- --insecure "$T/image.bin" "$out"
check "curl option not mapped stops with its name" 1 "curl option '--compressed' is not supported" -- --curl-options "-L,--compressed" "$T/image.bin" "$out"
check "curl options mapped: -H, -u, --limit-rate, -4, --connect-timeout" 0 "ok bytes" -- --curl-options "-H,X-Test: 1,-u,a:b,--limit-rate,100M,-4,--connect-timeout,5,--max-time,60,--retry,3,-L" "$H/image.bin" "$out"

# proxy= and --proxy: the URL's own port is closed, only the proxy can reach the file
X=$(free_port); start_nginx_proxy "$X" "$P"
check "proxy= is used" 0 "sha256=$sum" -- --proxy "http://127.0.0.1:$X" "http://127.0.0.1:$D/image.bin" "$out"
expect "proxy saw the request" grep -q "GET http://127.0.0.1:$D/image.bin" "$FETCH_TMP/nginx-proxy-$X/access.log"
check "--proxy in curl options is used" 0 "sha256=$sum" -- --curl-options "-x,http://127.0.0.1:$X" "http://127.0.0.1:$D/image.bin" "$out"

# progress: shown after the first second, at most 4 updates a second
check "progress events on a slow transfer" 0 "event progress  .* / 20.0 MiB  [0-9]+%  .*/s  ETA " -- --progress --curl-options "--limit-rate,8M" "$H/image.bin" "$out"
n=$(grep -c "event progress" "$FETCH_TMP/out.txt")
expect "progress: 1..$((CHECK_MS * 4 / 1000 + 1)) updates in $CHECK_MS ms (got $n)" [ "$n" -ge 1 -a "$n" -le $((CHECK_MS * 4 / 1000 + 1)) ]

[ "$FETCH_FAILS" = 0 ] || { echo "$FETCH_FAILS failed"; exit 1; }
