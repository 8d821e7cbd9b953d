#!/bin/sh
# Host test: attach filesystem images to loop devices with blockdev/loop
# (LOOP_CONFIGURE and the legacy ioctls), mount them read-only, read a file,
# detach; find them again by LABEL=/UUID=/PARTUUID=/PARTLABEL= through the real
# /sys with blockdev/devwait; probe the real block devices.  Needs root and
# loop devices; exit 77 (skip) otherwise.
set -u
ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${NETINIT_BUILD:-$ROOT/build}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null
[ -e /dev/loop-control ] || { echo "SKIP: no /dev/loop-control"; exit 77; }
command -v mkfs.ext4 >/dev/null 2>&1 || { echo "SKIP: no mkfs.ext4"; exit 77; }

work=$(mktemp -d)
devs=""
cleanup() {
	for m in "$work"/mnt*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
	for d in $devs; do "$work/loopctl" detach "$d" 2>/dev/null; losetup -d "$d" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

cc=${HOSTCC:-gcc}
$cc -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -I"$ROOT" -o "$work/loopctl" \
	"$ROOT/tests/host/loop/loopctl.c" "$ROOT/blockdev/loop.c" \
	"$ROOT/blockdev/devwait.c" "$ROOT/fs/probe.c" || { echo "FAIL: build loopctl"; exit 1; }

tag=$$
mkdir -p "$work/tree" "$work/mnt" "$work/mnt2"
echo "hello from netinit $tag" > "$work/tree/hello.txt"
uuid=$(cat /proc/sys/kernel/random/uuid)
truncate -s 16M "$work/ext4.img"
mkfs.ext4 -q -F -L "nitest$tag" -U "$uuid" -d "$work/tree" "$work/ext4.img" || exit 1

# 1. read-only attach (LOOP_CONFIGURE), mount, read, detach
for mode in attach attach-legacy; do
	dev=$("$work/loopctl" $mode "$work/ext4.img" ro) || { bad "$mode"; continue; }
	devs="$devs $dev"
	n=${dev#/dev/}
	[ "$(cat /sys/block/$n/ro)" = 1 ] && ok "$mode: $dev is read-only" || bad "$mode: $dev not read-only"
	case $(cat /sys/block/$n/loop/backing_file) in
	*ext4.img) ok "$mode: backing file";; *) bad "$mode: backing file";; esac
	out=$("$work/loopctl" probe "$dev")
	case $out in
	"TYPE=ext4 LABEL=nitest$tag UUID=$uuid SIZE=16777216") ok "$mode: probe $out";;
	*) bad "$mode: probe gave '$out'";; esac
	if mount -t ext4 -o ro "$dev" "$work/mnt"; then
		grep -q "hello from netinit $tag" "$work/mnt/hello.txt" && ok "$mode: file read" || bad "$mode: file content"
		umount "$work/mnt"
	else
		bad "$mode: mount"
	fi
	# 2. find it through the real /sys by LABEL= and UUID= (upper case too)
	f=$("$work/loopctl" find "LABEL=nitest$tag" 2000)
	[ "$f" = "$dev" ] && ok "$mode: LABEL= -> $f" || bad "$mode: LABEL= gave '$f', want $dev"
	U=$(echo "$uuid" | tr a-f A-F)
	f=$("$work/loopctl" find "UUID=$U" 2000)
	[ "$f" = "$dev" ] && ok "$mode: UUID= -> $f" || bad "$mode: UUID= gave '$f'"
	"$work/loopctl" detach "$dev" && ok "$mode: detach" || bad "$mode: detach"
	[ -z "$(cat /sys/block/$n/loop/backing_file 2>/dev/null)" ] && ok "$mode: unbound" || bad "$mode: still bound"
	devs=""
done

# 3. read-write attach
dev=$("$work/loopctl" attach "$work/ext4.img" rw) && devs="$dev"
[ "$(cat /sys/block/${dev#/dev/}/ro)" = 0 ] && ok "rw attach" || bad "rw attach"
"$work/loopctl" detach "$dev"; devs=""

