#!/bin/bash
# ifupdown + isc-dhcp-client on a real Debian 12 ("allow-hotplug ens3" / "iface ens3 inet dhcp"
# as the installer writes them) whose root is a writable ext4 export on NBD (dracut's
# root=nbd:<server>:<export>:ext4, "rw"), and a file being written when it powers off.
# The booted system runs its own configuration: ifup@ens3.service brings ens3 up with dhclient
# (it is not marked configured in /run/network/ifstate), which asks for the same lease; the
# root's address is never deleted. At shutdown netinit's drop-ins keep ifup@ens3's ifdown
# (dhclient -r: DHCPRELEASE and the address flushed, then "ip link set ens3 down") and
# networking.service's "ifdown -a" off ens3; systemd pivots into /run/initramfs and netinit's
# shutdown unmounts the root and disconnects /dev/nbd0. Afterwards, on the host: the export's
# ext4 is clean (e2fsck -fn, no journal to recover) and the file written during shutdown is
# whole: consecutive numbered lines, none torn.
# Without the drop-ins (seen with this commit's initramfs minus the two ifupdown files) ifdown
# takes ens3 down under the root while it is still mounted read-write, and the shutdown hangs on
# the NBD device.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/debian-lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
img=$NETINIT_BUILD/debian/bookworm-ifupdown.ext4
debian_root ifupdown "$img"
cp --sparse=always "$img" "$W/root.ext4" || fail "copying the image"
nbd_serve "$W/root.ext4"
fwd="-netdev user,id=n0,hostname=netinit-dhcp,guestfwd=tcp:10.0.2.100:10809-tcp:127.0.0.1:$NBD_PORT -device virtio-net-pci,netdev=n0,addr=3"
E2E_MEM=1536 E2E_TIMEOUT=${E2E_TIMEOUT:-900} E2E_STOP_ON='reboot: Power down' \
	qemu_boot "$W/boot.log" "root=nbd:10.0.2.100:export:ext4 rw rd.retry=60 systemd.show_status=0 netinit.test.writer" \
	$fwd || fail "boot did not finish"
debian_result "$W/boot.log"
debian_healthy "$W/boot.log"
note "$(grep -a 'DEBIAN-IFUPDOWN ' "$W/boot.log" | tail -n 1 | tr -d '\r')"
note "$(grep -a 'DEBIAN-BIGFILE' "$W/boot.log" | tail -n 1 | tr -d '\r')"
expect_log "$W/boot.log" 'network: eth0: renamed to ens3'
expect_log "$W/boot.log" 'handoff: ifupdown for ens3: /run/systemd/system/ifup@ens3\.service\.d/50-netinit-netroot\.conf'
expect_log "$W/boot.log" 'handoff: ifupdown for ens3: /run/systemd/system/networking\.service\.d/50-netinit-netroot-ens3\.conf'
# the system's own "iface ens3 inet dhcp" applied: ifup@ens3 active, dhclient running with a lease
expect_log "$W/boot.log" 'DEBIAN-IFUPDOWN ens3 state=ens3=ens3 ifup=active dhclient=running leases=[1-9][0-9]* addrs=10\.0\.2\.15/24'
expect_log "$W/boot.log" 'DEBIAN-ADDRWATCH early_hostname=netinit-dhcp deleted=0 '
expect_no_log "$W/boot.log" 'DEBIAN-ADDRWATCH-DEL'
expect_log "$W/boot.log" 'DEBIAN-BIGFILE intact size=52428800 '
case $res in *" hostname=netinit-dhcp "*) ;; *) fail "the host name is not the DHCP one: $res" ;; esac
debian_nbd_shutdown "$W/boot.log" poweroff
expect_no_log "$W/boot.log" 'DHCPRELEASE'
# the export, on the host, once the server has let it go
nbd_stop
e2fsck -fn "$W/root.ext4" > "$W/fsck.log" 2>&1 || { sed 's/^/    | /' "$W/fsck.log" >&2; fail "e2fsck -fn found errors on the export"; }
dumpe2fs -h "$W/root.ext4" 2>/dev/null | grep -q '^Filesystem state: *clean$' || fail "the export's ext4 is not marked clean"
dumpe2fs -h "$W/root.ext4" 2>/dev/null | grep -q 'needs_recovery' && fail "the export's journal needs recovery"
debugfs -R "dump /var/lib/netinit-writer.txt $W/writer.txt" "$W/root.ext4" > /dev/null 2>&1 || fail "no writer file on the export"
# a writer killed in the middle of a write(2) may leave the last record cut short: it must then
# be the start of that record (no zeros, no garbage), all others whole and in sequence
part=0; [ -s "$W/writer.txt" ] && [ "$(tail -c 1 "$W/writer.txt" | od -An -tx1 | tr -d ' ')" != 0a ] && part=1
awk -v part=$part -v t=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abc '
	prev != "" { printf "line %d is not record %d: %.40s\n", NR - 1, NR - 2, prev; bad = 1; exit }
	$0 != sprintf("%08d %s", NR - 1, t) { prev = $0 }
	END {
		if (!bad && prev != "" && !(part && index(sprintf("%08d %s", NR - 1, t), prev) == 1)) {
			printf "line %d is not record %d: %.40s\n", NR, NR - 1, prev; bad = 1
		}
		if (!bad) printf "%d records\n", NR
		exit bad
	}' "$W/writer.txt" > "$W/writer.check" || fail "the file written during shutdown is torn: $(cat "$W/writer.check")"
n=$(cut -d' ' -f1 "$W/writer.check")
[ "$n" -gt 0 ] || fail "the writer wrote nothing"
note "written during shutdown: $n records, $(stat -c %s "$W/writer.txt") bytes, export clean (e2fsck -fn)"
