#!/bin/sh
# mklist.sh: print the whole gen_init_cpio list of netinit's initramfs on stdout.
#
#   sh tools/mklist.sh --kdir /lib/modules/<kver> --init build/init --base initramfs-list \
#       --modules "virtio_net ext4 ..." [--extra "my.list ..."] [--outdir build] [--compress zstd|none]
#
# Output: the --base list verbatim, /init, the requested modules with every dependency
# (modules.dep) and soft dependency (modules.softdep pre:/post:, resolved through modules.alias,
# e.g. crypto-crc32c) under /lib/modules/<kver>/, the index files modules.{dep,alias,softdep}
# rewritten to cover just the packed modules plus modules.builtin whole (generated into
# <outdir>/initramfs-modules/<kver>/), then each --extra list verbatim.
# --compress zstd (the default) packs each module as <name>.ko.zst (compressed once into
# <outdir>/initramfs-modules/<kver>/ko/, again only when the source is newer): the kernel then
# unpacks about a fifth of the bytes at boot, and netinit decompresses only the modules it loads
# (kmod/kmod.c). Modules that are already compressed (.ko.xz, .ko.zst, .ko.gz) are packed as they are.
# Built-in modules are skipped with a note on stderr; a name that is neither a module, an
# alias nor built in is an error. '-' and '_' are equivalent in names.
set -eu
export LC_ALL=C

prog=mklist.sh
kdir="" init="" base="" modules="" extra="" outdir="${BUILD:-build}" compress=zstd
die() { echo "$prog: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1: missing value"
	case "$1" in
	--kdir) kdir=$2 ;;
	--init) init=$2 ;;
	--base) base=$2 ;;
	--modules) modules=$2 ;;
	--extra) extra=$2 ;;
	--outdir) outdir=$2 ;;
	--compress) compress=$2 ;;
	*) die "unknown option $1; expected --kdir --init --base --modules --extra --outdir --compress" ;;
	esac
	shift 2
done
case $compress in zstd|none) ;; *) die "--compress $compress: expected zstd or none" ;; esac
[ "$compress" = none ] || command -v zstd >/dev/null || die "--compress zstd needs the zstd command (apt-get install zstd)"
[ -n "$kdir" ] || die "--kdir is required (e.g. /lib/modules/\$(uname -r))"
[ -f "$kdir/modules.dep" ] || die "$kdir/modules.dep not found; expected a kernel module directory (apt-get install linux-image-amd64)"
[ -n "$init" ] && [ -f "$init" ] || die "--init '$init' is not a file; expected the static /init binary"
[ -z "$base" ] || [ -f "$base" ] || die "--base '$base' not found"
for x in $extra; do [ -f "$x" ] || die "--extra list '$x' not found"; done

abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
kdir=$(cd "$kdir" && pwd -P)
kver=$(basename "$kdir")
init=$(abspath "$init")
idx="$outdir/initramfs-modules/$kver"
mkdir -p "$idx"
idx=$(cd "$idx" && pwd -P)

# Resolve the module closure: prints the packed modules' paths (relative to kdir), one a line.
for f in modules.alias modules.softdep modules.builtin; do
	[ -f "$kdir/$f" ] || : > "$idx/empty.$f"
done
src() { if [ -f "$kdir/$1" ]; then echo "$kdir/$1"; else echo "$idx/empty.$1"; fi; }

awk -v want="$modules" -v depf="$kdir/modules.dep" -v aliasf="$(src modules.alias)" \
    -v softf="$(src modules.softdep)" -v builtinf="$(src modules.builtin)" -v prog="$prog" '
