#!/bin/sh
# make check: every suite runs even when an earlier one fails; the report sums them up.
B=${NETINIT_BUILD:-build}
MAKE=${MAKE:-make}
rm -rf "$B/results"; mkdir -p "$B/results"
$MAKE unit || { grep -q FAIL "$B/results/unit.txt" 2>/dev/null || echo "FAIL unit-build" >> "$B/results/unit.txt"; }
$MAKE hostcheck || { [ -s "$B/results/host.txt" ] || echo "FAIL host-build" >> "$B/results/host.txt"; }
$MAKE e2e || { [ -s "$B/results/e2e.txt" ] || echo "FAIL e2e-build" >> "$B/results/e2e.txt"; }
exec sh tests/report.sh "$B/results"
