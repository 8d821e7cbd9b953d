#!/bin/sh
# fetch engine against real vsftpd (ftp), tftpd-hpa (tftp) and file:// on 127.0.0.1:
# whole file + sha256, not found fails fast, decompression, size pre-check (tftp tsize),
# ftp resume with REST after the server went away, and a block-device sink (loop).
. "$(dirname "$0")/fetch/lib.sh"
trap fetch_cleanup EXIT
fetch_need vsftpd in.tftpd xz gzip ss

srv=$FETCH_TMP/srv
mkdir -p "$srv"
chmod 755 "$srv"
head -c $((6 * 1024 * 1024 + 777)) /dev/urandom > "$srv/image.bin"
sum=$(sha256sum "$srv/image.bin" | cut -d' ' -f1)
xz -T1 -0 -k "$srv/image.bin"; gzip -1 -k "$srv/image.bin"
chmod 644 "$srv"/*
out=$FETCH_TMP/image.out
size=$(stat -c %s "$srv/image.bin")

# ---- file:// -------------------------------------------------------------
check "file whole + sha256" 0 "sha256=$sum" -- --sha256 "$sum" "file://$srv/image.bin" "$out"
same "file output identical" "$srv/image.bin" "$out"
check "file missing fails fast" 1 "not found.*ENOENT" -- "file://$srv/nope.iso" "$out"
check "file .gz decompressed" 0 "ok bytes" -- "file://$srv/image.bin.gz" "$out"
same "file .gz output identical" "$srv/image.bin" "$out"
check "file size pre-check" 1 "image is 6.0 MiB, 1.9 MiB of RAM available.*EFBIG" -- --mem-avail 2000000 "file://$srv/image.bin" "$out"

check "MemAvailable + rd.minmem pre-check" 1 "image is 6.0 MiB, 0 B of RAM available \(.* kept free\).*EFBIG" -- --meminfo --mem-reserve 1125899906842624 "file://$srv/image.bin" "$out"
check "MemAvailable pre-check passes" 0 "ok bytes" -- --meminfo --mem-reserve 1048576 "file://$srv/image.bin" "$out"

# ---- tftp ----------------------------------------------------------------
T=$(free_port)
start_tftpd "$srv" "$T"
check "tftp whole + sha256" 0 "sha256=$sum" -- --sha256 "$sum" "tftp://127.0.0.1:$T/image.bin" "$out"
same "tftp output identical" "$srv/image.bin" "$out"
check "tftp total known from tsize" 0 "event start attempt=1 total=$size" -- "tftp://127.0.0.1:$T/image.bin" "$out"
check "tftp missing fails fast" 1 "not found.*ENOENT" -- "tftp://127.0.0.1:$T/nope.iso" "$out"
expect "tftp missing took under 2 s" [ "$CHECK_MS" -lt 2000 ]
: > "$out"
check "tftp size pre-check (tsize) before writing" 1 "image is 6.0 MiB, 1.9 MiB of RAM available.*EFBIG" -- --mem-avail 2000000 "tftp://127.0.0.1:$T/image.bin" "$out"
expect "tftp pre-check wrote nothing" [ ! -s "$out" ]
check "tftp .xz decompressed" 0 "ok bytes" -- "tftp://127.0.0.1:$T/image.bin.xz" "$out"
same "tftp .xz output identical" "$srv/image.bin" "$out"

# ---- ftp -----------------------------------------------------------------
F=$(free_port)
start_vsftpd "$srv" "$F"
VSFTPD_PID=${FETCH_PIDS##* }
check "ftp whole + sha256" 0 "sha256=$sum" -- --sha256 "$sum" "ftp://127.0.0.1:$F/image.bin" "$out"
same "ftp output identical" "$srv/image.bin" "$out"
check "ftp total known from SIZE" 0 "event start attempt=1 total=$size" -- "ftp://127.0.0.1:$F/image.bin" "$out"
check "ftp missing fails fast" 1 "not found.*ENOENT" -- "ftp://127.0.0.1:$F/nope.iso" "$out"
check "ftp .gz decompressed" 0 "ok bytes" -- "ftp://127.0.0.1:$F/image.bin.gz" "$out"
same "ftp .gz output identical" "$srv/image.bin" "$out"

# ftp resume: throttle the client, stop the server mid-transfer, start it again
# (40 MiB at 8 MiB/s: more than the loopback socket buffers hold when it stops)
head -c $((40 * 1024 * 1024)) /dev/urandom > "$srv/big.bin"; chmod 644 "$srv/big.bin"
bigsum=$(sha256sum "$srv/big.bin" | cut -d' ' -f1)
"$FETCHTOOL" --sha256 "$bigsum" --curl-options "--limit-rate,8M" "ftp://127.0.0.1:$F/big.bin" "$out" \
	> "$FETCH_TMP/ftp-resume.txt" 2>&1 &
client=$!
sleep 1.5
kill_tree "$VSFTPD_PID"; wait "$VSFTPD_PID" 2>/dev/null
sleep 1
start_vsftpd "$srv" "$F"
wait "$client"
rc=$?
if [ $rc = 0 ] && grep -q "event resume attempt=[0-9]* offset=[1-9]" "$FETCH_TMP/ftp-resume.txt" &&
	grep -q "resumes=1" "$FETCH_TMP/ftp-resume.txt"; then
	echo "PASS ftp resumed with REST after the server came back"
else
	echo "FAIL ftp resume (exit $rc):"; sed 's/^/    /' "$FETCH_TMP/ftp-resume.txt"
	FETCH_FAILS=$((FETCH_FAILS + 1))
fi
same "ftp resume: output identical" "$srv/big.bin" "$out"

# ---- block device sink ---------------------------------------------------
if command -v losetup >/dev/null && truncate -s 8M "$FETCH_TMP/big.img" && truncate -s 4M "$FETCH_TMP/small.img" &&
	big=$(losetup -f --show "$FETCH_TMP/big.img" 2>/dev/null); then
	small=$(losetup -f --show "$FETCH_TMP/small.img")
	check "block device sink" 0 "sha256=$sum" -- "file://$srv/image.bin" "$big"
	head -c "$size" "$big" > "$FETCH_TMP/fromdev"
	same "block device content identical" "$srv/image.bin" "$FETCH_TMP/fromdev"
	check "block device too small: pre-check names it" 1 "image is 6.0 MiB, 4.0 MiB of $small available.*EFBIG" -- "file://$srv/image.bin" "$small"
	head -c $((6 * 1024 * 1024)) /dev/zero | xz -T1 -0 > "$srv/zeros.bin.xz"
	check "block device full while decompressing" 1 "$small is full after .*EFBIG" -- "file://$srv/zeros.bin.xz" "$small"
	losetup -d "$big"; losetup -d "$small"
else
	echo "SKIP block device sink: no loop device here"
fi

[ "$FETCH_FAILS" = 0 ] || { echo "$FETCH_FAILS failed"; exit 1; }
