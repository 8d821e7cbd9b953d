#!/bin/bash
# Live boot over http, end to end in QEMU (TCG): for a 64 MiB and a 512 MiB squashfs of
# incompressible content, the guest uptime when the new root's init runs, split into
# kernel-to-/init, modules, network, download, assemble and handoff (from netinit's log lines,
# which carry kernel timestamps); MemAvailable at the end of each stage (netinit's "done in" lines); the
# smallest -m (32 MiB steps, bisected between the image size and image + 512) that still boots,
# and how the first -m below it fails; and, in the same invocation, two floors: a busybox-only
# initramfs that does udhcpc + wget -O /dev/null of the same image, and the same into a tmpfs
# file (what netinit must do: the image has to be in RAM), with its module loads timed and its
# own smallest -m. Prints medians and ratios; not a test.
#   usage: bench/boot.sh [SIZE_MIB ...]     (default: 64 512)
#   env:   BENCH_INITRDS  space-separated initramfs images compared in one run, interleaved
#                         (default: $INITRD); e.g. "build/initramfs-main.img build/initramfs.img"
#          BENCH_RUNS     timing runs per image and size (default 3; medians are printed)
#          BENCH_MEM      -m of the timing runs (default 1024)
#          BENCH_MEMSEARCH=0 skips the smallest -m search
#          BENCH_QEMU_ARGS  more QEMU arguments, e.g. "-icount shift=1": guest time then counts
#                         instructions, so a host shared with other work (load 10 on 2 cores)
#                         still gives the same numbers run after run
#          KERNEL (as in tests/e2e/lib.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
export NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$here/.." && pwd)}
export NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
CASE=bench-boot W=$NETINIT_BUILD/bench/boot
. "$NETINIT_ROOT/tests/e2e/lib.sh"
. "$here/lib.sh"
IMAGES=${BENCH_INITRDS:-$INITRD}
for i in $IMAGES; do [ -f "$i" ] || { echo "bench/boot.sh: no $i (make && make initramfs)"; exit 1; }; done
[ -f "$KERNEL" ] || { echo "bench/boot.sh: no kernel $KERNEL (tools/packages/e2e.txt)"; exit 1; }
SIZES=${*:-64 512}
MEM=${BENCH_MEM:-1024}
RUNS=${BENCH_RUNS:-3}
STOP='NETINIT-RESULT|FLOOR-RESULT|netinit: rebooting now|Kernel panic|end Kernel panic|Out of memory'

ms_of() { grep -aE "$2" "$1" | head -n 1 | sed -n 's/.*done in \([0-9]*\) ms.*/\1/p'; }

# boot_netinit LOG MEM URL INITRD: 0 if the new root's init ran
boot_netinit() {
	E2E_INITRD=$4 E2E_STOP_ON=$STOP E2E_MEM=$2 E2E_TIMEOUT=300 qemu_boot "$1" "root=live:$3" $QEMU_USERNET ${BENCH_QEMU_ARGS:-} >/dev/null 2>&1
	grep -aq NETINIT-RESULT "$1"
}
# smallest_mem SIZE LOGPREFIX BOOT: bisect in 32 MiB steps between the image size and + 512
# for the smallest -m at which "BOOT LOG MEM" succeeds (logs LOGPREFIX-MEM.log); leaves lo and hi
# in 32 MiB units (hi boots, lo does not), 1 when even hi does not boot
smallest_mem() {
	lo=$(( ($1 + 31) / 32 )); hi=$(( ($1 + 512) / 32 ))
	"$3" "$2-$((hi * 32)).log" $((hi * 32)) || return 1
	if "$3" "$2-$((lo * 32)).log" $((lo * 32)); then hi=$lo; lo=$((lo - 1)); fi
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(( (lo + hi) / 2 ))
		if "$3" "$2-$((mid * 32)).log" $((mid * 32)); then hi=$mid; else lo=$mid; fi
	done
}
boot_netinit_mem() { boot_netinit "$1" "$2" "$url" "$img"; }	# LOG MEM, for smallest_mem
boot_floor_mem() { boot_floor "$1" "$url" tmpfs "$2" >/dev/null; }
fails_how() { grep -aoE 'netinit: fatal: .{0,110}|Kernel panic.{0,60}|Out of memory.{0,40}|oom-kill.{0,40}' "$1" | head -n 1 | tr -d '\r'; }

