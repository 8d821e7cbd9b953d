#!/bin/sh
# Run every e2e case (or those named as arguments); PASS/FAIL lines go to build/results/e2e.txt.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${NETINIT_BUILD:-$root/build}
case $B in /*) ;; *) B=$root/$B ;; esac
mkdir -p "$B/results"
res=$B/results/e2e.txt
: > "$res"
cases=${*:-$(ls "$here"/cases/*.sh 2>/dev/null)}
pass=0 failn=0 skipn=0
for c in $cases; do
	name=$(basename "$c" .sh)
	t0=$(date +%s)
	NETINIT_ROOT=$root NETINIT_BUILD=$B bash "$c"
	rc=$?
	dt=$(( $(date +%s) - t0 ))
	if [ $rc -eq 0 ]; then echo "PASS $name" >> "$res"; pass=$((pass+1)); echo "e2e: PASS $name (${dt}s)"
	elif [ $rc -eq 77 ]; then echo "SKIP $name" >> "$res"; skipn=$((skipn+1)); echo "e2e: SKIP $name"
	else echo "FAIL $name" >> "$res"; failn=$((failn+1)); echo "e2e: FAIL $name (${dt}s, log in $B/e2e/$name/)"; fi
done
echo "e2e: $pass passed, $failn failed, $skipn skipped"
[ $failn -eq 0 ]