# 4. autoclear: the device frees itself on umount
dev=$("$work/loopctl" mount-autoclear "$work/ext4.img" "$work/mnt2" ext4) || bad "mount-autoclear"
if [ -n "${dev:-}" ]; then
	grep -q "hello from netinit" "$work/mnt2/hello.txt" && ok "autoclear: mounted, file read" || bad "autoclear: file"
	umount "$work/mnt2"
	sleep 0.2
	[ -z "$(cat /sys/block/${dev#/dev/}/loop/backing_file 2>/dev/null)" ] && ok "autoclear: freed after umount" ||
		{ bad "autoclear: still bound"; devs="$dev"; }
fi

# 5. detach of a free device fails cleanly
"$work/loopctl" detach /dev/loop-control 2>/dev/null && bad "detach non-loop succeeded" || ok "detach non-loop fails"

# 6. PARTUUID/PARTLABEL on a real partitioned loop disk (losetup -P for partscan)
if command -v sgdisk >/dev/null 2>&1 && command -v losetup >/dev/null 2>&1; then
	truncate -s 8M "$work/gpt.img"
	pu=$(cat /proc/sys/kernel/random/uuid)
	sgdisk -o -n 1:2048:+2M -c 1:"nipart$tag" -u 1:"$pu" "$work/gpt.img" >/dev/null 2>&1
	if disk=$(losetup -P -f --show "$work/gpt.img"); then
		devs="$disk"
		sleep 0.3
		if [ ! -e "/sys/class/block/${disk#/dev/}p1" ]; then
			echo "skip PARTUUID/PARTLABEL: this kernel made no partitions on $disk (no partition table support?)"
			losetup -d "$disk"; devs=""
		else
		f=$("$work/loopctl" find "PARTUUID=$pu" 3000)
		[ "$f" = "${disk}p1" ] && ok "PARTUUID= -> $f" || bad "PARTUUID= gave '$f', want ${disk}p1"
		f=$("$work/loopctl" find "PARTLABEL=nipart$tag" 3000)
		[ "$f" = "${disk}p1" ] && ok "PARTLABEL= -> $f" || bad "PARTLABEL= gave '$f'"
		losetup -d "$disk"; devs=""
		fi
	else
		echo "skip PARTUUID (losetup -P failed)"
	fi
fi

# 7. every fixture image through a real loop device: the probe sees the same
#    on the block device, and the kernel mounts it with the probe's fstype.
if sh "$ROOT/tests/unit/fixtures/probe/mkimages.sh" "$work/img" && [ -f "$work/img/.stamp" ]; then
	for img in "$work"/img/*.img; do
		b=$(basename "$img")
		case $b in gpt.img|mbr.img) continue;; esac
		want=$("$work/loopctl" probe "$img") || { bad "probe $b"; continue; }
		dev=$("$work/loopctl" attach "$img" ro) || { bad "attach $b"; continue; }
		devs="$dev"
		got=$("$work/loopctl" probe "$dev")
		# a block device has a size in whole sectors; compare all but SIZE
		[ "${got% SIZE=*}" = "${want% SIZE=*}" ] && ok "$b on $dev: ${got% SIZE=*}" || bad "$b: '$got' vs '$want'"
		t=${got#TYPE=}; t=${t%% *}
		if grep -qw "$t" /proc/filesystems; then
			if mount -t "$t" -o ro "$dev" "$work/mnt"; then
				case $b in ext4.img|squashfs.img|erofs*.img|iso*.img)
					grep -q "netinit probe fixture" "$work/mnt/hello.txt" && ok "$b: mounted as $t, file read" ||
						bad "$b: mounted as $t but hello.txt missing";;
				*) ok "$b: mounted as $t";;
				esac
				umount "$work/mnt"
			else
				bad "$b: mount -t $t failed"
			fi
		else
			echo "skip mount of $b: no $t in /proc/filesystems"
		fi
		"$work/loopctl" detach "$dev"; devs=""
	done
else
	echo "skip fixture mounts: mkimages.sh failed"
fi

# 8. not there: times out
start=$(date +%s%N)
"$work/loopctl" find "LABEL=no-such-label-$tag" 500 2>/dev/null && bad "missing label found" || {
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	ok "missing label: timeout after ${ms} ms"
}

[ "$fails" = 0 ] || { echo "loop.sh: $fails failure(s)"; exit 1; }
echo "loop.sh: all passed"
exit 0
