#!/bin/sh
# fs/mkerofs.c (bootc.live.erofs) against the kernel and erofs-utils, no VM: a tree with
# every kind of entry (sizes around the block size, sparse, hard links, long symlinks,
# devices with large minors, fifo, socket, setuid/sticky modes, 32-bit owners, user/trusted/
# security xattrs, POSIX ACLs, a directory of 2000 names incl. ones sorting before ".",
# 255-byte names) is written, checked by fsck.erofs, mounted, and must read back exactly;
# the same tree made in another order gives the same bytes, a changed byte does not;
# --consume empties the source and still gives the same bytes, and lets an image be built
# on a tmpfs too small for two copies; errors name the path and the reason.
set -u
B=${NETINIT_BUILD:?}; M=$B/mkerofs; H=$NETINIT_ROOT/tests/host/erofs
[ -x "$M" ] || { echo "host erofs: $M missing (make hostcheck builds it)" >&2; exit 1; }
command -v fsck.erofs >/dev/null && command -v setfattr >/dev/null || { echo "erofs: erofs-utils/attr missing (make setup)" >&2; exit 77; }
W=$B/host/erofs
cleanup() {
	for m in "$W"/mnt* "$W/small" "$W/fit" "$W/t"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
}
cleanup; rm -rf "$W"; mkdir -p "$W/t"
trap cleanup EXIT
fails=0
ok() { echo "  erofs: ok: $*"; }
bad() { echo "  erofs: FAIL: $*" >&2; fails=$((fails+1)); }
mount -t tmpfs -o size=512m tmpfs "$W/t" || { echo "erofs: cannot mount a tmpfs" >&2; exit 1; }
S=$W/t/src
mktree() {
	d=$1
	mkdir -p "$d/a/b/c" "$d/empty" "$d/big" "$d/deep"
	p=$d/deep; for i in $(seq 1 30); do p=$p/level$i; done; mkdir -p "$p"; echo bottom > "$p/file"
	: > "$d/a/zero"; printf x > "$d/a/one"
	for n in 4095 4096 4097 8192 12287; do head -c $n /dev/urandom > "$d/a/b/size$n"; done
	head -c 3145739 /dev/urandom > "$d/a/b/c/three-mib"
	truncate -s 10M "$d/a/sparse"; printf tail | dd of="$d/a/sparse" bs=1 seek=10485000 conv=notrunc 2>/dev/null
	echo linked > "$d/a/hl1"; ln "$d/a/hl1" "$d/a/b/hl2"; ln "$d/a/hl1" "$d/empty/../hl3"
	ln -s ../hl1 "$d/a/b/short-link"
	ln -s "$(head -c 3000 /dev/zero | tr '\0' y)" "$d/a/inline-link"
	ln -s "/$(head -c 4090 /dev/zero | tr '\0' z)" "$d/a/block-link"
	mknod "$d/a/null" c 1 3; mknod "$d/a/bigminor" b 259 70000; mkfifo "$d/a/fifo"
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$d/a/sock"
	echo s > "$d/a/setuid"; chmod 4755 "$d/a/setuid"; chmod 1777 "$d/a/b"; echo n > "$d/a/none"; chmod 0 "$d/a/none"
	chown 1234:5678 "$d/a/one"; chown 100000:200000 "$d/a/zero"; chown -h 4321:4321 "$d/a/b/short-link"
	setfattr -n user.test -v hello "$d/a/one"; setfattr -n trusted.overlay.x -v y "$d/a/b"
	setfattr -n user.big -v "$(head -c 3000 /dev/zero | tr '\0' v)" "$d/a/b/size4097"
	setcap cap_net_raw+ep "$d/a/setuid"
	if command -v setfacl >/dev/null; then setfacl -m u:1000:r "$d/a/hl1"; setfacl -d -m g:100:rx "$d/a/b/c"; fi
	for i in $(seq 1 2000); do : > "$d/big/entry-with-a-longer-name-$i"; done
	for n in '+plus' '-minus' '!bang' '#' '$x' "$(head -c 255 /dev/zero | tr '\0' L)" 'ümlaut' '.hidden'; do : > "$d/big/$n"; done
}
mktree "$S"
python3 "$H/manifest.py" "$S" > "$W/src.manifest"

# 1. build, check, mount, compare
out=$("$M" "$S" "$W/t/img1" 2>&1) && ok "built: $out" || bad "mkerofs failed: $out"
fsck.erofs "$W/t/img1" >"$W/fsck.log" 2>&1 && ok "fsck.erofs accepts the image" || bad "fsck.erofs: $(tail -3 "$W/fsck.log")"
dump.erofs -s "$W/t/img1" > "$W/dump.txt" 2>&1
grep -q 'UUID:.*00000000-0000-0000-0000-000000000000' "$W/dump.txt" && grep -q 'created:.*1970' "$W/dump.txt" &&
	ok "null UUID, built at the epoch" || bad "superblock: $(cat "$W/dump.txt")"
mkdir -p "$W/mnt1"
if mount -t erofs -o loop,ro "$W/t/img1" "$W/mnt1" 2>"$W/mount.err"; then
	python3 "$H/manifest.py" "$W/mnt1" > "$W/img1.manifest"
	if cmp -s "$W/src.manifest" "$W/img1.manifest"; then ok "the mounted image reads back exactly ($(wc -l < "$W/src.manifest") entries)"
	else bad "the mounted image differs:"; diff "$W/src.manifest" "$W/img1.manifest" | head -20 >&2; fi
	n=$(find "$W/mnt1" -newermt @0 | wc -l)
	[ "$n" = 0 ] && ok "every timestamp is the epoch" || bad "$n entries have a timestamp after the epoch"
	[ "$(cat "$W/mnt1/deep/level1/level2/level3/level4/level5/level6/level7/level8/level9/level10/level11/level12/level13/level14/level15/level16/level17/level18/level19/level20/level21/level22/level23/level24/level25/level26/level27/level28/level29/level30/file")" = bottom ] &&
		ok "lookups through 30 levels" || bad "deep lookup"
	ls "$W/mnt1/big" | head -3 | tr '\n' ' ' | grep -q '^!bang #' && ok "names before \".\" sort first" || bad "order: $(ls "$W/mnt1/big" | head -3)"
	umount "$W/mnt1"
