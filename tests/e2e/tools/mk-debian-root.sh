#!/bin/bash
# mk-debian-root.sh FLAVOUR OUT.squashfs|OUT.ext4: a real Debian 12 root (mmdebstrap from
# Debian's archive through the machine's own apt sources) configured as an installed system is,
# as a squashfs (live roots) or an ext4 image (network block roots). Cached: the mmdebstrap
# tarball under $NETINIT_BUILD/debian/ (rebuilt only when the package list changes) and the image
# (rebuilt only when this script changes).
# The ext4 image also holds /var/lib/netinit-big.bin (50 MiB of random data) and its sha256 in
# /var/lib/netinit-big.sha256, and has no /etc/hostname (the host name is left to DHCP).
#
# Flavours:
#   networkd  systemd-networkd owns the NIC: /etc/systemd/network/10-ens3.network
#             ([Match] Name=ens3, DHCP=ipv4 and a marker address 192.0.2.50/24), as an
#             installer writes it for the name udev gives (QEMU's slot 3: ens3).
# Every flavour has netinit-report.service (WantedBy/After multi-user.target): it prints one
# DEBIAN-RESULT line on the console once the boot transaction is finished, then powers off,
# and netinit-addrwatch.service (before systemd-networkd): the host name as systemd left it
# before any network manager ran, and every IPv4 address change from then on (ip monitor).
set -eu
flavour=$1 out=$2
B=${NETINIT_BUILD:?}/debian
mkdir -p "$B"
pkgs=systemd,systemd-sysv,udev,iproute2,dbus
tar=$B/bookworm-minbase.tar
if [ ! -f "$tar" ] || [ ! -s "$tar" ] || [ "$(cat "$tar.pkgs" 2>/dev/null)" != "$pkgs" ]; then
	command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed (tools/packages/debian-root.txt)" >&2; exit 77; }
	mmdebstrap --variant=minbase --format=tar --include="$pkgs" bookworm "$tar.tmp" >&2
	rm -rf "$tar"; mv "$tar.tmp" "$tar"
	echo "$pkgs" > "$tar.pkgs"
fi
key=$(cat "$0" "$tar.pkgs" | sha256sum | cut -c1-16)
if [ -s "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi
R=$B/root-$flavour
rm -rf "$R"; mkdir -p "$R"
tar -C "$R" --numeric-owner -xpf "$tar"

echo debian-netinit > "$R/etc/hostname"
printf '%s\n' 7c4b0f0e9f3a4d1c8e2b5a6d7f8e9a0b > "$R/etc/machine-id"	# not a first boot
printf 'LANG=C.UTF-8\n' > "$R/etc/default/locale"

cat > "$R/usr/local/sbin/netinit-report" <<'EOF'
#!/bin/sh
# Runs after the boot transaction finished (a transient timer started by netinit-report.service).
state=$(systemctl is-system-running --wait 2>&1)
links=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ',' | sed 's/,$//')
failed=$(systemctl --failed --no-legend --plain 2>/dev/null | awk '{print $1}' | tr '\n' ',' | sed 's/,$//')
for dev in $(ls /sys/class/net); do
	[ "$dev" = lo ] && continue
	st=$(networkctl status "$dev" 2>/dev/null)
	file=$(printf '%s\n' "$st" | sed -n 's/^ *Network File: *//p')
	keep=$( [ -f "$file" ] && sed -n 's/^KeepConfiguration=//p' "$file")
	echo "DEBIAN-LINK $dev state=$(printf '%s\n' "$st" | sed -n 's/^ *State: *\([^ ]*\) (\(.*\))$/\1\/\2/p') file=$file keep=${keep:-none} addrs=$(ip -4 -o addr show dev "$dev" | awk '{print $4}' | tr '\n' ',' | sed 's/,$//')"
