#!/bin/bash
# Side by side with dracut's livenet: the same kernel, the same squashfs (the e2e busybox test
# root plus incompressible filler) from the same nginx, the same QEMU, in one invocation. dracut's
# initramfs is built here from Debian 12's own packages (dracut, dracut-network, dracut-live) in a
# throwaway mmdebstrap chroot under build/bench/dracut/ -- the dracut package conflicts with
# initramfs-tools, so it is never installed on the host -- as a generic (--no-hostonly) image with
# the livenet module, for the host's kernel (its /lib/modules/KVER is copied in), and cached
# there until this script or the kernel changes. dracut boots with
#   root=live:http://10.0.2.2:PORT/root-SIZE.squashfs rd.neednet=1 ip=dhcp
# (a squashfs that holds /proc is mounted as the lower layer of an overlayfs by dmsquash-live;
# rd.live.image is only for media), netinit with root=live:URL. The root's /sbin/init prints
# NETINIT-RESULT uptime=... whichever initramfs started it: that uptime is the figure. In the
# same runs, bench/boot.sh's busybox floor that downloads into a tmpfs: dracut / floor is the
# largest ratio any initramfs that has to hold the image in RAM can reach on this machine.
# Prints medians of BENCH_RUNS and the ratio dracut / netinit; not a test.
#   usage: bench/dracut.sh [SIZE_MIB ...]   (default: 64)
#   env:   BENCH_INITRDS   netinit images to compare (default: $INITRD)
#          BENCH_RUNS      runs per initramfs and size (default 3)
#          BENCH_MEM       -m (default 1024)
#          BENCH_QEMU_ARGS more QEMU arguments, e.g. "-icount shift=1" (guest time counts
#                          instructions: stable on a loaded host)
#          DRACUT_IMG      use this dracut initramfs instead of building one
#          KERNEL, KVER    (as in tests/e2e/lib.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
export NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$here/.." && pwd)}
export NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
CASE=bench-dracut W=$NETINIT_BUILD/bench/dracut-run
. "$NETINIT_ROOT/tests/e2e/lib.sh"
. "$here/lib.sh"
IMAGES=${BENCH_INITRDS:-$INITRD}
for i in $IMAGES; do [ -f "$i" ] || { echo "bench/dracut.sh: no $i (make && make initramfs)"; exit 1; }; done
[ -f "$KERNEL" ] || { echo "bench/dracut.sh: no kernel $KERNEL (tools/packages/e2e.txt)"; exit 1; }
SIZES=${*:-64}
MEM=${BENCH_MEM:-1024}
RUNS=${BENCH_RUNS:-3}
STOP='NETINIT-RESULT|FLOOR-RESULT|netinit: rebooting now|Kernel panic|end Kernel panic|Out of memory|dracut: FATAL|Entering emergency mode'