mkdir -p "$W/srv"
start_http "$W/srv"
mk_floor_initrd
printf '%s\n' "bench/boot.sh: kernel $KVER, QEMU TCG ${BENCH_QEMU_ARGS:-}, timing runs with -m $MEM, medians of $RUNS; image over http from nginx"
n=0; for img in $IMAGES; do n=$((n + 1)); printf '  initramfs #%d: %s (%s bytes)\n' $n "$img" "$(stat -c %s "$img")"; done
for size in $SIZES; do
	# an incompressible root of about SIZE MiB: the test root plus random filler
	rm -rf "$W/root"; make_testroot "$W/root"
	add_filler "$W/root" $((size - 1))
	simg=root-$size.squashfs
	mk_squashfs "$W/root" "$W/srv/$simg"; rm -rf "$W/root"
	bytes=$(stat -c %s "$W/srv/$simg"); img_mib=$(calc "$bytes / 1048576")
	url=http://10.0.2.2:$HTTP_PORT/$simg
	echo
	echo "== $simg: $img_mib MiB"
	fn_up=""; ft_up=""; ft_init=""; ft_mod=""
	declare -A up=() tinit=() mods=() net=() dl=() asm=() hand=() memst=()
	for run in $(seq "$RUNS"); do
		n=0
		for img in $IMAGES; do	# interleaved: image 1, image 2, ..., then the floors
			n=$((n + 1)); log=$W/netinit-$size-$n-$run.log
			if ! boot_netinit "$log" "$MEM" "$url" "$img"; then
				echo "  #$n run $run: netinit did not boot with -m $MEM ($(fails_how "$log"); log: $log)"; continue
			fi
			t_init=$(log_ts "$log" 'netinit: netinit .* after boot'); t_net=$(log_ts "$log" 'netinit: network: done')
			t_img=$(log_ts "$log" 'netinit: image at'); t_root=$(log_ts "$log" 'netinit: root: done')
			u=$(field "$log" uptime)
			up[$n]+=" $u"; tinit[$n]+=" $t_init"
			mods[$n]+=" $(calc "$(ms_of "$log" 'netinit: modules: done') / 1000")"
			net[$n]+=" $(calc "$(ms_of "$log" 'netinit: network: done') / 1000")"
			dl[$n]+=" $(calc "$t_img - $t_net")"; asm[$n]+=" $(calc "$t_root - $t_img")"
			hand[$n]+=" $(calc "$u - $t_root")"
			[ "$run" = 1 ] && memst[$n]=$(grep -aoE 'netinit: [a-z]+: done in [0-9]+ ms, MemAvailable [0-9]+ MiB' "$log" | sed 's/^netinit: /      /')
		done
		r=$(boot_floor "$W/floor-null-$size-$run.log" "$url" null) && fn_up+=" ${r%% *}"
		r=$(boot_floor "$W/floor-tmpfs-$size-$run.log" "$url" tmpfs) && { set -- $r; ft_up+=" $1"; ft_init+=" $2"; ft_mod+=" $3"; }
	done
	fnull=$(median $fn_up); ftmp=$(median $ft_up)
	echo "  floor, busybox udhcpc + wget -O /dev/null:  new-root time $fnull s  (runs:$fn_up)"
	echo "  floor, busybox udhcpc + wget into a tmpfs:   $ftmp s  (runs:$ft_up; kernel to /init $(median $ft_init) s, insmod of the virtio NIC's modules until eth0 appears $(median $ft_mod) s)"
	n=0
	for img in $IMAGES; do
		n=$((n + 1))
		echo "  #$n $(basename "$img"): new root's init at $(median ${up[$n]:-}) s uptime  (runs:${up[$n]:-})"
		echo "    kernel to /init   $(median ${tinit[$n]:-}) s  (runs:${tinit[$n]:-})"
		echo "    modules           $(median ${mods[$n]:-}) s  (runs:${mods[$n]:-})"
		echo "    network (DHCP)    $(median ${net[$n]:-}) s"
		echo "    download          $(median ${dl[$n]:-}) s  (runs:${dl[$n]:-})"
		echo "    assemble          $(median ${asm[$n]:-}) s  (loop, squashfs, overlay)"
		echo "    handoff           $(median ${hand[$n]:-}) s  (switch_root to the new init)"
		u=$(median ${up[$n]:-})
		if [ "$u" != "?" ] && [ "$ftmp" != "?" ]; then
			echo "    beyond the tmpfs floor: $(calc "$u - $ftmp") s (target <= 0.5 s); ratio netinit / tmpfs floor $(calc "$u / $ftmp"), / null floor $(calc "$u / $fnull")"
		fi
		[ -n "${memst[$n]:-}" ] && { echo "    MemAvailable by stage (run 1):"; printf '%s\n' "${memst[$n]}"; }
	done
	[ "${BENCH_MEMSEARCH:-1}" = 0 ] && continue
	# the smallest -m that still boots, for each image and for the busybox floor that downloads
	# into a tmpfs (what this kernel needs to hold the image in RAM at all, keeping nothing)
	n=0
	for img in $IMAGES; do
		n=$((n + 1))
		if ! smallest_mem "$size" "$W/mem-$size-$n" boot_netinit_mem; then
			echo "  #$n RAM needed: more than $((hi * 32)) MiB"; continue
		fi
		below=$W/mem-$size-$n-$((lo * 32)).log
		echo "  #$n RAM needed: -m $((hi * 32)) MiB for a $img_mib MiB image: image + $(calc "$hi * 32 - $img_mib") MiB (target <= 96)"
		[ -f "$below" ] && echo "     -m $((lo * 32)): $(fails_how "$below")"
	done
	if smallest_mem "$size" "$W/fmem-$size" boot_floor_mem; then
		echo "  floor (busybox wget into a tmpfs) RAM needed: -m $((hi * 32)) MiB: image + $(calc "$hi * 32 - $img_mib") MiB"
	else
		echo "  floor (busybox wget into a tmpfs) RAM needed: more than $((hi * 32)) MiB"
	fi
done
