#!/bin/bash
# mk-debian-root.sh FLAVOUR OUT.squashfs: a real Debian 12 root (mmdebstrap from Debian's
# archive through the machine's own apt sources) configured as an installed system is, as a
# squashfs. Cached: the mmdebstrap tarball under $NETINIT_BUILD/debian/ (rebuilt only when the
# package list changes) and the squashfs (rebuilt only when this script changes).
#
# Flavours:
#   networkd  systemd-networkd owns the NIC: /etc/systemd/network/10-ens3.network
#             ([Match] Name=ens3, DHCP=ipv4 and a marker address 192.0.2.50/24), as an
#             installer writes it for the name udev gives (QEMU's slot 3: ens3).
# Every flavour has netinit-report.service (WantedBy/After multi-user.target): it prints one
# DEBIAN-RESULT line on the console once the boot transaction is finished, then powers off.
set -eu
flavour=$1 out=$2
B=${NETINIT_BUILD:?}/debian
mkdir -p "$B"
pkgs=systemd,systemd-sysv,udev,iproute2,dbus
tar=$B/bookworm-minbase.tar
if [ ! -s "$tar" ] || [ "$(cat "$tar.pkgs" 2>/dev/null)" != "$pkgs" ]; then
	command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed (tools/packages/debian-root.txt)" >&2; exit 77; }
	mmdebstrap --variant=minbase --include="$pkgs" bookworm "$tar.tmp" >&2
	mv "$tar.tmp" "$tar"
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
	echo "DEBIAN-LINK $dev state=$(printf '%s\n' "$st" | sed -n 's/^ *State: *\([^ ]*\) (\(.*\))$/\1\/\2/p') file=$(printf '%s\n' "$st" | sed -n 's/^ *Network File: *//p') addrs=$(ip -4 -o addr show dev "$dev" | awk '{print $4}' | tr '\n' ',' | sed 's/,$//')"
done
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
mksquashfs "$R" "$out" -noappend -quiet -comp zstd >/dev/null
echo "$key" > "$out.key"
rm -rf "$R"
