#!/bin/bash
# The network handoff, on a real Debian 12 (systemd 252, systemd-networkd configured for ens3)
# whose root is an ext4 image on NBD (KIWI's root=overlay:nbd=, read-only lower, tmpfs upper).
# netinit leaves /run/systemd/network/00-netinit-ens3.network (KeepConfiguration=yes, sorting
# before the system's 10-ens3.network) and sets the DHCP host name (QEMU's DHCP sends option 12;
# the image has no /etc/hostname). The booted system must: apply that file to ens3 and never
# delete 10.0.2.15 (ip monitor from before networkd starts); see the host name before any network
# manager ran; read a 50 MiB file back intact from the NBD server after drop_caches, once networkd
# took over; reach multi-user.target with no failed unit and reboot cleanly through netinit's
# /run/initramfs/shutdown (the old root unmounted, /dev/nbd0 disconnected, then the kernel's
# "Restarting system": systemctl reboot, netinit.test.reboot; 91a and 91b power off).
# Without the handoff (seen with this commit's initramfs built with the two nethandoff calls
# removed) no host name is set, networkd applies 10-ens3.network, which has no
# KeepConfiguration=, and deletes the foreign 10.0.2.15 and its routes when it starts; the root's
# NBD connection then times out ("Dead connection", reconnects fail with "Network unreachable":
# networkd, paged in from that same root, never completes its own DHCP) and the boot hangs
# before multi-user: this case fails.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/e2e/debian-lib.sh"
. "$NETINIT_ROOT/tests/host/nbd/e2e-lib.sh"
img=$NETINIT_BUILD/debian/bookworm-networkd.ext4
debian_root networkd "$img"
nbd_serve "$img" readonly
E2E_MEM=1536 E2E_TIMEOUT=${E2E_TIMEOUT:-900} E2E_STOP_ON='reboot: Restarting system' \
	qemu_boot "$W/boot.log" "root=overlay:nbd=10.0.2.2:$NBD_PORT:export rd.retry=60 systemd.show_status=0 netinit.test.reboot" \
	-netdev user,id=n0,hostname=netinit-dhcp -device virtio-net-pci,netdev=n0,addr=3 || fail "boot did not finish"
expect_log "$W/boot.log" 'network: eth0: renamed to ens3'
expect_log "$W/boot.log" 'network: host name netinit-dhcp \(from DHCP\)'
expect_log "$W/boot.log" 'handoff: systemd-networkd for ens3: /run/systemd/network/00-netinit-ens3\.network \(KeepConfiguration=yes'
expect_log "$W/boot.log" 'handoff: NetworkManager for ens3: /run/NetworkManager/system-connections/ens3\.nmconnection'
debian_result "$W/boot.log"
DEBIAN_SHUTDOWN=reboot debian_healthy "$W/boot.log"
note "$(grep -a 'DEBIAN-ADDRWATCH ' "$W/boot.log" | tail -n 1 | tr -d '\r')"
note "$(grep -a 'DEBIAN-BIGFILE' "$W/boot.log" | tail -n 1 | tr -d '\r')"
expect_log "$W/boot.log" 'DEBIAN-LINK ens3 state=routable/configured file=/run/systemd/network/00-netinit-ens3\.network keep=yes addrs=10\.0\.2\.15/24'
# the address the root lives on was never taken away, not even for a moment
expect_log "$W/boot.log" 'DEBIAN-ADDRWATCH early_hostname=netinit-dhcp deleted=0 '
expect_no_log "$W/boot.log" 'DEBIAN-ADDRWATCH-DEL'
expect_log "$W/boot.log" 'DEBIAN-BIGFILE intact size=52428800 .*lower=/dev/nbd0'
case $res in *" hostname=netinit-dhcp "*) ;; *) fail "the host name is not the DHCP one: $res" ;; esac
# the shutdown: netinit unmounts the old root (the overlay and its NBD lower) and disconnects
# the export before the kernel restarts
debian_nbd_shutdown "$W/boot.log" reboot
