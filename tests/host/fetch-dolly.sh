#!/bin/sh
# netinit's dolly client (fetch/dolly.c, driven by fetchtool) in chains with the real dolly
# (openSUSE's, built from its source; a test peer only): in the middle (it must forward: the real
# client after it gets the same bytes), last with the password challenge and .xz decompression,
# and the failures: no server, a host list without us, a next host that refuses, a wrong or
# missing password, a lying previous host, a next host that quits mid-stream. Each chain member
# has its own network namespace on one bridge.
. "$(dirname "$0")/fetch/lib.sh"
. "$NETINIT_ROOT/tests/host/dolly/lib.sh"
# The real dolly runs with -n: it would sync() the whole machine before its acknowledgement,
# which under a loaded make check (other lanes writing images) outlasts the chain's deadlines.
cleanup() { dolly_cleanup; fetch_cleanup; }
trap cleanup EXIT
trap "exit 1" INT TERM
fetch_need ip ss xz sha256sum timeout
dolly_build

T=$FETCH_TMP
head -c $((12 * 1024 * 1024 + 4321)) /dev/urandom > "$T/image.bin"
sum=$(sha256sum "$T/image.bin" | cut -d' ' -f1)
xz -T1 -0 -k "$T/image.bin"
dolly_net "dly$$" 4 || { echo "FAIL: namespaces"; exit 1; }
S=0; A=1; B=2; C=3	# node 0 is the server; 1, 2, 3 the clients
NA=$(dolly_addr $A) NB=$(dolly_addr $B) NC=$(dolly_addr $C)

nx() { ip netns exec "${DOLLY_P}$1"; }	# (used as: nx N cmd...)
in_ns() { n=$1; shift; ip netns exec "${DOLLY_P}$n" "$@"; }

# netinit NODE OUT URL ARGS...: fetchtool in the background, output in $T/netinit.txt
netinit() {
	n=$1 out=$2 url=$3
	shift 3
	in_ns "$n" "$FETCHTOOL" "$@" "$url" "$out" > "$T/netinit.txt" 2>&1 &
	NETINIT_PID=$!
	dolly_wait_listen "$n"
}
netinit_wait() {	# exit status of netinit, within 60 s
	i=0
	while kill -0 "$NETINIT_PID" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	wait "$NETINIT_PID"
}
result() {	# NAME WANT_EXIT GOT_EXIT PATTERN
	if [ "$3" = "$2" ] && grep -Eq -- "$4" "$T/netinit.txt"; then echo "PASS $1"; return 0; fi
	echo "FAIL $1: exit $3 (wanted $2), pattern '$4'; output:"
	sed 's/^/    /' "$T/netinit.txt" | tail -n 20
	FETCH_FAILS=$((FETCH_FAILS + 1))
}
server() {	# TAB [dolly options]: the server in node 0, its output in $T/server.txt
	tab=$1; shift
	in_ns $S timeout 60 "$DOLLY" -v -n -s "$@" -f "$tab" > "$T/server.txt" 2>&1 < /dev/null
}

# 1. server -> netinit -> real dolly: netinit forwards every byte while writing its own copy
rm -f "$T/out.dolly"
in_ns $B timeout 60 "$DOLLY" -v -n > "$T/dolly.txt" 2>&1 < /dev/null &
dolly_wait_listen $B
netinit $A "$T/out.netinit" dolly: --retry 30 --sha256 "$sum"
dolly_tab "$T/tab1" "$T/image.bin" "$T/out.dolly" "$NA" "$NB"
server "$T/tab1"; srv=$?
netinit_wait; rc=$?
result "middle: netinit wrote the image, sha256 verified" 0 $rc "ok bytes=$(stat -c %s "$T/image.bin") .*sha256=$sum"
same "middle: netinit's copy identical" "$T/image.bin" "$T/out.netinit"
wait
same "middle: the real dolly after netinit got identical bytes (forwarded)" "$T/image.bin" "$T/out.dolly"
expect "middle: the server saw every host acknowledge" grep -q "Transfert to all client nodes done" "$T/server.txt"
expect "middle: the server exited 0" [ "$srv" = 0 ]
[ "$srv" = 0 ] || { echo "    server (exit $srv):"; tail -n 8 "$T/server.txt" | sed 's/^/    /'; echo "    netinit:"; tail -n 8 "$T/netinit.txt" | sed 's/^/    /'; echo "    next dolly:"; tail -n 8 "$T/dolly.txt" | sed 's/^/    /'; }
expect "middle: netinit named its place in the chain" grep -q "host 1 of 2 ($NA); connecting to the next host $NB" "$T/netinit.txt"

