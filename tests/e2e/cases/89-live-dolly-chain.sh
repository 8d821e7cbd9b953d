#!/bin/bash
# root=live:dolly: (KIWI) in a chain of the real dolly (openSUSE's, built from its source; a
# test peer only) on one L2 segment: QEMU's NIC on a tap, the server and a real dolly client in
# namespaces of their own (dolly listens on fixed ports). Boot 1: the netinit guest in the
# middle (server -> guest -> dolly): it must forward, and the dolly after it must get the same
# bytes. Boot 2: the guest last, behind the real dolly, with the password challenge (-P).
# (no_timer_check: a loaded TCG host once made the guest kernel panic in its IO-APIC timer check)
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, tap)"
. "$NETINIT_ROOT/tests/host/dolly/lib.sh"
dolly_build
P=de$$
PIDS=""
cleanup() {
	rc=$?
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	dolly_cleanup
	# on a failure, what the real dolly server and client said (the guest's console is shown already)
	if [ "$rc" != 0 ]; then
		for f in "$W"/peer*.txt "$W"/*-server.txt; do
			# without dolly's parameter table and blank lines: what it did and why it stopped
			[ -s "$f" ] && { echo "--- $f" >&2; grep -av '^|\|^ *$\|^###' "$f" | tail -n 12 | sed 's/^/    | /' >&2; }
		done
	fi
}
trap cleanup EXIT
trap "exit 1" INT TERM
dolly_net "$P" 2 || skip "cannot create network namespaces"	# node 0: the server, node 1: a real client
ip -n "${P}h" tuntap add dev tap0 mode tap || fail "tuntap"
ip -n "${P}h" link set tap0 master br0
ip -n "${P}h" link set tap0 up
GUEST=10.97.0.10 SRV=$(dolly_addr 0) PEER=$(dolly_addr 1)
make_testroot "$W/root"
add_filler "$W/root" 6
mk_squashfs "$W/root" "$W/root.squashfs"
sum=$(sha256sum "$W/root.squashfs" | cut -d' ' -f1)
NET="net.ifnames=0 ip=$GUEST::$SRV:255.255.255.0:guest:eth0:off"

# boot_chain NAME APPEND TAB [server options]: boot the guest; once it listens, the server sends
boot_chain() {
	log=$W/$1.log
	: > "$log"
	ip netns exec "${P}h" timeout --foreground -k 5 "${E2E_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg -cpu max \
		-smp 1 -m "${E2E_MEM:-512}" -nographic -no-reboot -nodefaults -serial stdio -display none \
		-kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 panic=-1 no_timer_check $2" \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
		< /dev/null > "$log" 2>&1 &
	q=$!
	PIDS="$PIDS $q"
	tab=$3
	shift 3
	i=0
	until grep -aq 'dolly: waiting for the server' "$log"; do
		kill -0 $q 2>/dev/null || { tail -n 30 "$log" >&2; fail "$log: the guest ended before it listened"; }
		i=$((i + 1)); [ $i -lt 1200 ] || fail "$log: the guest never listened"
		sleep 0.1
	done
	ip netns exec "${P}0" timeout 120 "$DOLLY" -v -n -r 50 -s "$@" -f "$tab" > "$W/$(basename "$log" .log)-server.txt" 2>&1 < /dev/null &
	s=$!
	PIDS="$PIDS $s"
	i=0
	until grep -aq 'NETINIT-POWEROFF' "$log"; do
		kill -0 $q 2>/dev/null || break
		i=$((i + 1)); [ $i -lt 2400 ] || fail "$log: no NETINIT-POWEROFF"
		sleep 0.1
	done
	sleep 1; kill $q 2>/dev/null; wait $q 2>/dev/null
	wait $s; SRV_RC=$?
}

# 1. server -> guest -> real dolly
rm -f "$W/peer.out"
ip netns exec "${P}1" timeout 200 "$DOLLY" -v -n > "$W/peer1.txt" 2>&1 < /dev/null &
PEER_PID=$!; PIDS="$PIDS $PEER_PID"
dolly_wait_listen 1 || fail "the real dolly client does not listen"
dolly_tab "$W/tab1" "$W/root.squashfs" "$W/peer.out" "$GUEST" "$PEER"
boot_chain middle "root=live:dolly: rd.live.sha256=$sum $NET" "$W/tab1"
wait $PEER_PID; echo "(the real dolly client exited $?)" >> "$W/peer1.txt"
expect_result "$W/middle.log" rootfs=overlay lower=yes ip=$GUEST/24
expect_log "$W/middle.log" "dolly: host 1 of 2 \($GUEST\); connecting to the next host $PEER"
expect_log "$W/middle.log" 'sha256 verified'
cmp -s "$W/root.squashfs" "$W/peer.out" || fail "the real dolly after the guest got other bytes than the image"
grep -q "Transfert to all client nodes done" "$W/middle-server.txt" || fail "the server saw no acknowledgement (see $W/middle-server.txt)"
[ "$SRV_RC" = 0 ] || fail "the server exited $SRV_RC"
note "boot 1: the guest forwarded $(stat -c %s "$W/peer.out") bytes to the real dolly after it"

# 2. server -> real dolly -> guest (last), password challenge on every link
rm -f "$W/peer.out"
ip netns exec "${P}1" timeout 200 "$DOLLY" -v -n -P chain-pw > "$W/peer2.txt" 2>&1 < /dev/null &
PEER_PID=$!; PIDS="$PIDS $PEER_PID"
dolly_wait_listen 1 || fail "the real dolly client does not listen"
dolly_tab "$W/tab2" "$W/root.squashfs" "$W/peer.out" "$PEER" "$GUEST"
boot_chain last "root=live:dolly: rd.kiwi.live.dolly_options=-P,chain-pw rd.live.sha256=$sum $NET" "$W/tab2" -P chain-pw
wait $PEER_PID; echo "(the real dolly client exited $?)" >> "$W/peer2.txt"
expect_result "$W/last.log" rootfs=overlay lower=yes ip=$GUEST/24
expect_log "$W/last.log" "dolly: host 2 of 2 \($GUEST\), the last in the chain"
cmp -s "$W/root.squashfs" "$W/peer.out" || fail "the real dolly before the guest got other bytes"
grep -q "Transfert to all client nodes done" "$W/last-server.txt" || fail "the server saw no acknowledgement through the real dolly (see $W/last-server.txt)"
