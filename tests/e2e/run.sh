#!/bin/bash
# Run every e2e case (or those named as arguments); PASS/FAIL lines go to build/results/e2e.txt.
# E2E_JOBS cases run at once (default: 2 on a machine with 2 or more CPUs; each QEMU under TCG
# keeps one busy). The cases that touch shared host state — network namespaces, taps,
# bridges, raw Ethernet, the cached Debian roots — or say "E2E_SERIAL" in a comment run one
# after the other in a lane of their own, beside the others. Each case's output is kept in build/e2e/<case>.out and printed when it ends.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${NETINIT_BUILD:-$root/build}
case $B in /*) ;; *) B=$root/$B ;; esac
mkdir -p "$B/results" "$B/e2e"
res=$B/results/e2e.txt
: > "$res"
cases=${*:-$(ls "$here"/cases/*.sh 2>/dev/null)}
cpus=$(nproc 2>/dev/null || echo 1)
jobs=${E2E_JOBS:-$([ "$cpus" -ge 2 ] && echo 2 || echo 1)}

is_serial() {
	grep -qE 'E2E_SERIAL|ip netns|ip link add|ip tuntap|pxe-lib\.sh|vblade|mk-debian-root' "$1"
}

run_one() { # case: runs it, prints its output and one result line
	local c=$1 name rc t0 dt
	name=$(basename "$c" .sh)
	t0=$(date +%s)
	NETINIT_ROOT=$root NETINIT_BUILD=$B bash "$c" > "$B/e2e/$name.out" 2>&1
	rc=$?
	dt=$(( $(date +%s) - t0 ))
	cat "$B/e2e/$name.out"
	if [ $rc -eq 0 ]; then echo "PASS $name" >> "$res"; echo "e2e: PASS $name (${dt}s)"
	elif [ $rc -eq 77 ]; then echo "SKIP $name" >> "$res"; echo "e2e: SKIP $name"
	else echo "FAIL $name" >> "$res"; echo "e2e: FAIL $name (${dt}s, log in $B/e2e/$name/)"; fi
}

parallel='' serial=''
for c in $cases; do
	if [ "$jobs" -gt 1 ] && is_serial "$c"; then serial="$serial $c"; else parallel="$parallel $c"; fi
done
# the cases that must run alone form one lane, run one after the other beside the rest
if [ -n "$serial" ]; then
	( for c in $serial; do run_one "$c"; done ) &
	lanes=$((jobs - 1))
else
	lanes=$jobs
fi
running=0
for c in $parallel; do
	if [ "$lanes" -le 1 ]; then
		run_one "$c"
		continue
	fi
	if [ $running -ge "$lanes" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$c" &
	running=$((running + 1))
done
wait
pass=$(grep -c '^PASS' "$res") failn=$(grep -c '^FAIL' "$res") skipn=$(grep -c '^SKIP' "$res")
echo "e2e: $pass passed, $failn failed, $skipn skipped (${jobs} at a time${serial:+, $(echo $serial | wc -w) in the one-at-a-time lane})"
[ "$failn" -eq 0 ]
