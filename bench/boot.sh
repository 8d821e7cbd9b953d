#!/bin/bash
# Live boot over http, end to end in QEMU (TCG): for a 64 MiB and a 512 MiB squashfs of
# incompressible content, the guest uptime when the new root's init runs, split into
# kernel-to-/init, modules, network, download, assemble and handoff (from netinit's log lines,
# which carry kernel timestamps); the smallest -m (32 MiB steps, from the image size upward)
# that still boots; and, in the same invocation, the "floor": a busybox-only initramfs that
# does udhcpc + wget -O /dev/null of the same image. Prints numbers and ratios; not a test.
#   usage: bench/boot.sh [SIZE_MIB ...]     (default: 64 512)
#   env:   BENCH_MEM (timing runs, default 1024), INITRD, KERNEL (as in tests/e2e/lib.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
export NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$here/.." && pwd)}
export NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
CASE=bench-boot W=$NETINIT_BUILD/bench/boot
. "$NETINIT_ROOT/tests/e2e/lib.sh"
[ -f "$INITRD" ] || { echo "bench/boot.sh: no $INITRD (make && make initramfs)"; exit 1; }
[ -f "$KERNEL" ] || { echo "bench/boot.sh: no kernel $KERNEL (tools/packages/e2e.txt)"; exit 1; }
SIZES=${*:-64 512}
MEM=${BENCH_MEM:-1024}
STOP='NETINIT-RESULT|FLOOR-RESULT|netinit: rebooting now|Kernel panic|end Kernel panic'

# ---- the floor: busybox + virtio modules, udhcpc, wget to /dev/null ---------------------
mk_floor_initrd() {
	r=$W/floor; rm -rf "$r"; mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/lib/mod"
	mknod "$r/dev/console" c 5 1
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in sh mount cat echo insmod ip ifconfig route udhcpc wget cut sed seq poweroff sleep; do
		ln -sf busybox "$r/bin/$a"
	done
	i=0
	for m in $(modprobe -a -S "$KVER" --show-depends virtio_pci virtio_net | awk '$1=="insmod" && !seen[$2]++ {print $2}'); do
		i=$((i + 1)); cp "$m" "$r/lib/mod/$(printf %02d $i)-$(basename "$m")"
	done
	[ -f "$r/lib/mod/$(printf %02d $i)-virtio_net.ko" ] || { echo "bench/boot.sh: virtio_net.ko not found for $KVER"; exit 1; }
	cat > "$r/udhcpc.sh" <<'S'
#!/bin/sh
[ "$1" = bound ] || exit 0
ifconfig "$interface" "$ip" netmask "$subnet" up
for g in $router; do route add default gw "$g"; break; done
S
	cat > "$r/init" <<'S'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
tinit=$(cut -d' ' -f1 /proc/uptime)
for m in /lib/mod/*.ko; do insmod "$m"; done
for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.05; done
ip link set eth0 up
udhcpc -i eth0 -f -q -n -t 20 -T 1 -s /udhcpc.sh >/dev/null 2>&1
tnet=$(cut -d' ' -f1 /proc/uptime)
url=$(sed -n 's/.*floor_url=\([^ ]*\).*/\1/p' /proc/cmdline)
wget -q -O /dev/null "$url" && ok=yes || ok=no
echo "FLOOR-RESULT ok=$ok init=$tinit net=$tnet uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
S
	chmod 755 "$r/init" "$r/udhcpc.sh"
	( cd "$r" && find . -mindepth 1 | sed 's,^\./,,' | cpio -o -H newc --quiet -R 0:0 ) | gzip -1 > "$W/floor.img"
}

field() { sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$1" | tail -n 1 | tr -d '\r'; }
ms_of() { grep -aE "$2" "$1" | head -n 1 | sed -n 's/.*done in \([0-9]*\) ms.*/\1/p'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# boot_netinit LOG MEM URL: 0 if the new root's init ran
boot_netinit() {
	E2E_STOP_ON=$STOP E2E_MEM=$2 E2E_TIMEOUT=300 qemu_boot "$1" "root=live:$3" $QEMU_USERNET >/dev/null 2>&1
	grep -aq NETINIT-RESULT "$1"
}

mkdir -p "$W/srv"
start_http "$W/srv"
mk_floor_initrd
printf '%s\n' "bench/boot.sh: kernel $KVER, QEMU TCG, timing runs with -m $MEM; image over http from nginx"
for size in $SIZES; do
	# an incompressible root of about SIZE MiB: the test root plus random filler
	rm -rf "$W/root"; make_testroot "$W/root"
	add_filler "$W/root" $((size - 1))
	img=root-$size.squashfs
	mk_squashfs "$W/root" "$W/srv/$img"; rm -rf "$W/root"
	bytes=$(stat -c %s "$W/srv/$img"); img_mib=$(calc "$bytes / 1048576")
	url=http://10.0.2.2:$HTTP_PORT/$img
	echo
	echo "== $img: $img_mib MiB"

	log=$W/netinit-$size.log
	if ! boot_netinit "$log" "$MEM" "$url"; then
		echo "  netinit did not boot with -m $MEM (log: $log)"; continue
	fi
	t_init=$(log_ts "$log" 'netinit: netinit .* after boot'); t_net=$(log_ts "$log" 'netinit: network: done')
	t_dl0=$(log_ts "$log" 'netinit: downloading'); t_img=$(log_ts "$log" 'netinit: image at')
	t_root=$(log_ts "$log" 'netinit: root: done'); up=$(field "$log" uptime)
	mods=$(ms_of "$log" 'netinit: modules: done'); net=$(ms_of "$log" 'netinit: network: done')
	dl=$(calc "$t_img - $t_net")
	echo "  netinit: new root's init at $up s uptime"
	echo "    kernel to /init   $t_init s"
	echo "    modules           $(calc "$mods / 1000") s"
	echo "    network (DHCP)    $(calc "$net / 1000") s"
	echo "    download          $dl s  ($(calc "$img_mib / $dl") MiB/s; first byte request at $t_dl0 s)"
	echo "    assemble          $(calc "$t_root - $t_img") s  (loop, squashfs, overlay)"
	echo "    handoff           $(calc "$up - $t_root") s  (switch_root to the new init)"
	beyond=$(calc "$up - $t_init - $dl")
	echo "    time beyond the download itself (uptime - kernel-to-/init - download): $beyond s (target <= 1 s)"

	flog=$W/floor-$size.log
	E2E_INITRD=$W/floor.img E2E_STOP_ON=$STOP E2E_MEM=$MEM E2E_TIMEOUT=300 \
		qemu_boot "$flog" "floor_url=$url" $QEMU_USERNET >/dev/null 2>&1
	fup=$(field "$flog" uptime)
	if [ "$(field "$flog" ok)" = yes ] && [ -n "$fup" ]; then
		finit=$(field "$flog" init); fnet=$(field "$flog" net)
		echo "  floor (busybox udhcpc + wget -O /dev/null): done at $fup s uptime"
		echo "    kernel to /init $finit s, modules+DHCP $(calc "$fnet - $finit") s, download $(calc "$fup - $fnet") s"
		echo "  ratio netinit / floor (uptime): $(calc "$up / $fup")   difference: $(calc "$up - $fup") s"
	else
		echo "  floor run failed (log: $flog)"
	fi

	# the smallest -m that still boots, 32 MiB steps from the image size upward
	m=$(( (size + 31) / 32 * 32 ))
	need=""
	while [ $m -le $((size + 512)) ]; do
		if boot_netinit "$W/mem-$size-$m.log" "$m" "$url"; then need=$m; break; fi
		why=$(grep -aoE 'netinit: fatal: [^:]*: [^ ]*: .{0,60}|Kernel panic.{0,60}|Out of memory.{0,40}' \
			"$W/mem-$size-$m.log" | head -n 1)
		echo "    -m $m: no boot (${why:-see $W/mem-$size-$m.log})"
		m=$((m + 32))
	done
	if [ -n "$need" ]; then
		echo "  RAM needed: -m $need MiB for a $img_mib MiB image; RAM needed - image size: $(calc "$need - $img_mib") MiB (target <= 96 MiB)"
	else
		echo "  RAM needed: more than $((size + 512)) MiB"
	fi
done
