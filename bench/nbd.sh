#!/bin/bash
# Remote block roots benchmark: guest uptime when the new root's init runs with an NBD root
# (nbd-server over QEMU user networking) and an AoE root (vblade on a tap in a netns), and the
# sequential read throughput of a 256 MiB file from the booted root (dd), each beside the same
# from a local virtio disk holding the same ext4 image (the ratio is the protocol's cost).
# All in one invocation: the machine is shared and noisy, compare ratios, not absolute times.
#   sh bench/nbd.sh            (root; needs nbd-server, vblade, qemu)
export NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
CASE=bench-nbd
. "$NETINIT_ROOT/tests/e2e/lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
nbd_need nbd-server vblade
MB=${BENCH_MB:-256}
make_testroot "$W/root"
head -c $((MB * 1024 * 1024)) /dev/urandom > "$W/root/big.bin"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
t0=$(cut -d' ' -f1 /proc/uptime)
dd if=/big.bin of=/dev/null bs=1M 2>/dev/null
t1=$(cut -d' ' -f1 /proc/uptime)
echo "BENCH-READ t0=$t0 t1=$t1"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_ext4 "$W/root" "$W/root.img" $((MB + 64))
rm -f "$W/root/big.bin"
export E2E_MEM=${E2E_MEM:-768} E2E_TIMEOUT=${E2E_TIMEOUT:-600}

# result LOG: "<uptime> <read seconds>"
result() {
	up=$(result_line "$1" | sed -n 's/.* uptime=\([0-9.]*\).*/\1/p')
	rd=$(grep -a 'BENCH-READ' "$1" | tr -d '\r' | sed -n 's/.*t0=\([0-9.]*\) t1=\([0-9.]*\).*/\1 \2/p' | awk '{printf "%.2f", $2 - $1}')
	echo "${up:-?} ${rd:-?}"
}

# local virtio disk (reference)
qemu_boot "$W/local.log" "root=/dev/vda" -drive file="$W/root.img",format=raw,if=virtio,readonly=on || fail "local boot"
read -r up_l rd_l <<< "$(result "$W/local.log")"

# NBD
nbd_serve "$W/root.img" readonly
qemu_boot "$W/nbd.log" "root=overlay:nbd=10.0.2.2:$NBD_PORT:export" $NET_USER || fail "nbd boot"
read -r up_n rd_n <<< "$(result "$W/nbd.log")"
nbd_stop

# AoE
ns=netinit-bench-aoe-$$
ip netns add "$ns" || fail "netns"
trap '[ -n "${vb:-}" ] && kill $vb 2>/dev/null; ip netns del $ns 2>/dev/null; nbd_cleanup' EXIT
ip -n "$ns" tuntap add dev tap0 mode tap && ip -n "$ns" link set tap0 up
ip netns exec "$ns" vblade 0 1 tap0 "$W/root.img" > "$W/vblade.log" 2>&1 &
vb=$!
mkdir -p "$W/bin"
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns" "$(command -v qemu-system-x86_64)" > "$W/bin/qemu-system-x86_64"
chmod 755 "$W/bin/qemu-system-x86_64"
PATH=$W/bin:$PATH qemu_boot "$W/aoe.log" "root=overlay:aoe=e0.1 ip=10.0.3.15::10.0.3.1:255.255.255.0::eth0:none" \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0 || fail "aoe boot"
read -r up_a rd_a <<< "$(result "$W/aoe.log")"

mbps() { awk -v m="$MB" -v s="$1" 'BEGIN { if (s > 0) printf "%.1f", m / s; else print "?" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
echo "remote block roots (QEMU TCG, ${E2E_MEM} MiB guest, ${MB} MiB sequential read with dd bs=1M)"
printf '%-28s %12s %10s %10s %16s\n' "root" "init at (s)" "read (s)" "MiB/s" "read vs local"
printf '%-28s %12s %10s %10s %16s\n' "local virtio disk (ext4)" "$up_l" "$rd_l" "$(mbps "$rd_l")" "1.00"
printf '%-28s %12s %10s %10s %16s\n' "NBD overlay (user net)" "$up_n" "$rd_n" "$(mbps "$rd_n")" "$(ratio "$rd_n" "$rd_l")x time"
printf '%-28s %12s %10s %10s %16s\n' "AoE overlay (tap, vblade)" "$up_a" "$rd_a" "$(mbps "$rd_a")" "$(ratio "$rd_a" "$rd_l")x time"
