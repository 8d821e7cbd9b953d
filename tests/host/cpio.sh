#!/bin/sh
# Host test: tools/mkcpio packs a gen_init_cpio list that GNU cpio unpacks to exactly the listed
# files, modes, owners, symlinks, hard links, fifos, sockets and device nodes. Also: reproducible
# output with -t, errors for a broken list or a missing source, and mklist.sh's module list
# (when a kernel is installed) packs cleanly.
set -u
ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "cpio: needs root (device nodes, owners)"; exit 77; }
command -v cpio >/dev/null || { echo "cpio: GNU cpio not installed"; exit 77; }
T=$(mktemp -d /tmp/netinit-cpio.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "cpio: FAIL: $*"; fails=$((fails + 1)); }

gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$ROOT" -o "$T/mkcpio" \
	"$ROOT/tools/mkcpio.c" "$ROOT/tools/cpiolist.c" || { echo "cpio: build failed"; exit 1; }

# Sources: sizes around the 4-byte padding, an empty file, a larger binary file.
mkdir -p "$T/src"
printf 'a' > "$T/src/one"
printf 'abcd' > "$T/src/four"
printf 'abcdefg' > "$T/src/seven"
: > "$T/src/empty"
head -c 300001 /dev/urandom > "$T/src/big"
export CPIOTEST_SRC="$T/src"

cat > "$T/list" <<EOF
# every entry type
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
nod /dev/sda1 0660 0 6 b 8 1
nod /dev/big 0600 0 0 c 511 1048575
dir /bin 0755 0 0
file /bin/one $T/src/one 0755 0 0
file /bin/four \${CPIOTEST_SRC}/four 0644 1000 1000
file /bin/seven $T/src/seven 4711 0 0
file /bin/empty $T/src/empty 0600 0 0
file /bin/big $T/src/big 0644 0 0 /bin/big2 /bin/big3
slink /bin/sh one 0777 0 0
slink /bin/abs /etc/somewhere/very/long/target/name 0777 0 0
dir /tmp 1777 0 0
dir /tmp/sub 2750 12 34
pipe /tmp/fifo 0620 5 6
sock /tmp/sock 0700 7 8
dir /a-rather-long-directory-name-to-move-the-padding 0700 0 0
EOF

# name|type|mode(octal)|uid|gid|extra (rdev major:minor, link target or source file)
cat > "$T/expect" <<EOF
dev|directory|755|0|0|
dev/console|character special file|600|0|0|5:1
dev/null|character special file|666|0|0|1:3
dev/sda1|block special file|660|0|6|8:1
dev/big|character special file|600|0|0|511:1048575
bin|directory|755|0|0|
bin/one|regular file|755|0|0|$T/src/one
bin/four|regular file|644|1000|1000|$T/src/four
bin/seven|regular file|4711|0|0|$T/src/seven
bin/empty|regular empty file|600|0|0|$T/src/empty
bin/big|regular file|644|0|0|$T/src/big
bin/big2|regular file|644|0|0|$T/src/big
bin/big3|regular file|644|0|0|$T/src/big
bin/sh|symbolic link|777|0|0|one
bin/abs|symbolic link|777|0|0|/etc/somewhere/very/long/target/name
tmp|directory|1777|0|0|
tmp/sub|directory|2750|12|34|
tmp/fifo|fifo|620|5|6|
tmp/sock|socket|700|7|8|
a-rather-long-directory-name-to-move-the-padding|directory|700|0|0|
EOF

"$T/mkcpio" "$T/list" > "$T/out.cpio" 2> "$T/err" || { cat "$T/err"; fail "mkcpio exit $?"; }
[ -s "$T/err" ] && fail "unexpected warnings: $(cat "$T/err")"

# The archive's member list is the list, in order (hard links: big2, big3 before big).
cpio -it --quiet < "$T/out.cpio" > "$T/names" || fail "cpio -t rejects the archive"
printf '%s\n' dev dev/console dev/null dev/sda1 dev/big bin bin/one bin/four bin/seven bin/empty \
	bin/big bin/big2 bin/big3 bin/sh bin/abs tmp tmp/sub tmp/fifo tmp/sock \
	a-rather-long-directory-name-to-move-the-padding > "$T/names.want"
sort "$T/names" > "$T/n1"; sort "$T/names.want" > "$T/n2"
cmp -s "$T/n1" "$T/n2" || fail "member names differ: $(diff "$T/n1" "$T/n2" | tr '\n' ' ')"