else
	echo "  erofs: this kernel cannot mount erofs ($(cat "$W/mount.err")); reading back with fsck.erofs --extract only" >&2
fi
rm -rf "$W/t/x"
fsck.erofs --extract="$W/t/x" "$W/t/img1" >/dev/null 2>&1 &&
	python3 "$H/manifest.py" "$W/t/x" --content > "$W/x.manifest" &&
	python3 "$H/manifest.py" "$S" --content > "$W/srcnx.manifest" &&
	cmp -s "$W/srcnx.manifest" "$W/x.manifest" && ok "fsck.erofs --extract gives the same tree" ||
	{ bad "fsck.erofs --extract differs"; diff "$W/srcnx.manifest" "$W/x.manifest" | head -10 >&2; }
rm -rf "$W/t/x"

# 2. reproducible: the same tree made in reverse order, and with one byte changed
mkdir "$W/t/src2"
( cd "$S" && find . -mindepth 1 | sort -r > "$W/order" &&
	tar --xattrs --xattrs-include='*' --acls --no-recursion -cf - -T "$W/order" 2>/dev/null ) |
	tar --xattrs --xattrs-include='*' --acls -xpf - -C "$W/t/src2" 2>/dev/null || bad "tar copy (test setup)"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$W/t/src2/a/sock" # tar skips sockets
"$M" "$W/t/src2" "$W/t/img2" >/dev/null 2>&1
python3 "$H/manifest.py" "$W/t/src2" > "$W/src2.manifest"
cmp -s "$W/src2.manifest" "$W/src.manifest" || { bad "tar did not copy the tree exactly (test setup)"; diff "$W/src.manifest" "$W/src2.manifest" | head >&2; }
cmp -s "$W/t/img1" "$W/t/img2" && ok "the same tree made in another order gives the same bytes" || bad "images of the same tree differ"
printf Z | dd of="$W/t/src2/a/b/c/three-mib" bs=1 seek=2000000 conv=notrunc 2>/dev/null
"$M" "$W/t/src2" "$W/t/img3" >/dev/null 2>&1
cmp -s "$W/t/img1" "$W/t/img3" && bad "a changed byte did not change the image" || ok "a changed byte changes the image"
rm -rf "$W/t/src2" "$W/t/img2" "$W/t/img3"

# 3. --consume: same bytes, source emptied
cp -a "$S" "$W/t/src3"
"$M" "$W/t/src3" "$W/t/img4" --consume >/dev/null 2>&1 && cmp -s "$W/t/img1" "$W/t/img4" &&
	ok "--consume gives the same image" || bad "--consume image differs"
n=$(find "$W/t/src3" -type f -size +0 | wc -l)
[ "$n" = 0 ] && ok "--consume emptied every source file" || bad "$n source files still hold data after --consume"
rm -rf "$W/t/src3" "$W/t/img4"

# 4. one tree's worth of space: 48 MiB of files on a 60 MiB tmpfs becomes its image there
mkdir -p "$W/fit"; mount -t tmpfs -o size=60m tmpfs "$W/fit"
mkdir "$W/fit/src"; for i in 1 2 3 4 5 6; do head -c 8388608 /dev/urandom > "$W/fit/src/f$i"; done
python3 "$H/manifest.py" "$W/fit/src" > "$W/fit.manifest"
out=$("$M" "$W/fit/src" "$W/fit/img" 2>&1) && bad "48 MiB twice fitted in 60 MiB?" ||
	{ echo "$out" | grep -q "No space left on device" && [ ! -e "$W/fit/img" ] && ok "without --consume: $out (partial image removed)" ||
		bad "ENOSPC error: $out"; }
out=$("$M" "$W/fit/src" "$W/fit/img" --consume 2>&1) && ok "with --consume the image fits beside its tree: $out" || bad "--consume on a full tmpfs: $out"
mkdir -p "$W/mnt2"
if mount -t erofs -o loop,ro "$W/fit/img" "$W/mnt2" 2>/dev/null; then
	python3 "$H/manifest.py" "$W/mnt2" | cmp -s - "$W/fit.manifest" && ok "and it reads back exactly" || bad "consumed image content differs"
	umount "$W/mnt2"
fi

# 5. errors
out=$("$M" "$W/t/nothing" "$W/t/img5" 2>&1); [ $? = 1 ] && echo "$out" | grep -q "nothing: No such file or directory" &&
	ok "missing source: $out" || bad "missing source: $out"
out=$("$M" "$S" "$W/t/img1" 2>&1); [ $? = 1 ] && echo "$out" | grep -q "create .*img1: File exists" &&
	ok "existing image: $out" || bad "existing image: $out"
mkdir -p "$W/small"; mount -t tmpfs -o size=1m tmpfs "$W/small"
out=$("$M" "$S" "$W/small/img" 2>&1); [ $? = 1 ] && echo "$out" | grep -q "No space left on device" && [ ! -e "$W/small/img" ] &&
	ok "full filesystem: $out" || bad "ENOSPC: $out"
[ $fails = 0 ]
