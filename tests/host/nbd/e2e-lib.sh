# Helpers for the NBD/AoE e2e cases (tests/e2e/cases/5*-*.sh); source after tests/e2e/lib.sh.
. "$NETINIT_ROOT/tests/host/nbd/lib.sh"
trap nbd_cleanup EXIT
NET_USER="-netdev user,id=n0 -device virtio-net-pci,netdev=n0"

# nbd_serve IMG [readonly]: start nbd-server on 127.0.0.1:$NBD_PORT (new free port) exporting
# IMG as section [export], the way KIWI's documentation configures it. The guest reaches it as
# 10.0.2.2:$NBD_PORT.
nbd_serve() {
	nbd_need nbd-server
	NBD_PORT=${NBD_PORT:-$(free_port)}
	{
		echo "[generic]"
		echo "    port = $NBD_PORT"
		echo "    listenaddr = 127.0.0.1"
		echo "[export]"
		echo "    exportname = $1"
		[ "${2:-}" = readonly ] && echo "    readonly = true"
	} > "$W/nbd.conf"
	nbd_restart
}
nbd_restart() {
	nbd-server -C "$W/nbd.conf" -p "$W/nbd.pid" > "$W/nbd-server.log" 2>&1 || fail "nbd-server did not start"
	NBD_PIDFILES="$NBD_PIDFILES $W/nbd.pid"
	wait_port "$NBD_PORT" || fail "nbd-server not listening on $NBD_PORT"
}
nbd_stop() {
	[ -s "$W/nbd.pid" ] && kill "$(cat "$W/nbd.pid")" 2>/dev/null
	rm -f "$W/nbd.pid"
	i=0; while [ $i -lt 30 ] && $PY -c "import socket; socket.create_connection(('127.0.0.1',$NBD_PORT),0.2)" 2>/dev/null; do i=$((i+1)); sleep 0.1; done
}
