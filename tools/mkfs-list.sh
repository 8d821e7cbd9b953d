#!/bin/sh
# mkfs-list.sh FS...: gen_init_cpio lines for mkfs.<fs> with its shared libraries and loader,
# for `make initramfs MKFS=ext4` (the persistent cow partition of rd.live.overlay.persistent).
set -eu
libs=$(mktemp); trap 'rm -f "$libs"' EXIT
echo "dir /sbin 0755 0 0"; echo "dir /lib64 0755 0 0"; echo "dir /lib/x86_64-linux-gnu 0755 0 0"
for fs in "$@"; do
	bin=$(command -v "mkfs.$fs") || { echo "mkfs-list.sh: mkfs.$fs not installed (e2fsprogs, xfsprogs, btrfs-progs)" >&2; exit 1; }
	real=$(readlink -f "$bin")
	echo "file /sbin/mkfs.$fs $real 0755 0 0"
	ldd "$real" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' >> "$libs"
done
sort -u "$libs" | while read -r lib; do echo "file $lib $(readlink -f "$lib") 0755 0 0"; done
