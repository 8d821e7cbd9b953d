# Helpers for the firmware-to-switch_root cases (tests/e2e/cases/9*-pxe-*.sh); source after lib.sh.
# A network namespace holds one L2 segment: tap0 (10.9.0.1/24, the server side) and QEMU's NIC
# on it. tools/netinit-serve serves there; QEMU boots with no -kernel, through its firmware
# (SeaBIOS + QEMU's iPXE ROM, or OVMF) and a boot loader from the network.
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, tap)"
for c in dnsmasq nginx; do command -v $c >/dev/null || skip "$c missing (tools/packages/pxe.txt)"; done
[ -r /usr/lib/PXELINUX/pxelinux.0 ] || skip "pxelinux missing (tools/packages/pxe.txt)"
[ -d /usr/lib/grub/x86_64-efi ] || skip "grub-efi-amd64-bin missing (tools/packages/pxe.txt)"
SERVE=$NETINIT_ROOT/tools/netinit-serve
PXE_NS=npxe$$
PXE_SERVE_PID=""
PXE_PIDS=""
pxe_cleanup() {
	for p in $PXE_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$PXE_SERVE_PID" ] && kill "$PXE_SERVE_PID" 2>/dev/null && wait "$PXE_SERVE_PID" 2>/dev/null
	# what still runs inside the namespace is ours (a QEMU of pxe_boot_bg)
	for p in $(ip netns pids "$PXE_NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
	ip netns del "$PXE_NS" 2>/dev/null
}
trap pxe_cleanup EXIT
ip netns add "$PXE_NS" || skip "cannot create a network namespace"
ip -n "$PXE_NS" link set lo up
# a bridge, so that several guests (one tap each) share the segment with the server
ip -n "$PXE_NS" link add br0 type bridge || fail "bridge"
ip -n "$PXE_NS" addr add 10.9.0.1/24 dev br0
ip -n "$PXE_NS" link set br0 up
for t in tap0 tap1; do
	ip -n "$PXE_NS" tuntap add dev $t mode tap || fail "tuntap $t"
	ip -n "$PXE_NS" link set $t master br0
	ip -n "$PXE_NS" link set $t up
done

# pxe_serve ARGS...: tools/netinit-serve ARGS on br0, state in $W/srv, output in $W/serve.log
pxe_serve() {
	ip netns exec "$PXE_NS" "$SERVE" --dir "$W/srv" "$@" br0 > "$W/serve.log" 2>&1 &
	PXE_SERVE_PID=$!
	for _ in $(seq 100); do
		grep -q 'serving; Ctrl-C stops' "$W/serve.log" && return 0
		kill -0 "$PXE_SERVE_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$W/serve.log" >&2
	fail "netinit-serve did not start"
}
# pxe_serve_stop: SIGTERM, then check it said so and left no dnsmasq/nginx behind
pxe_serve_stop() {
	dpid=$(cat "$W/srv/dnsmasq.pid" 2>/dev/null)
	npid=$(cat "$W/srv/nginx/nginx.pid" 2>/dev/null)
	kill -TERM "$PXE_SERVE_PID"; wait "$PXE_SERVE_PID"; rc=$?
	PXE_SERVE_PID=""
	[ $rc = 0 ] || fail "netinit-serve exited with $rc on SIGTERM"
	grep -q 'netinit-serve: stopped' "$W/serve.log" || fail "netinit-serve did not say it stopped"
	for p in $dpid $npid; do ! kill -0 "$p" 2>/dev/null || fail "process $p still runs after netinit-serve stopped"; done
	[ -n "$dpid" ] || fail "no dnsmasq pid file"
}

# pxe_boot LOG TAP MAC [qemu args...]: boot from the network through the firmware; ends at the
# test root's NETINIT-POWEROFF (or QEMU's exit). Sets PXE_FW: seconds from QEMU's start to the
# kernel's first instant (the wall clock when its first line appears minus the kernel
# timestamp of the newest line shown then).
pxe_boot() {
	log=$1 tap=$2 mac=$3; shift 3
	: > "$log"
	t0=$(date +%s.%N)
	ip netns exec "$PXE_NS" timeout --foreground -k 5 "${E2E_TIMEOUT:-400}" qemu-system-x86_64 -accel tcg -cpu max -smp 1 \
		-m "${E2E_MEM:-512}" -nographic -no-reboot -nodefaults -serial stdio -display none \
		-netdev tap,id=n0,ifname=$tap,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$mac${PXE_NIC:+,$PXE_NIC} \
		"$@" < /dev/null > "$log" 2>&1 &
	qpid=$!
	PXE_PIDS="$PXE_PIDS $qpid"
	PXE_FW=""
	while kill -0 $qpid 2>/dev/null; do
		if [ -z "$PXE_FW" ] && grep -aq 'Linux version' "$log"; then
			t1=$(date +%s.%N)
			k=$(grep -ao '^\[ *[0-9]*\.[0-9]*\]' "$log" | tail -n 1 | tr -d '[] ')
			PXE_FW=$(echo "$t1 $t0 ${k:-0}" | awk '{printf "%.1f", $1 - $2 - $3}')
		fi
		if grep -aq 'NETINIT-POWEROFF' "$log"; then sleep 1; kill $qpid 2>/dev/null; wait $qpid; return 0; fi
		sleep 0.2
	done
	wait $qpid
	rc=$?
	[ $rc -eq 124 ] && note "QEMU timed out after ${E2E_TIMEOUT:-400} s"
	return $rc
}
# pxe_boot_bg NAME TAP MAC [qemu args...]: pxe_boot in the background (several guests on the
# segment at once), serial log in $W/NAME.log; pxe_wait NAME waits for it and sets PXE_FW
pxe_boot_bg() {
	n=$1; shift
	( pxe_boot "$W/$n.log" "$@"; rc=$?; echo "$rc ${PXE_FW:-}" > "$W/$n.done" ) &
	PXE_PIDS="$PXE_PIDS $!"
	eval "PXE_BG_$n=\$!"
}
pxe_wait() {
	eval "wait \$PXE_BG_$1"
	read -r rc PXE_FW < "$W/$1.done" || return 1
	return "$rc"
}
# pxe_times LOG CHAIN: note firmware time, netinit's switch_root uptime and their sum
pxe_times() {
	sr=$(grep -ao 'switching root to .* at [0-9.]* s uptime' "$1" | head -n 1 | sed 's/.* at \([0-9.]*\) s uptime/\1/')
	[ -n "$sr" ] || fail "no 'switching root' line in $1"
	note "$(echo "$2 ${PXE_FW:-?} $sr" | awk '{printf "time %s: firmware+loader %.1f s, kernel start to switch_root %.1f s, firmware to switch_root %.1f s", $1, $2, $3, $2 + $3}')"
}
# cmdline_of LOG: the booted root's /proc/cmdline (the end of its NETINIT-RESULT line)
cmdline_of() { result_line "$1" | sed -n 's/.* cmdline=//p'; }
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
# ovmf_args NAME [VARS [CODE]]: the pflash pair for OVMF, with a private copy of the variable store
ovmf_args() {
	code=${3:-$OVMF_CODE}
	[ -r "$code" ] || skip "OVMF missing (tools/packages/pxe.txt: ovmf)"
	cp "${2:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$W/$1.vars.fd"
	echo "-drive if=pflash,format=raw,readonly=on,file=$code -drive if=pflash,format=raw,file=$W/$1.vars.fd"
}
# ovmf_secboot_args NAME: OVMF built for Secure Boot (it needs SMM: q35, smm=on, a secure
# pflash) with Microsoft's keys enrolled in its variable store (Debian's OVMF_VARS_4M.ms.fd)
ovmf_secboot_args() {
	echo "-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on"
	ovmf_args "$1" /usr/share/OVMF/OVMF_VARS_4M.ms.fd /usr/share/OVMF/OVMF_CODE_4M.secboot.fd
}