# 2. server -> real dolly -> netinit (last), password challenge, .xz decompressed on the way
rm -f "$T/out.dolly" "$T/out.netinit"
in_ns $A timeout 60 "$DOLLY" -v -n -P s3cret > "$T/dolly.txt" 2>&1 < /dev/null &
dolly_wait_listen $A
# the URL's suffix picks the decompressor, as KIWI pipes a .xz through xz -d
netinit $B "$T/out.netinit" dolly://server/image.bin.xz --retry 30 --dolly-options "-P,s3cret"
dolly_tab "$T/tab2" "$T/image.bin.xz" "$T/out.dolly" "$NA" "$NB"
server "$T/tab2" -P s3cret; srv=$?
netinit_wait; rc=$?
result "last + password + .xz: netinit decompressed and acknowledged" 0 $rc "ok bytes=$(stat -c %s "$T/image.bin.xz")"
same "last: netinit's copy (decompressed) identical" "$T/image.bin" "$T/out.netinit"
wait
same "last: the real dolly before netinit got the .xz" "$T/image.bin.xz" "$T/out.dolly"
expect "last: the server got the acknowledgement (netinit's count through dolly)" grep -q "Transfert to all client nodes done" "$T/server.txt"
expect "last: netinit knew it was last" grep -q "host 2 of 2 ($NB), the last in the chain" "$T/netinit.txt"

# 3. netinit in the middle with a password: the real dolly after it must pass netinit's own
#    challenge (netinit takes dolly's server side towards the next host)
rm -f "$T/out.dolly" "$T/out.netinit"
in_ns $B timeout 60 "$DOLLY" -v -n -P pw2 > "$T/dolly.txt" 2>&1 < /dev/null &
dolly_wait_listen $B
netinit $A "$T/out.netinit" dolly: --retry 30 --dolly-options "-P pw2"
server "$T/tab1" -P pw2; srv=$?
netinit_wait; rc=$?
result "middle + password: netinit challenged the next host and forwarded" 0 $rc "ok bytes="
wait
same "middle + password: the real dolly after netinit got identical bytes" "$T/image.bin" "$T/out.dolly"
expect "middle + password: the server saw every host acknowledge" grep -q "Transfert to all client nodes done" "$T/server.txt"

# 4. no server: one line after rd.retry
netinit $A "$T/out.netinit" dolly: --retry 2
netinit_wait; rc=$?
result "no server: gives up after rd.retry with one line" 1 $rc "error: dolly: no server \(or previous host\) connected to TCP 9997 within 2 s.*ETIMEDOUT"

# 5. the host list does not name us: "10.97.2" is 10.97.0.2 to the server's resolver (inet_aton's
#    short form), so it connects to node 1, whose addresses do not include that spelling
netinit $A "$T/out.netinit" dolly: --retry 10
dolly_tab "$T/tab5" "$T/image.bin" "$T/out.dolly" "10.97.2"
server "$T/tab5"
netinit_wait; rc=$?
result "not in the host list: fails at once naming our addresses" 1 $rc "error: dolly: the host list from $(dolly_addr $S) \(1 hosts, first 10.97.2\) does not name this machine \(.*$NA.*ENOENT"
expect "not in the host list: at once, not after rd.retry" [ "$(grep -c 'event retry' "$T/netinit.txt")" = 0 ]

# 6. the next host refuses (nothing runs on node 3)
netinit $A "$T/out.netinit" dolly: --retry 3
dolly_tab "$T/tab6" "$T/image.bin" "$T/out.dolly" "$NA" "$NC"
server "$T/tab6" &
netinit_wait; rc=$?
result "next host refuses: one line naming it" 1 $rc "error: dolly: the next host $NC refuses connections on TCP 9998.*ECONNREFUSED"
wait

# 7. wrong password, 8. the server wants a password we do not have
netinit $A "$T/out.netinit" dolly: --retry 3 --dolly-options "-P,wrong"
dolly_tab "$T/tab7" "$T/image.bin" "$T/out.dolly" "$NA"
server "$T/tab7" -P right
netinit_wait; rc=$?
result "wrong password: one line saying so" 1 $rc "error: dolly: $(dolly_addr $S) refused our answer to its challenge.*password.*is wrong.*EACCES"
netinit $A "$T/out.netinit" dolly: --retry 3
server "$T/tab7" -P right
netinit_wait; rc=$?
result "password required, none given: one line saying where to put it" 1 $rc "error: dolly: $(dolly_addr $S) requires a password.*rd.kiwi.live.dolly_options=-P,<password>.*EACCES"