mkdir "$T/x"
(cd "$T/x" && cpio -idm --quiet --no-absolute-filenames < "$T/out.cpio") || fail "cpio -i failed"
# Exactly the listed entries, nothing else.
(cd "$T/x" && find . -mindepth 1 | sed 's|^\./||' | sort) > "$T/found"
cmp -s "$T/found" "$T/n2" || fail "unpacked tree differs: $(diff "$T/found" "$T/n2" | tr '\n' ' ')"

while IFS='|' read -r name type mode uid gid extra; do
	p="$T/x/$name"
	got=$(stat -c '%F|%a|%u|%g' "$p" 2>/dev/null) || { fail "$name missing"; continue; }
	[ "$got" = "$type|$mode|$uid|$gid" ] || fail "$name: got $got, want $type|$mode|$uid|$gid"
	case "$type" in
	*special*)
		dev=$(stat -c '%t %T' "$p")
		# shellcheck disable=SC2086
		dev=$(printf '%d:%d' 0x${dev% *} 0x${dev#* })
		[ "$dev" = "$extra" ] || fail "$name: device $dev, want $extra" ;;
	symbolic*)
		[ "$(readlink "$p")" = "$extra" ] || fail "$name: link to $(readlink "$p"), want $extra" ;;
	regular*)
		cmp -s "$p" "$extra" || fail "$name: content differs from $extra" ;;
	esac
done < "$T/expect"
i1=$(stat -c %i "$T/x/bin/big"); i2=$(stat -c %i "$T/x/bin/big2"); i3=$(stat -c %i "$T/x/bin/big3")
[ "$i1" = "$i2" ] && [ "$i2" = "$i3" ] || fail "bin/big{,2,3} are not hard links ($i1 $i2 $i3)"
[ "$(stat -c %h "$T/x/bin/big")" = 3 ] || fail "bin/big link count $(stat -c %h "$T/x/bin/big")"

# Reproducible: same bytes twice with -t; non-file entries get SOURCE_DATE_EPOCH.
"$T/mkcpio" -t 1700000000 "$T/list" > "$T/r1.cpio" && "$T/mkcpio" -t 1700000000 "$T/list" > "$T/r2.cpio" &&
	cmp -s "$T/r1.cpio" "$T/r2.cpio" || fail "-t output not reproducible"
mkdir "$T/y" && (cd "$T/y" && cpio -idm --quiet < "$T/r1.cpio")
[ "$(stat -c %Y "$T/y/bin/one")" = 1700000000 ] || fail "-t did not set file mtime"
SOURCE_DATE_EPOCH=1600000000 "$T/mkcpio" "$T/list" > "$T/s.cpio"
mkdir "$T/z" && (cd "$T/z" && cpio -idm --quiet < "$T/s.cpio")
[ "$(stat -c %Y "$T/z/tmp/sub")" = 1600000000 ] || fail "SOURCE_DATE_EPOCH not applied to dirs"

# Errors: a malformed line names its line; a missing source fails; -o leaves no file behind.
printf 'dir /a 0755 0 0\nfile /b\n' > "$T/bad.list"
if "$T/mkcpio" "$T/bad.list" > /dev/null 2> "$T/err"; then fail "malformed list accepted"; fi
grep -q 'bad.list: line 2: file: 1 fields' "$T/err" || fail "error text: $(cat "$T/err")"
printf 'file /b %s/nonexistent 0644 0 0\n' "$T" > "$T/missing.list"
if "$T/mkcpio" -o "$T/m.cpio" "$T/missing.list" 2> "$T/err"; then fail "missing source accepted"; fi
[ -e "$T/m.cpio" ] && fail "-o output left behind after an error"
grep -q 'cannot open' "$T/err" || fail "error text: $(cat "$T/err")"
# Missing parent directory: a warning, not an error.
printf 'file /nodir/x %s/src/one 0644 0 0\n' "$T" > "$T/noparent.list"
"$T/mkcpio" "$T/noparent.list" > /dev/null 2> "$T/err" || fail "missing parent is fatal"
grep -q 'parent directory /nodir' "$T/err" || fail "no parent warning: $(cat "$T/err")"
# Several lists and stdin.
printf 'dir /s 0755 0 0\n' | "$T/mkcpio" "$T/list" - > "$T/multi.cpio" || fail "list + stdin"
cpio -it --quiet < "$T/multi.cpio" | grep -qx s || fail "stdin list not packed"

