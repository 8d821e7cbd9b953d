#!/bin/bash
# KIWI's root=overlay:aoe=: Debian's vblade exports an ext4 root as e0.1 on a tap device in a
# network namespace, QEMU is attached to that tap (a real L2 segment: AoE is raw Ethernet).
# Boot 1 names the target (e0.1 -> /dev/etherd/e0.1); boot 2 names the interface, the other
# reading of KIWI's document (discover on eth0, use the one target found there). Then a second
# vblade exports a KIWI live ISO as e0.2: boot 3 is root=live:AOEINTERFACE=e0.2, and boot 4
# names the interface again, which now has two targets: a clear error listing both.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
nbd_need vblade ip
make_testroot "$W/root"
mk_ext4 "$W/root" "$W/root.img" 64
ns=netinit-aoe-$$
ip netns add "$ns" || skip "cannot create a network namespace"
aoe_cleanup() { [ -n "${vb:-}" ] && kill "$vb" 2>/dev/null; [ -n "${vb2:-}" ] && kill "$vb2" 2>/dev/null; ip netns del "$ns" 2>/dev/null; nbd_cleanup; }
trap aoe_cleanup EXIT
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev tap0 mode tap || fail "cannot create tap0"
ip -n "$ns" link set tap0 up
ip netns exec "$ns" vblade 0 1 tap0 "$W/root.img" > "$W/vblade.log" 2>&1 &
vb=$!
# QEMU must run inside the namespace to open its tap0: a PATH wrapper does that for qemu_boot.
mkdir -p "$W/bin"
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns" "$(command -v qemu-system-x86_64)" > "$W/bin/qemu-system-x86_64"
chmod 755 "$W/bin/qemu-system-x86_64"
PATH=$W/bin:$PATH
tap="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0"
ipc="ip=10.0.3.15::10.0.3.1:255.255.255.0::eth0:none"

qemu_boot "$W/boot1.log" "net.ifnames=0 root=overlay:aoe=e0.1 $ipc rd.retry=60" $tap || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/boot1.log" "netinit: aoe: e0.1 is /dev/etherd/e0.1"

qemu_boot "$W/boot2.log" "net.ifnames=0 root=overlay:aoe=eth0 $ipc rd.retry=60" $tap || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/boot2.log" "netinit: aoe: eth0 is /dev/etherd/e0.1"

echo aoe-live > "$W/root/netinit-marker"
mk_live_iso kiwi "$W/root" "$W/live.iso"
ip netns exec "$ns" vblade 0 2 tap0 "$W/live.iso" > "$W/vblade2.log" 2>&1 &
vb2=$!
qemu_boot "$W/boot3.log" "net.ifnames=0 root=live:AOEINTERFACE=e0.2 $ipc rd.retry=60" $tap || fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay root_rw=yes lower=yes marker=aoe-live
expect_log "$W/boot3.log" "netinit: aoe: e0.2 is /dev/etherd/e0.2"

qemu_boot "$W/boot4.log" "net.ifnames=0 root=overlay:aoe=eth0 $ipc rd.retry=20" $tap || fail "boot 4: QEMU did not stop"
expect_log "$W/boot4.log" "netinit: fatal: root: .*2 targets answer on interface eth0 \\((e0.1, e0.2|e0.2, e0.1)\\)"
expect_no_log "$W/boot4.log" "NETINIT-RESULT"
