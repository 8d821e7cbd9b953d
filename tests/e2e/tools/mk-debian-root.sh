#!/bin/bash
# mk-debian-root.sh FLAVOUR OUT.squashfs|OUT.ext4|OUT.oci: a real Debian 12 root (mmdebstrap from
# Debian's archive through the machine's own apt sources) configured as an installed system is,
# as a squashfs (live roots), an ext4 image (network block roots) or an oci-archive (bootc-live:
# one gzip layer of the whole tree, image "latest"; umoci). Cached: the mmdebstrap
# tarball under $NETINIT_BUILD/debian/ (rebuilt only when the package list changes) and the image
# (rebuilt only when this script changes).
# The ext4 image also holds /var/lib/netinit-big.bin (50 MiB of random data) and its sha256 in
# /var/lib/netinit-big.sha256, and has no /etc/hostname (the host name is left to DHCP).
#
# Flavours:
#   networkd  systemd-networkd owns the NIC: /etc/systemd/network/10-ens3.network
#             ([Match] Name=ens3, DHCP=ipv4 and a marker address 192.0.2.50/24), as an
#             installer writes it for the name udev gives (QEMU's slot 3: ens3).
#   nm        NetworkManager owns the NIC (Debian's NetworkManager.conf: plugins ifupdown,keyfile,
#             ifupdown interfaces unmanaged; /etc/network/interfaces has only lo), with the profile
#             an installer leaves: /etc/NetworkManager/system-connections/ens3.nmconnection
#             (interface-name=ens3, ipv4 auto plus a marker address 192.0.2.51/24, mode 0600).
#   ifupdown  ifupdown + isc-dhcp-client: /etc/network/interfaces has "allow-hotplug ens3" and
#             "iface ens3 inet dhcp", as Debian's installer writes it (ifup@ens3.service runs
#             dhclient when udev announces the link).
# Every flavour has netinit-report.service (WantedBy/After multi-user.target): it prints one
# DEBIAN-RESULT line on the console once the boot transaction is finished, then powers off,
# and netinit-addrwatch.service (before any network manager): the host name as systemd left it
# before any network manager ran, and every IPv4 address change from then on (ip monitor).
# With netinit.test.reboot on the kernel command line the report reboots instead of powering off.
# With netinit.test.writer on the kernel command line the report starts netinit-writer.service
# just before it powers off: numbered lines appended to /var/lib/netinit-writer.txt as fast as
# a shell can until shutdown kills it (a write in flight at shutdown).
set -eu
flavour=$1 out=$2
B=${NETINIT_BUILD:?}/debian
mkdir -p "$B"
pkgs=systemd,systemd-sysv,udev,iproute2,dbus
tar=$B/bookworm-minbase.tar
case $flavour in
nm) pkgs=$pkgs,network-manager tar=$B/bookworm-minbase-nm.tar ;;
ifupdown) pkgs=$pkgs,ifupdown,isc-dhcp-client tar=$B/bookworm-minbase-ifupdown.tar ;;
esac
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
	addrs=$(ip -4 -o addr show dev "$dev" | awk '{print $4}' | tr '\n' ',' | sed 's/,$//')
	if systemctl -q is-active NetworkManager.service; then
		# the profile active on the device and the file it came from
		conn=$(nmcli -g GENERAL.CONNECTION device show "$dev" 2>/dev/null)
		file=$(nmcli -t -f DEVICE,FILENAME connection show --active 2>/dev/null | sed -n "s/^$dev://p" | head -n 1)
		journalctl -b -o cat -u NetworkManager.service --no-pager 2>/dev/null | grep -E "assume|$dev" | head -n 12 | sed 's/^/DEBIAN-NMLOG /'
		echo "DEBIAN-NM $dev state=$(nmcli -g GENERAL.STATE device show "$dev" 2>/dev/null | tr ' ' _) conn=$(echo $conn | tr ' ' _) file=$file addrs=$addrs"
		continue
	fi
	if [ -x /sbin/ifquery ]; then
		pid=$(cat /run/dhclient.$dev.pid 2>/dev/null)
		echo "DEBIAN-IFUPDOWN $dev state=$(ifquery --state "$dev" 2>/dev/null || echo none) ifup=$(systemctl is-active "ifup@$dev.service") dhclient=$( [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo running || echo none) leases=$(grep -c '^lease' /var/lib/dhcp/dhclient.$dev.leases 2>/dev/null || echo 0) addrs=$addrs"
		continue
	fi
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
grep -qw netinit.test.writer /proc/cmdline && systemctl start netinit-writer.service && sleep 2
if grep -qw netinit.test.reboot /proc/cmdline; then systemctl reboot; else systemctl poweroff; fi
EOF
chmod 755 "$R/usr/local/sbin/netinit-report"
cat > "$R/usr/local/sbin/netinit-writer" <<'EOF'
#!/bin/sh
# one write(2) per line: an 8-digit sequence number and a fixed 93-byte tail (103 bytes a line), until killed
i=0
while :; do
	printf '%08d 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abc\n' $i
	i=$((i + 1))
done >> /var/lib/netinit-writer.txt
EOF
chmod 755 "$R/usr/local/sbin/netinit-writer"
cat > "$R/etc/systemd/system/netinit-writer.service" <<'EOF'
[Unit]
Description=netinit e2e: a file being written when the system shuts down

[Service]
ExecStart=/usr/local/sbin/netinit-writer
EOF
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
Before=systemd-networkd.service NetworkManager.service networking.service ifup@ens3.service sysinit.target
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

# mk_oci_archive DIR OUT: an oci-archive of DIR, one layer (a tar of the tree, owners numeric)
mk_oci_archive() {
	command -v umoci >/dev/null || { echo "umoci is not installed" >&2; exit 77; }
	l=$B/oci-layout.tmp; rm -rf "$l" "$B/oci-layer.tar"
	umoci init --layout "$l" && umoci new --image "$l:latest" || exit 1
	tar -C "$1" --numeric-owner --xattrs -cf "$B/oci-layer.tar" . || exit 1
	umoci raw add-layer --image "$l:latest" "$B/oci-layer.tar" || exit 1
	umoci gc --layout "$l"
	tar -C "$l" -cf "$2.tmp" . && mv "$2.tmp" "$2" || exit 1
	rm -rf "$l" "$B/oci-layer.tar"
}

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
nm)
	mkdir -p "$R/etc/network"
	printf 'auto lo\niface lo inet loopback\n' > "$R/etc/network/interfaces"
	mkdir -p "$R/etc/NetworkManager/system-connections"
	cat > "$R/etc/NetworkManager/system-connections/ens3.nmconnection" <<'EOF'
[connection]
id=Wired connection 1
uuid=3f6f5a52-9d1c-4c43-a4a6-1c9b7b2d6e10
type=ethernet
interface-name=ens3

[ethernet]

[ipv4]
address1=192.0.2.51/24
method=auto

[ipv6]
addr-gen-mode=stable-privacy
method=auto
EOF
	chmod 600 "$R/etc/NetworkManager/system-connections/ens3.nmconnection"
	chroot "$R" systemctl enable NetworkManager.service >/dev/null 2>&1
	;;
ifupdown)
	cat > "$R/etc/network/interfaces" <<'EOF'
# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug ens3
iface ens3 inet dhcp
EOF
	chroot "$R" systemctl enable networking.service >/dev/null 2>&1
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
*.oci)	mk_oci_archive "$R" "$out" ;;
*)	mksquashfs "$R" "$out" -noappend -quiet -comp zstd >/dev/null ;;
esac
echo "$key" > "$out.key"
rm -rf "$R"
