#!/bin/sh
# Run unit test binaries; PASS/FAIL lines go to build/results/unit.txt.
B=${NETINIT_BUILD:-build}
mkdir -p "$B/results"; res=$B/results/unit.txt; : > "$res"
failn=0
for t in "$@"; do
	name=$(basename "$t")
	if "$t"; then echo "PASS $name" >> "$res"; else echo "FAIL $name" >> "$res"; failn=$((failn+1)); fi
done
[ $failn -eq 0 ]
