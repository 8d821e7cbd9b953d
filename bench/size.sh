#!/bin/sh
# bench/size.sh: size of /init (stripped) and of the initramfs, next to dracut's figures
# measured on the same kernel (GUIDE.md section 5), as numbers and ratios.
#   sh bench/size.sh [build-dir]        (make bench builds the image first)
set -eu
B=${1:-${NETINIT_BUILD:-build}}
init=$B/init img=$B/initramfs.img list=$B/initramfs.list
DRACUT_GENERIC=58700000	# dracut livenet, generic image: 58.7 MB
DRACUT_TRIMMED=35300000	# dracut livenet, trimmed (hostonly) image: 35.3 MB
TARGET=4194304		# netinit's goal: <= 4 MiB with all boot modules
for f in "$init" "$img"; do
	[ -f "$f" ] || { echo "size: $f missing; run 'make initramfs' first" >&2; exit 1; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$init" "$tmp/init"
strip "$tmp/init" 2>/dev/null || true
init_sz=$(stat -c %s "$tmp/init")
img_sz=$(stat -c %s "$img")
raw_sz=$( (zstd -dc "$img" 2>/dev/null || xz -dc "$img" 2>/dev/null) | wc -c || true)
nmod=0
[ -f "$list" ] && nmod=$(grep -c '^file [^ ]*\.ko' "$list" || true)
human() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.2f MiB", b / 1048576; else printf "%.1f KiB", b / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
printf '%-44s %10s  %s\n' "what" "bytes" ""
printf '%-44s %10d  %s\n' "build/init (static, stripped)" "$init_sz" "$(human "$init_sz")"
printf '%-44s %10d  %s\n' "initramfs.img (compressed, $nmod modules)" "$img_sz" "$(human "$img_sz")"
[ -n "$raw_sz" ] && [ "$raw_sz" -gt 0 ] &&
	printf '%-44s %10d  %s\n' "initramfs cpio (uncompressed)" "$raw_sz" "$(human "$raw_sz")"
printf '%-44s %10d  %s\n' "dracut livenet, generic (GUIDE.md)" "$DRACUT_GENERIC" "$(human "$DRACUT_GENERIC")"
printf '%-44s %10d  %s\n' "dracut livenet, trimmed (GUIDE.md)" "$DRACUT_TRIMMED" "$(human "$DRACUT_TRIMMED")"
echo "ratio: dracut generic / netinit = $(ratio "$DRACUT_GENERIC" "$img_sz")x smaller"
echo "ratio: dracut trimmed / netinit = $(ratio "$DRACUT_TRIMMED" "$img_sz")x smaller"
if [ "$img_sz" -le "$TARGET" ]; then
	echo "target: initramfs <= 4 MiB: met ($(awk -v a="$img_sz" -v t="$TARGET" 'BEGIN { printf "%.0f", 100 * a / t }')% of it)"
else
	echo "target: initramfs <= 4 MiB: MISSED by $((img_sz - TARGET)) bytes"
	exit 1
fi
