#!/bin/sh
# NBD client handshake (blockdev/nbd*.c) against Debian's real nbd-server on 127.0.0.1,
# configured the way KIWI's documentation shows ([generic] + an [export] section with
# exportname), and against a fake server that lies (tests/host/nbd/fake-nbd-server.py).
# The kernel attach needs the nbd module, which this host's kernel lacks: that part is e2e.
. "$(dirname "$0")/nbd/lib.sh"
trap nbd_cleanup EXIT
nbd_need nbd-server gcc
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
build_probe

# ---- real nbd-server ----
img=$NBD_TMP/root.img
head -c $((8 * 1024 * 1024)) /dev/urandom > "$img"
P=$(free_port)
cat > "$NBD_TMP/nbd.conf" <<CONF
[generic]
    port = $P
    listenaddr = 127.0.0.1
    allowlist = true
[export]
    exportname = $img
[export-ro]
    exportname = $img
    readonly = true
CONF
nbd-server -C "$NBD_TMP/nbd.conf" -p "$NBD_TMP/nbd.pid" > "$NBD_TMP/nbd-server.log" 2>&1
NBD_PIDFILES="$NBD_PIDFILES $NBD_TMP/nbd.pid"
wait_port "$P" || { echo "FAIL nbd-server did not start"; cat "$NBD_TMP/nbd-server.log"; exit 1; }

probe "kiwi form: NBD_OPT_GO against nbd-server" "^OK size=8388608 tflags=0x[0-9a-f]+ go=1 ro=0" kiwi "127.0.0.1:$P:export" 5000
probe "read-only export flagged" "^OK size=8388608 .* go=1 ro=1" kiwi "127.0.0.1:$P:export-ro" 5000
probe "dracut form with a port: default export" "^ERR ENOENT server has no default export" dracut "127.0.0.1:$P" 5000
probe "wrong export name: clear error naming it" "^ERR ENOENT server has no export named 'wrong-name'" kiwi "127.0.0.1:$P:wrong-name" 5000
expect "wrong export name failed fast (<2 s)" [ "${PROBE_MS:-99999}" -lt 2000 ]

# ---- nothing listening: nbd_attach retries until its deadline ----
D=$(free_port)
probe "server down: retries, then one line with the attempts" \
	"^ERR ECONNREFUSED cannot connect to NBD server 127.0.0.1 port $D: Connection refused \(after [0-9]+ attempts\)" \
	--attach kiwi "127.0.0.1:$D:export" 2500
expect "server down: gave up after 1.5..4 s" [ "${PROBE_MS:-0}" -ge 1500 -a "${PROBE_MS:-99999}" -le 4000 ]
"$PROBE" --attach kiwi "127.0.0.1:$D:export" 1200 | grep -q '^event 1 127.0.0.1 port .*retrying in' &&
	echo "PASS server down: a retry event per attempt" || { echo "FAIL retry events"; NBD_FAILS=$((NBD_FAILS + 1)); }

# ---- a lying server: each malformation is a clear error within the timeout ----
fake() { # fake MODE EXPECT
	F=$(free_port)
	$PY "$NETINIT_ROOT/tests/host/nbd/fake-nbd-server.py" "$F" "$1" > /dev/null 2>&1 &
	fp=$!
	wait_port "$F"
	probe "fake server $1" "$2" kiwi "127.0.0.1:$F:export" 2000
	expect "fake server $1: no hang beyond the 2 s timeout" [ "${PROBE_MS:-99999}" -le 3000 ]
	kill $fp 2>/dev/null; wait $fp 2>/dev/null
}
fake bad-magic "^ERR EPROTO server greeting starts with 0x485454502f312e31; expected NBDMAGIC"
fake truncated-reply "^ERR ETIMEDOUT reading an NBD_REP_INFO reply: server did not answer in time"
fake huge-size "^ERR EFBIG server announced an export size of 18446744073709551615 bytes"
fake unknown-reply "^ERR EPROTO server sent unknown reply type 0x00000042 to NBD_OPT_GO"
fake bad-reply-magic "^ERR EPROTO bad option reply magic 0x0000000000001234"
fake silent "^ERR ETIMEDOUT reading the server greeting: server did not answer in time"
fake hangup "^ERR ECONNRESET reading the reply to NBD_OPT_GO for export 'export': server closed the connection"

[ "$NBD_FAILS" -eq 0 ]
