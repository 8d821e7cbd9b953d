#!/bin/sh
# Run every tests/host/*.sh (as root, no VM); PASS/FAIL lines go to build/results/host.txt.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${NETINIT_BUILD:-$root/build}
case $B in /*) ;; *) B=$root/$B ;; esac
mkdir -p "$B/results"; res=$B/results/host.txt; : > "$res"
failn=0
for t in ${*:-$(ls "$here"/*.sh | grep -v '/run.sh$')}; do
	name=$(basename "$t" .sh)
	NETINIT_ROOT=$root NETINIT_BUILD=$B sh "$t"
	rc=$?
	if [ $rc -eq 0 ]; then echo "PASS $name" >> "$res"; echo "host: PASS $name"
	elif [ $rc -eq 77 ]; then echo "SKIP $name" >> "$res"; echo "host: SKIP $name"
	else echo "FAIL $name" >> "$res"; failn=$((failn+1)); echo "host: FAIL $name"; fi
done
[ $failn -eq 0 ]
