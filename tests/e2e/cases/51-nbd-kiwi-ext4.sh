#!/bin/bash
# KIWI's kiwi-overlay root from NBD: root=overlay:nbd=<server>:<port>:<export> with an ext4
# image served by Debian's nbd-server; read-only lower at /run/rootfsbase, tmpfs upper, DHCP
# implied (no ip= given), the reconnect supervisor running in the booted system.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
for p in /proc/[0-9]*; do
	c=$(tr '\0' ' ' < $p/cmdline 2>/dev/null)
	case "$c" in @*) echo "SUPERVISOR ${c%% *}";; esac
done
echo "LOWERDEV $(awk '$2=="/run/rootfsbase" {print $1, $3}' /proc/mounts)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_ext4 "$W/root" "$W/root.img" 64
nbd_serve "$W/root.img"
qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.2:$NBD_PORT:export rd.retry=60" $NET_USER || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip=10.0.2.15/24
expect_log "$W/boot.log" "LOWERDEV /dev/nbd[0-9]+ ext4"
expect_log "$W/boot.log" "SUPERVISOR @"