done
# every IPv4 address removed since before networkd started (ip monitor, netinit-addrwatch)
w=/run/netinit-addrwatch.log
echo "DEBIAN-ADDRWATCH early_hostname=$(cat /run/netinit-early-hostname 2>/dev/null || echo '?') deleted=$(grep -c '^Deleted.* inet ' $w 2>/dev/null) added=$(grep -v '^Deleted' $w 2>/dev/null | grep -c ' inet ')"
grep '^Deleted.* inet ' $w 2>/dev/null | head -n 4 | sed 's/^/DEBIAN-ADDRWATCH-DEL /'
# a large file on the root, read back from the server once the network manager took over
if [ -f /var/lib/netinit-big.sha256 ]; then
	sync; echo 3 > /proc/sys/vm/drop_caches
	t0=$(cut -d' ' -f1 /proc/uptime)
	got=$(sha256sum /var/lib/netinit-big.bin | cut -d' ' -f1)
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "DEBIAN-BIGFILE $( [ "$got" = "$(cat /var/lib/netinit-big.sha256)" ] && echo intact || echo "CORRUPT:$got") size=$(stat -c %s /var/lib/netinit-big.bin) read_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') lower=$(awk '$2 == "/run/rootfsbase" {print $1}' /proc/mounts | head -n 1)"
fi
an=$(systemd-analyze 2>/dev/null)
# boot-to-multi-user: when multi-user.target became active, in seconds since the kernel started
mu=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target 2>/dev/null | awk '$1 > 0 {printf "%.1fs", $1 / 1000000}')
echo "DEBIAN-ANALYZE $(printf '%s\n' "$an" | head -n 1)"
echo "DEBIAN-RESULT state=$state links=$links failed=${failed:-none} hostname=$(hostname) multiuser=${mu:-?} uptime=$(cut -d' ' -f1 /proc/uptime)"
systemctl poweroff
EOF
chmod 755 "$R/usr/local/sbin/netinit-report"
cat > "$R/etc/systemd/system/netinit-report.service" <<'EOF'
[Unit]
Description=netinit e2e: report the booted system's state, then power off
After=multi-user.target

[Service]
Type=oneshot
StandardOutput=journal+console
# outside the boot transaction, so is-system-running --wait can see it finish
ExecStart=/usr/bin/systemd-run --on-active=1 --unit=netinit-report-now --property=StandardOutput=journal+console /usr/local/sbin/netinit-report

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/netinit-report.service "$R/etc/systemd/system/multi-user.target.wants/"
cat > "$R/etc/systemd/system/netinit-addrwatch.service" <<'EOF'
[Unit]
Description=netinit e2e: the host name and IPv4 address changes from before networkd starts
DefaultDependencies=no
Before=systemd-networkd.service NetworkManager.service networking.service sysinit.target
Conflicts=shutdown.target

[Service]
Type=simple
ExecStartPre=/bin/sh -c 'cat /proc/sys/kernel/hostname > /run/netinit-early-hostname'
ExecStart=/bin/sh -c 'exec ip -4 -o monitor address > /run/netinit-addrwatch.log 2>&1'
# ip has subscribed before anything ordered after this unit starts
ExecStartPost=/bin/sleep 0.5

[Install]
WantedBy=sysinit.target
EOF
mkdir -p "$R/etc/systemd/system/sysinit.target.wants"
ln -sf /etc/systemd/system/netinit-addrwatch.service "$R/etc/systemd/system/sysinit.target.wants/"

case $flavour in
networkd)
	mkdir -p "$R/etc/systemd/network"
	cat > "$R/etc/systemd/network/10-ens3.network" <<'EOF'
[Match]
Name=ens3

[Network]
DHCP=ipv4
Address=192.0.2.50/24
EOF
	chroot "$R" systemctl enable systemd-networkd.service systemd-networkd.socket >/dev/null 2>&1 ||
		chroot "$R" systemctl enable systemd-networkd.service
	;;
*)	echo "unknown flavour $flavour" >&2; exit 2 ;;
esac
rm -f "$out"
case $out in
*.ext4)
	rm -f "$R/etc/hostname"
	head -c $((50 * 1024 * 1024)) /dev/urandom > "$R/var/lib/netinit-big.bin"
	sha256sum "$R/var/lib/netinit-big.bin" | cut -d' ' -f1 > "$R/var/lib/netinit-big.sha256"
	mb=$(( $(du -sm "$R" | cut -f1) * 13 / 10 + 64 ))
	rm -f "$out.tmp"; truncate -s "${mb}M" "$out.tmp"
	mkfs.ext4 -q -F -E root_owner=0:0 -d "$R" "$out.tmp" >/dev/null
	mv "$out.tmp" "$out"
	;;
*)	mksquashfs "$R" "$out" -noappend -quiet -comp zstd >/dev/null ;;
esac
echo "$key" > "$out.key"
rm -rf "$R"
