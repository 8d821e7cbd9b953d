#!/bin/sh
# The kernel half of blockdev/nbd* without netinit's /init: a busybox initramfs loads nbd.ko,
# runs tests/host/nbd/nbd-probe (static, musl) --attach --supervise against Debian's nbd-server
# on the host (QEMU user network: 10.0.2.2), reads /dev/nbdN, and keeps reading while the host
# kills nbd-server and starts it again: the supervisor (@netinit-nbdN) must hand the kernel a new
# socket (NBD_CMD_LINK_DEAD -> NBD_CMD_RECONFIGURE) so every read completes with the right data.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/lib.sh"
trap nbd_cleanup EXIT
nbd_need nbd-server musl-gcc cpio qemu-system-x86_64
# A kernel that has its modules here (lib.sh's KVER may name the host's own kernel).
if [ ! -f "$KERNEL" ] || [ ! -f "/lib/modules/$KVER/kernel/drivers/block/nbd.ko" ]; then
	for k in /boot/vmlinuz-*; do
		v=${k#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/kernel/drivers/block/nbd.ko" ] && { KVER=$v; KERNEL=$k; break; }
	done
fi
M=/lib/modules/$KVER/kernel
[ -f "$M/drivers/block/nbd.ko" ] || skip "no nbd.ko for a kernel in /boot"

# ---- the guest ----
r=$W/initrd; mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/lib"
cp "$BUSYBOX" "$r/bin/busybox"
for a in sh mount cat echo grep sed ip dd md5sum sleep insmod poweroff head cut ls tr; do ln -sf busybox "$r/bin/$a"; done
cp "$M/drivers/block/nbd.ko" "$M/drivers/net/ethernet/intel/e1000/e1000.ko" "$r/lib/"
musl-gcc -static -Os -std=gnu11 -D_GNU_SOURCE -I"$NETINIT_ROOT" -isystem "$NETINIT_BUILD/sysroot/include" -o "$r/bin/nbd-probe" \
	"$NETINIT_ROOT/tests/host/nbd/nbd-probe.c" "$NETINIT_ROOT/blockdev/nbd.c" "$NETINIT_ROOT/blockdev/nbdspec.c" \
	"$NETINIT_ROOT/blockdev/nbdattach.c" "$NETINIT_ROOT/blockdev/nbdkern.c" "$NETINIT_ROOT/util/netlink.c" "$NETINIT_ROOT/util/daemon.c" || fail "build nbd-probe"
P=$(free_port)
cat > "$r/init" <<EOS
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /lib/nbd.ko; insmod /lib/e1000.ko
ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
# (the supervisor keeps fds 0-2: a file, not a pipe, or \$(...) would wait for it forever)
nbd-probe --attach --supervise kiwi 10.0.2.2:$P:export 20000 > /probe.out
out=\$(cat /probe.out)
echo "PROBE \$out"
dev=\$(echo "\$out" | sed -n 's/^DEV \([^ ]*\) sup=\([0-9]*\).*/\1/p')
sup=\$(echo "\$out" | sed -n 's/^DEV \([^ ]*\) sup=\([0-9]*\).*/\2/p')
[ -n "\$dev" ] || { echo "GUEST-FAIL attach"; poweroff -f; }
echo "SUPCMD \$(tr '\0' ' ' < /proc/\$sup/cmdline)"
echo "SUM1 \$(dd if=\$dev bs=1M iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
echo "READY-FOR-RESTART"
i=0
while [ \$i -lt 12 ]; do
	dd if=\$dev of=/dev/null bs=64k count=16 skip=\$((i * 16)) iflag=direct 2>/dev/null || echo "READ-ERROR \$i"
	i=\$((i + 1)); sleep 1
done
echo "SUM2 \$(dd if=\$dev bs=1M iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
echo "ALIVE \$(cat /proc/\$sup/cmdline | tr '\0' ' ') comm=\$(cat /proc/\$sup/comm)"
sed 's/^/OUT /' /probe.out
poweroff -f
EOS
chmod 755 "$r/init"
(cd "$r" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$W/initrd.img"

# ---- the server ----
head -c $((16 * 1024 * 1024)) /dev/urandom > "$W/export.img"
sum=$(md5sum < "$W/export.img" | cut -d' ' -f1)
cat > "$W/nbd.conf" <<CONF
[generic]
    port = $P
    listenaddr = 127.0.0.1
[export]
    exportname = $W/export.img
CONF
nbd-server -C "$W/nbd.conf" -p "$W/nbd.pid" || fail "nbd-server did not start"
NBD_PIDFILES="$NBD_PIDFILES $W/nbd.pid"

# ---- boot; restart the server when the guest says so ----
log=$W/serial.log
E2E_INITRD=$W/initrd.img E2E_TIMEOUT=${E2E_TIMEOUT:-200} qemu_boot "$log" "quiet loglevel=4" \
	-netdev user,id=n0 -device e1000,netdev=n0 &
qb=$!
i=0
while ! grep -aq READY-FOR-RESTART "$log" 2>/dev/null; do
	i=$((i + 1)); [ $i -ge 150 ] && break
	kill -0 $qb 2>/dev/null || break
	sleep 1
done
if grep -aq READY-FOR-RESTART "$log"; then
	kill "$(cat "$W/nbd.pid")"; sleep 3
	nbd-server -C "$W/nbd.conf" -p "$W/nbd.pid" || fail "nbd-server did not restart"
	note "nbd-server killed and restarted"
fi
wait $qb
tr -d '\r' < "$log" | grep -aE 'PROBE|SUPCMD|SUM|ALIVE|READ-ERROR|GUEST-FAIL|nbd|event|OUT' | sed 's/^/    | /' >&2
expect_log "$log" "^DEV /dev/nbd[0-9]+ sup=[0-9]+ netlink=1"
expect_log "$log" "SUPCMD @netinit-nbd[0-9]+"
expect_log "$log" "SUM1 $sum"
expect_no_log "$log" "READ-ERROR|GUEST-FAIL"
expect_log "$log" "reconnected to 10.0.2.2 port $P"
expect_log "$log" "SUM2 $sum"
expect_log "$log" "ALIVE @netinit-nbd"
exit 0
