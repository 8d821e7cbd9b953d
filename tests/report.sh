#!/bin/sh
# Sum build/results/*.txt into the closing line "N passed, N failed, N skipped".
d=${1:-build/results}
cat "$d"/*.txt 2>/dev/null > "$d/.all" || true
p=$(grep -c '^PASS' "$d/.all"); f=$(grep -c '^FAIL' "$d/.all"); s=$(grep -c '^SKIP' "$d/.all")
grep '^FAIL' "$d/.all" | sed 's/^/  /'
for suite in "$d"/*.txt; do
	[ -f "$suite" ] || continue
	echo "  $(basename "$suite" .txt): $(grep -c '^PASS' "$suite") passed, $(grep -c '^FAIL' "$suite") failed, $(grep -c '^SKIP' "$suite") skipped"
done
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
