# Helpers shared by bench/boot.sh and bench/dracut.sh (sourced after tests/e2e/lib.sh).
# field LOG KEY: the last " KEY=value" on the console
field() { sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$1" | tail -n 1 | tr -d '\r'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# median N...: of the numeric arguments ("?" when none)
median() { printf '%s\n' "$@" | grep -E '^-?[0-9.]+$' | sort -g | awk '{v[NR]=$1} END {if (!NR) print "?"; else if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# ---- the floors: busybox + virtio modules, udhcpc, wget to /dev/null or into a tmpfs -------
# mk_floor_initrd: $W/floor.img, a busybox-only initramfs that loads the virtio NIC's modules,
# runs udhcpc and wgets floor_url= to /dev/null or (floor_to=tmpfs) into a tmpfs file, then
# prints FLOOR-RESULT ok= init= mod= net= uptime= and powers off
mk_floor_initrd() {
	r=$W/floor; rm -rf "$r"; mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/lib/mod" "$r/img"
	mknod "$r/dev/console" c 5 1
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in sh mount cat echo insmod ip ifconfig route udhcpc wget cut sed seq poweroff sleep; do
		ln -sf busybox "$r/bin/$a"
	done
	i=0
	for m in $(modprobe -a -S "$KVER" --show-depends virtio_pci virtio_net | awk '$1=="insmod" && !seen[$2]++ {print $2}'); do
		i=$((i + 1)); cp "$m" "$r/lib/mod/$(printf %02d $i)-$(basename "$m")"
	done
	[ -f "$r/lib/mod/$(printf %02d $i)-virtio_net.ko" ] || { echo "bench: the floor: virtio_net.ko not found for $KVER"; exit 1; }
	cat > "$r/udhcpc.sh" <<'S'
#!/bin/sh
[ "$1" = bound ] || exit 0
ifconfig "$interface" "$ip" netmask "$subnet" up
for g in $router; do route add default gw "$g"; break; done
S
	# floor_to=null: wget -O /dev/null; floor_to=tmpfs: into a file on a tmpfs, as netinit does
	cat > "$r/init" <<'S'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
tinit=$(cut -d' ' -f1 /proc/uptime)
for m in /lib/mod/*.ko; do insmod "$m"; done
for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.05; done
tmod=$(cut -d' ' -f1 /proc/uptime)
ip link set eth0 up
udhcpc -i eth0 -f -q -n -t 20 -T 1 -s /udhcpc.sh >/dev/null 2>&1
tnet=$(cut -d' ' -f1 /proc/uptime)
url=$(sed -n 's/.*floor_url=\([^ ]*\).*/\1/p' /proc/cmdline)
out=/dev/null
if grep -q "floor_to=tmpfs" /proc/cmdline; then mount -t tmpfs -o mode=0700,size=95% tmpfs /img; out=/img/root.img; fi
wget -q -O "$out" "$url" && ok=yes || ok=no
echo "FLOOR-RESULT ok=$ok init=$tinit mod=$tmod net=$tnet uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
S
	chmod 755 "$r/init" "$r/udhcpc.sh"
	( cd "$r" && find . -mindepth 1 | sed 's,^\./,,' | cpio -o -H newc --quiet -R 0:0 ) | gzip -1 > "$W/floor.img"
}
boot_floor() {	# LOG URL null|tmpfs [MEM]: prints "uptime init modules" or nothing (needs $STOP, $MEM)
	E2E_INITRD=$W/floor.img E2E_STOP_ON=$STOP E2E_MEM=${4:-$MEM} E2E_TIMEOUT=300 \
		qemu_boot "$1" "floor_url=$2 floor_to=$3" $QEMU_USERNET ${BENCH_QEMU_ARGS:-} >/dev/null 2>&1
	[ "$(field "$1" ok)" = yes ] && echo "$(field "$1" uptime) $(field "$1" init) $(calc "$(field "$1" mod) - $(field "$1" init)")"
}