# 10. a previous host that lies: each a one-line refusal, not a hang or a crash
hostile() { in_ns $S timeout 30 python3 "$NETINIT_ROOT/tests/host/dolly/hostile.py" "$1" "$NA" > "$T/hostile.txt" 2>&1; }
netinit $A "$T/out.netinit" dolly: --retry 10 --dolly-options "-r,1"
hostile flag7
netinit_wait; rc=$?
result "hostile: a password flag of 7 refused" 1 $rc "error: dolly: $(dolly_addr $S) sent 7 as its password flag, expected 0 or 1.*EPROTO"
netinit $A "$T/out.netinit" dolly: --retry 10
hostile dirmode
netinit_wait; rc=$?
result "hostile: a directory stream refused" 1 $rc "error: dolly: $(dolly_addr $S) sends directories \(dolly -D: a tar stream\), not an image.*EPROTO"
netinit $A "$T/out.netinit" dolly: --retry 10
hostile longcfg
netinit_wait; rc=$?
result "hostile: a configuration over 4096 bytes refused" 1 $rc "error: dolly: $(dolly_addr $S) sent a configuration of more than 4096 bytes without 'endconfig'.*EPROTO"
netinit $A "$T/out.netinit" dolly: --retry 10 --dolly-options "-r,1"
hostile cut
netinit_wait; rc=$?
result "hostile: a stream cut before the announced size" 1 $rc "error: dolly: the stream from $(dolly_addr $S) ended after 1000 of 2000 bytes.*EPIPE"
# ... and with retries left, the destination starts over and the next chain delivers
netinit $A "$T/out.netinit" dolly: --retry 20 --sha256 "$sum"
hostile cut
dolly_tab "$T/tab12" "$T/image.bin" "$T/out.dolly" "$NA"
server "$T/tab12"; srv=$?
netinit_wait; rc=$?
result "cut, then a real server: the image arrives whole" 0 $rc "ok bytes=$(stat -c %s "$T/image.bin") .*attempts=2 .*sha256=$sum"
expect "cut, then a real server: the cut was a retry" grep -q "event retry attempt=1 .*ended after 1000 of 2000 bytes" "$T/netinit.txt"
same "cut, then a real server: identical (the 1000 bytes were dropped)" "$T/image.bin" "$T/out.netinit"
netinit $A "$T/out.netinit" dolly: --retry 2 --dolly-options "-r,1"
hostile stall
netinit_wait; rc=$?
result "hostile: a stream that stops: no progress for rd.retry" 1 $rc "error: dolly: no progress for 2 s after 1000 bytes from $(dolly_addr $S).*ETIMEDOUT"

# 11. the next host goes away mid-stream: netinit stops forwarding, warns and completes its own
#     image; no acknowledgement goes up, so the server reports the chain as failed
in_ns $B timeout 30 python3 "$NETINIT_ROOT/tests/host/dolly/hostile.py" quit "$NB" > "$T/quit.txt" 2>&1 &
QPID=$!
dolly_wait_listen $B
netinit $A "$T/out.netinit" dolly: --retry 20 --sha256 "$sum"
server "$T/tab1"; srv=$?
netinit_wait; rc=$?
wait $QPID
result "next host quits mid-stream: netinit still completes its image" 0 $rc "ok bytes=$(stat -c %s "$T/image.bin") .*sha256=$sum"
expect "next host quits: one warning naming it" grep -Eq "event warning: dolly: the next host $NB (stopped taking the stream|closed its control connection).*no longer forwarding" "$T/netinit.txt"
same "next host quits: netinit's copy identical" "$T/image.bin" "$T/out.netinit"
expect "next host quits: it really took part (handshake, 100000 bytes)" grep -q "took [0-9]* bytes, going away" "$T/quit.txt"
expect "next host quits: netinit sent no acknowledgement, the server failed" [ "$srv" != 0 ]
expect "next host quits: and said why" grep -q "no acknowledgement to the previous host" "$T/netinit.txt"

# 9. a server option in dolly_options is refused before anything listens
check "server options refused" 1 "error: -H is a dolly server option" -- --dolly-options "-H,a,b" dolly: "$T/x"

[ "$FETCH_FAILS" = 0 ]
