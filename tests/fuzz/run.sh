#!/bin/sh
# tests/fuzz/run.sh SECONDS BIN...: run each fuzzer for SECONDS with a corpus under build/fuzz/corpus.
secs=$1; shift
st=0
for f in "$@"; do
	name=$(basename "$f")
	corpus=$(dirname "$f")/corpus/$name
	mkdir -p "$corpus"
	seeds=$(dirname "$0")/seeds/${name#fuzz_}
	[ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null
	echo "fuzz: $name for $secs s"
	[ "$name" = fuzz_probe ] && [ -f tests/unit/fixtures/probe/mkseeds.sh ] && sh tests/unit/fixtures/probe/mkseeds.sh >/dev/null 2>&1
	if "$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$(dirname "$f")/$name-" "$corpus" > "$(dirname "$f")/$name.log" 2>&1; then
		echo "fuzz: $name: clean, $(grep -a 'stat::number_of_executed_units' "$(dirname "$f")/$name.log" | awk '{print $2}') runs"
	else
		echo "fuzz: $name: FAILED (see $(dirname "$f")/$name.log)"; st=1
	fi
done
exit $st