function norm(s) { gsub(/-/, "_", s); return s }
function modname(p,   b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); return norm(b) }
# modules.alias glob (outside brackets "-" is "_") to an anchored regular expression.
function glob_re(g,   r, i, c, n, inb) {
	r = "^"; n = length(g); inb = 0
	for (i = 1; i <= n; i++) {
		c = substr(g, i, 1)
		if (inb) {
			if (c == "]") inb = 0
			r = r c
		} else if (c == "*") r = r ".*"
		else if (c == "?") r = r "."
		else if (c == "[") {
			inb = 1; r = r "["
			if (substr(g, i + 1, 1) == "!") { r = r "^"; i++ }
		} else if (c == "-") r = r "_"
		else if (index("\\^$.|()+{}/", c)) r = r "\\" c
		else r = r c
	}
	return r "$"
}
function add(n,   k, d, i, parts) {
	if (n in packed) return
	packed[n] = 1
	k = split(deps[n], parts, " ")
	for (i = 1; i <= k; i++) add(modname(parts[i]))
	k = split(soft[n], parts, " ")
	for (i = 1; i <= k; i++) resolve(parts[i], 1)
}
# Returns the number of modules (or built-ins) the name stands for.
function resolve(name, is_soft,   n, i, hits) {
	n = norm(name)
	if (n in path) { add(n); return 1 }
	if (n in builtin) { return 1 }
	hits = 0
	for (i = 1; i <= nalias; i++) {
		if (apat[i] != n) {
			if (alit[i] == apat[i]) continue
			if (substr(n, 1, length(alit[i])) != alit[i]) continue
			if (!(i in are)) are[i] = glob_re(apat[i])
			if (n !~ are[i]) continue
		}
		if (amod[i] in path) { add(amod[i]); hits++ }
		else if (amod[i] in builtin) hits++
	}
	if (!hits && !is_soft) { printf "%s: %s: no such module, alias or built-in in %s\n", prog, name, depf > "/dev/stderr"; bad = 1 }
	return hits
}
BEGIN {
	while ((getline line < depf) > 0) {
		c = index(line, ":"); if (!c) continue
		p = substr(line, 1, c - 1); n = modname(p)
		if (n in path) continue
		path[n] = p; deps[n] = substr(line, c + 1)
	}
	while ((getline line < builtinf) > 0) if (line != "") builtin[modname(line)] = 1
	while ((getline line < aliasf) > 0) {
		k = split(line, f, " ")
		if (k == 3 && f[1] == "alias") {
			nalias++; g = f[2]; out = ""; inb = 0
			for (i = 1; i <= length(g); i++) {	# normalise outside brackets
				ch = substr(g, i, 1)
				if (ch == "[") inb = 1; else if (ch == "]") inb = 0
				else if (ch == "-" && !inb) ch = "_"
				out = out ch
			}
			apat[nalias] = out; amod[nalias] = norm(f[3])
			alit[nalias] = out; sub(/[*?[].*/, "", alit[nalias])	# literal prefix
		}
	}
	while ((getline line < softf) > 0) {
		k = split(line, f, " ")
		if (k < 3 || f[1] != "softdep") continue
		mode = 0
		for (i = 3; i <= k; i++) {
			if (f[i] == "pre:" || f[i] == "post:") mode = 1
			else if (mode) soft[norm(f[2])] = soft[norm(f[2])] " " f[i]
		}
	}
	k = split(want, w, " ")
	for (i = 1; i <= k; i++) {
		n = norm(w[i])
		if (!(n in path) && (n in builtin)) { printf "%s: %s is built into the kernel; not packed\n", prog, w[i] > "/dev/stderr"; continue }
		resolve(w[i], 0)
	}
	if (bad) exit 1
	for (n in packed) print path[n]
}' > "$idx/packed.txt" || die "module resolution failed"
sort -o "$idx/packed.txt" "$idx/packed.txt"

# Index files covering just the packed modules (modules.builtin whole).
awk -v list="$idx/packed.txt" '
function modname(p,   b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b); return b }
BEGIN { while ((getline l < list) > 0) keep[l] = 1 }
{ c = index($0, ":"); if (c && (substr($0, 1, c - 1) in keep)) print }' "$kdir/modules.dep" > "$idx/modules.dep.src"
# the packed name of a module: compressed ones (.ko.zst) when --compress zstd
packed_name() { if [ "$compress" = zstd ] && [ "${1%.ko}" != "$1" ]; then echo "$1.zst"; else echo "$1"; fi; }
if [ "$compress" = zstd ]; then
	sed -e 's/\.ko:/.ko.zst:/' -e 's/\.ko /.ko.zst /g' -e 's/\.ko$/.ko.zst/' "$idx/modules.dep.src" > "$idx/modules.dep"
	while read -r p; do
		[ "${p%.ko}" != "$p" ] || continue
		z=$idx/ko/$p.zst
		if [ ! -f "$z" ] || [ "$kdir/$p" -nt "$z" ]; then
			mkdir -p "$(dirname "$z")"
			zstd -19 -q -f -o "$z.tmp" "$kdir/$p" && mv "$z.tmp" "$z" || die "zstd $kdir/$p failed"
		fi
	done < "$idx/packed.txt"
else
	cp "$idx/modules.dep.src" "$idx/modules.dep"
fi
awk -v list="$idx/packed.txt" '
function modname(p,   b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b); return b }
BEGIN { while ((getline l < list) > 0) keep[modname(l)] = 1 }
$1 == "alias" && NF == 3 { m = $3; gsub(/-/, "_", m); if (m in keep) print }' "$(src modules.alias)" > "$idx/modules.alias"
awk -v list="$idx/packed.txt" '
BEGIN { while ((getline l < list) > 0) { b = l; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b); keep[b] = 1 } }
$1 == "softdep" { m = $2; gsub(/-/, "_", m); if (m in keep) print }' "$(src modules.softdep)" > "$idx/modules.softdep"
cp "$(src modules.builtin)" "$idx/modules.builtin"

# ---- the list ----
[ -z "$base" ] || { cat "$base"; echo; }
echo "# generated by tools/mklist.sh for kernel $kver"
echo "file /init $init 0755 0 0"
# Directories: every parent of a module file, minus those the base list already has.
{
	echo "/lib"; echo "/lib/modules"; echo "/lib/modules/$kver"
	while read -r p; do
		d=$(dirname "/lib/modules/$kver/$p")	# (compression keeps the directory)
		while [ "$d" != "/lib/modules/$kver" ] && [ "$d" != "/" ]; do
			echo "$d"; d=$(dirname "$d")
		done
	done < "$idx/packed.txt"
} | sort -u > "$idx/dirs.txt"
if [ -n "$base" ]; then
	awk '$1 == "dir" { n = $2; sub(/\/+$/, "", n); print n }' "$base" | sort -u > "$idx/basedirs.txt"
else
	: > "$idx/basedirs.txt"
fi
comm -23 "$idx/dirs.txt" "$idx/basedirs.txt" | while read -r d; do echo "dir $d 0755 0 0"; done
while read -r p; do
	q=$(packed_name "$p")
	if [ "$q" = "$p" ]; then src=$kdir/$p; else src=$idx/ko/$q; fi
	echo "file /lib/modules/$kver/$q $src 0644 0 0"
done < "$idx/packed.txt"
for f in modules.dep modules.alias modules.softdep modules.builtin; do
	echo "file /lib/modules/$kver/$f $idx/$f 0644 0 0"
done
for x in $extra; do echo "# --extra $x"; cat "$x"; echo; done
