#!/bin/bash
# The root survives an NBD server restart: the booted system reads a file in a loop (caches
# dropped, so every read goes to the server) while the host kills nbd-server and starts it
# again; the supervisor left by netinit hands the kernel a new socket and every read succeeds.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
make_testroot "$W/root"
head -c $((8 * 1024 * 1024)) /dev/urandom > "$W/root/data.bin"
sum=$(md5sum < "$W/root/data.bin" | cut -d' ' -f1)
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "SUM0 $(md5sum < /data.bin | cut -d' ' -f1)"
echo "READY-FOR-RESTART"
i=0
while [ $i -lt 10 ]; do
	echo 3 > /proc/sys/vm/drop_caches
	s=$(md5sum < /data.bin | cut -d' ' -f1) || s=error
	echo "LOOP $i $s"
	i=$((i + 1)); sleep 1
done
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_ext4 "$W/root" "$W/root.img" 64
nbd_serve "$W/root.img"
qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.2:$NBD_PORT:export" $NET_USER &
qb=$!
i=0
while ! grep -aq READY-FOR-RESTART "$W/boot.log" 2>/dev/null && kill -0 $qb 2>/dev/null && [ $i -lt 200 ]; do
	i=$((i + 1)); sleep 0.5
done
grep -aq READY-FOR-RESTART "$W/boot.log" || { wait $qb; fail "the booted system never got ready"; }
nbd_stop; sleep 3; nbd_restart
note "nbd-server killed and restarted"
wait $qb || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay lower=yes
expect_log "$W/boot.log" "SUM0 $sum"
expect_log "$W/boot.log" "nbd0: link to 10.0.2.2 port $NBD_PORT is dead; reconnecting"
expect_log "$W/boot.log" "nbd0: reconnected to 10.0.2.2 port $NBD_PORT"
[ "$(grep -ac "^LOOP [0-9] $sum" "$W/boot.log")" -eq 10 ] || { grep -a '^LOOP' "$W/boot.log" >&2; fail "not every read during the restart returned the file"; }