# ---- dracut's initramfs, from Debian's packages in a throwaway chroot ------------------------
D=$NETINIT_BUILD/bench/dracut
DPKGS=dracut,dracut-network,dracut-live,systemd,systemd-sysv,udev,dbus,procps,curl,dmsetup
DRACUT_ARGS="--no-hostonly --force --add network-legacy --add livenet"
mk_dracut_img() {
	out=$1
	key=$(printf '%s\n' "$KVER" "$DPKGS" "$DRACUT_ARGS" | cat - "$0" | sha256sum | cut -c1-16)
	[ -s "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ] && return 0
	command -v mmdebstrap >/dev/null || { echo "bench/dracut.sh: mmdebstrap is not installed (apt-get install mmdebstrap; tools/packages/debian-root.txt)"; exit 1; }
	[ -d "/lib/modules/$KVER" ] || { echo "bench/dracut.sh: no /lib/modules/$KVER"; exit 1; }
	echo "bench/dracut.sh: building dracut's livenet initramfs for $KVER in a throwaway chroot"
	echo "  (mmdebstrap bookworm + $DPKGS from Debian's archive; nothing is installed on the host)"
	mkdir -p "$D/tmp"; rm -f "$out.tmp"
	# /lib is a symlink to usr/lib in bookworm's merged /usr
	TMPDIR=$D/tmp mmdebstrap --variant=minbase --include="$DPKGS" \
		--customize-hook="mkdir -p \"\$1/usr/lib/modules/$KVER\"" \
		--customize-hook="sync-in /lib/modules/$KVER /usr/lib/modules/$KVER" \
		--customize-hook="chroot \"\$1\" dracut $DRACUT_ARGS --kver $KVER /tmp/dracut-livenet.img" \
		--customize-hook="chroot \"\$1\" lsinitrd /tmp/dracut-livenet.img > \"$out.lsinitrd\" 2>&1 || true" \
		--customize-hook="chroot \"\$1\" dpkg-query -W dracut-core > \"$D/versions\"" \
		--customize-hook="copy-out /tmp/dracut-livenet.img \"$D/tmp\"" \
		bookworm /dev/null > "$D/mmdebstrap.log" 2>&1 ||
		{ tail -n 20 "$D/mmdebstrap.log"; echo "bench/dracut.sh: building dracut's initramfs failed (log: $D/mmdebstrap.log)"; exit 1; }
	mv "$D/tmp/dracut-livenet.img" "$out" && echo "$key" > "$out.key"
}
mkdir -p "$D"
if [ -z "${DRACUT_IMG:-}" ]; then DRACUT_IMG=$D/dracut-livenet-$KVER.img; mk_dracut_img "$DRACUT_IMG"; fi
[ -f "$DRACUT_IMG" ] || { echo "bench/dracut.sh: no dracut image $DRACUT_IMG"; exit 1; }

# boot LOG INITRD APPEND: prints the uptime of the root's init, or nothing
boot_one() {
	E2E_INITRD=$2 E2E_STOP_ON=$STOP E2E_MEM=$MEM E2E_TIMEOUT=600 qemu_boot "$1" "$3" $QEMU_USERNET ${BENCH_QEMU_ARGS:-} >/dev/null 2>&1
	grep -aq NETINIT-RESULT "$1" && field "$1" uptime
}

mkdir -p "$W/srv"
start_http "$W/srv"
mk_floor_initrd
printf '%s\n' "bench/dracut.sh: kernel $KVER, QEMU TCG ${BENCH_QEMU_ARGS:-}, -m $MEM, medians of $RUNS; image over http from nginx"
printf '  dracut livenet (Debian 12 dracut %s, %s): %s (%s bytes)\n' "$(awk '{print $2}' "$D/versions" 2>/dev/null)" \
	"$DRACUT_ARGS" "$DRACUT_IMG" "$(stat -c %s "$DRACUT_IMG")"
n=0; for img in $IMAGES; do n=$((n + 1)); printf '  netinit #%d: %s (%s bytes)\n' $n "$img" "$(stat -c %s "$img")"; done
for size in $SIZES; do
	rm -rf "$W/root"; make_testroot "$W/root"
	# systemd's switch-root (dracut's initrd) refuses a root without os-release: "not an OS tree"
	printf 'ID=netinit-bench\nNAME="netinit bench root"\n' > "$W/root/etc/os-release"
	add_filler "$W/root" $((size - 1))
	simg=root-$size.squashfs
	mk_squashfs "$W/root" "$W/srv/$simg"; rm -rf "$W/root"
	img_mib=$(calc "$(stat -c %s "$W/srv/$simg") / 1048576")
	url=http://10.0.2.2:$HTTP_PORT/$simg
	echo
	echo "== $simg: $img_mib MiB"
	dr=""; fl=""; declare -A up=()
	for run in $(seq "$RUNS"); do	# interleaved: dracut, netinit #1, #2, ...
		log=$W/dracut-$size-$run.log
		if u=$(boot_one "$log" "$DRACUT_IMG" "root=live:$url rd.neednet=1 ip=dhcp rd.live.overlay.overlayfs=1"); then dr+=" $u"
		else echo "  dracut run $run: the root's init did not run (log: $log; $(grep -aoE 'dracut: FATAL.{0,80}|Kernel panic.{0,60}|Out of memory.{0,40}|Entering emergency mode' "$log" | head -n 1 | tr -d '\r'))"; fi
		n=0
		for img in $IMAGES; do
			n=$((n + 1)); log=$W/netinit-$size-$n-$run.log
			if u=$(boot_one "$log" "$img" "root=live:$url"); then up[$n]+=" $u"
			else echo "  netinit #$n run $run: the root's init did not run (log: $log)"; fi
		done
		r=$(boot_floor "$W/floor-$size-$run.log" "$url" tmpfs) && fl+=" ${r%% *}"
	done
	dm=$(median $dr); fm=$(median $fl)
	echo "  dracut livenet:   new root's init at $dm s uptime  (runs:$dr)"
	r="?"; [ "$fm" != "?" ] && [ "$dm" != "?" ] && r=$(calc "$dm / $fm")
	echo "  floor, busybox udhcpc + wget into a tmpfs (bench/boot.sh's): $fm s  (runs:$fl); dracut / floor = ${r}x: the most any initramfs that must hold the image in RAM can reach here"
	n=0
	for img in $IMAGES; do
		n=$((n + 1)); m=$(median ${up[$n]:-})
		r="?"; [ "$m" != "?" ] && [ "$dm" != "?" ] && r=$(calc "$dm / $m")
		echo "  netinit #$n $(basename "$img"): $m s  (runs:${up[$n]:-}); dracut / netinit = ${r}x (target >= 10)"
	done
done