# The real initramfs list (modules of the newest installed kernel), any static binary as /init.
kdir=$(ls -d /lib/modules/* 2>/dev/null | sort -V | tail -n 1)
if [ -n "$kdir" ] && [ -f "$kdir/modules.dep" ]; then
	init=${NETINIT_BUILD:-$ROOT/build}/init
	[ -f "$init" ] || init=/bin/sh
	(cd "$ROOT" && sh tools/mklist.sh --kdir "$kdir" --init "$init" --base initramfs-list \
		--modules "virtio_net ext4 squashfs overlay af_packet" --outdir "$T/build") \
		> "$T/initramfs.list" 2> "$T/err" || fail "mklist.sh: $(cat "$T/err")"
	(cd "$ROOT" && "$T/mkcpio" "$T/initramfs.list") > "$T/initramfs.cpio" 2> "$T/err" ||
		fail "packing the initramfs list"
	[ -s "$T/err" ] && fail "initramfs list warnings: $(cat "$T/err")"
	mkdir "$T/i" && (cd "$T/i" && cpio -idm --quiet < "$T/initramfs.cpio") || fail "unpacking initramfs"
	kver=$(basename "$kdir")
	for f in init dev/console dev/null etc/ssl/certs/ca-certificates.crt \
		lib/modules/$kver/modules.dep lib/modules/$kver/modules.alias \
		lib/modules/$kver/modules.softdep lib/modules/$kver/modules.builtin; do
		[ -e "$T/i/$f" ] || fail "initramfs lacks /$f"
	done
	# Every module modules.dep names is packed, and every packed .ko is in modules.dep.
	dep="$T/i/lib/modules/$kver/modules.dep"
	tr -d ':' < "$dep" | tr ' ' '\n' | grep . | sort -u | while read -r m; do
		[ -f "$T/i/lib/modules/$kver/$m" ] || echo "missing $m"
	done > "$T/missing"
	[ -s "$T/missing" ] && fail "dependencies not packed: $(cat "$T/missing" | tr '\n' ' ')"
	for m in ext4 jbd2 mbcache crc16 virtio_net net_failover failover squashfs overlay crc32c_generic; do
		grep -q "/$m.ko.zst:" "$dep" || fail "module $m not packed as .ko.zst"
	done
	# --compress zstd (the default): each packed module decompresses to the kernel's file
	grep -q '\.ko[: ]' "$dep" && fail "modules.dep names an uncompressed module: $(grep -m1 '\.ko[: ]' "$dep")"
	p=$(grep -o '^[^:]*ext4.ko.zst' "$dep")
	zstd -dc "$T/i/lib/modules/$kver/$p" | cmp -s - "$kdir/${p%.zst}" || fail "$p does not decompress to $kdir/${p%.zst}"
	# --compress none: plain .ko, as the kernel ships them
	(cd "$ROOT" && sh tools/mklist.sh --kdir "$kdir" --init "$init" --modules "squashfs" --compress none \
		--outdir "$T/build-none") > "$T/none.list" 2> "$T/err" || fail "mklist.sh --compress none: $(cat "$T/err")"
	grep -q "^file /lib/modules/$kver/kernel/fs/squashfs/squashfs.ko [^ ]*/modules/$kver/kernel/fs/squashfs/squashfs.ko " "$T/none.list" ||
		fail "--compress none: squashfs.ko not packed from $kdir"
	if (cd "$ROOT" && sh tools/mklist.sh --kdir "$kdir" --init "$init" --modules "squashfs" --compress lz4 \
		--outdir "$T/build-none") > /dev/null 2> "$T/err"; then fail "--compress lz4 accepted"; fi
	grep -q 'af_packet' "$dep" && fail "built-in af_packet packed"
	cmp -s "$T/i/lib/modules/$kver/modules.builtin" "$kdir/modules.builtin" || fail "modules.builtin not whole"
	[ -e "$T/build/initramfs-modules/$kver/modules.dep" ] || fail "index not generated under --outdir"
	if (cd "$ROOT" && sh tools/mklist.sh --kdir "$kdir" --init "$init" --modules "no_such_module" \
		--outdir "$T/build") > /dev/null 2> "$T/err"; then fail "unknown module accepted"; fi
	grep -q 'no_such_module: no such module' "$T/err" || fail "error text: $(cat "$T/err")"
else
	echo "cpio: no kernel under /lib/modules; mklist part skipped"
fi

[ $fails -eq 0 ] || exit 1
echo "cpio: all checks passed"
