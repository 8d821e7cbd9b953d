#!/bin/bash
# The KIWI live document's persistent line, ip=dhcp included (KIWI's /dev/sda is our /dev/vda,
# http instead of ftp): boot 1 deploys the ISO onto the disk; boot 2, the same line with no NIC,
# boots standalone from the disk (the network stage warns once and goes on: the root does not
# need it); boot 3, the same line with a NIC whose DHCP server never answers, boots the same way.
# A network root with no NIC is still fatal (e2e 26).
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
mkdir -p "$W/srv/LiveOS" "$W/.sq/LiveOS"
mk_ext4 "$W/root" "$W/.sq/LiveOS/rootfs.img" 16
mk_squashfs "$W/.sq" "$W/srv/LiveOS/squashfs.img"
xorriso -as mkisofs -quiet -V CDROM -o "$W/live.iso" "$W/srv" 2>/dev/null || fail "xorriso"
rm -rf "$W/srv"; mkdir -p "$W/srv"; mv "$W/live.iso" "$W/srv/"
start_http "$W/srv"
mkfs_list xfs "$W/mkfs-xfs.list"
"$NETINIT_BUILD/mkcpio" "$W/mkfs-xfs.list" | gzip -1 > "$W/.xfs.cpio.gz" || fail "mkcpio"
cat "$INITRD" "$W/.xfs.cpio.gz" > "$W/initrd-xfs.img"
export E2E_INITRD=$W/initrd-xfs.img
truncate -s 512M "$W/disk.img"	# mkfs.xfs wants at least 300 MiB
DISK="-drive file=$W/disk.img,format=raw,if=virtio"
kapp="ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/live.iso ramdisk_size=2097152 rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.live.overlay.cowfs=xfs"

qemu_boot "$W/boot1.log" "$kapp" $QEMU_USERNET $DISK || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay root_rw=yes marker=none
expect_log "$W/boot1.log" 'netinit: deploy: created the write partition /dev/vda1 \(label cow, xfs\)'

# no NIC at all: the iflink wait (60 s), one warning, then the disk
E2E_TIMEOUT=300 qemu_boot "$W/boot2.log" "$kapp" $DISK || fail "boot 2 did not finish"
expect_result "$W/boot2.log" rootfs=overlay marker=seen ip=none
expect_log "$W/boot2.log" 'netinit: network: unavailable, going on without it .*no usable network interface appeared in 60 s'
expect_log "$W/boot2.log" 'netinit: deploy: booting the image on /dev/vda: no download, no network'
expect_no_log "$W/boot2.log" 'netinit: fatal|netinit: downloading'
[ "$(grep -ac 'netinit: network: unavailable' "$W/boot2.log")" = 1 ] || fail "boot 2: the warning is not said once"

# a NIC on a hub with nobody else: DHCP never answers (rd.net.timeout.dhcp, 30 s)
E2E_TIMEOUT=300 qemu_boot "$W/boot3.log" "$kapp" -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0 $DISK ||
	fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay marker=seen
expect_log "$W/boot3.log" 'netinit: network: unavailable, going on without it'
expect_no_log "$W/boot3.log" 'netinit: fatal|netinit: downloading'

# bond= (dracut syntax): two NICs on one segment (a QEMU hub with the user network on it), DHCP on
# the bond; the booted root sees the bond's mode, its two slaves and the primary= it was given.
# active-backup, not 802.3ad: without a LACP partner (QEMU has none) the kernel's 802.3ad bond
# over virtio-net (no link speed) transmits on no aggregator now and then, and DHCP never leaves.
# net.ifnames=0 pins the kernel names the slaves are given by (where netinit renames NICs the
# udev way, bond= names them as they are after the rename). (Here rather than in a case of its
# own: e2e numbers 26-29 were ours to use.)
make_testroot "$W/broot"
cat > "$W/broot/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-BOND mode=$(cut -d' ' -f1 /sys/class/net/bond0/bonding/mode) slaves=$(tr ' ' , < /sys/class/net/bond0/bonding/slaves) active=$(cat /sys/class/net/bond0/bonding/active_slave) miimon=$(cat /sys/class/net/bond0/bonding/miimon)"
EOS
chmod 755 "$W/broot/netinit-test.sh"
mk_ext4 "$W/broot" "$W/broot.img" 32
TWO_NICS="-netdev user,id=u0 -netdev hubport,id=hu,hubid=0,netdev=u0 -netdev hubport,id=h1,hubid=0 -netdev hubport,id=h2,hubid=0 -device virtio-net-pci,netdev=h1 -device virtio-net-pci,netdev=h2"
E2E_INITRD= qemu_boot "$W/boot4.log" "root=/dev/vda net.ifnames=0 rd.neednet=1 ip=bond0:dhcp bond=bond0:eth0,eth1:mode=active-backup,miimon=50,primary=eth1" \
	$TWO_NICS -drive file=$W/broot.img,format=raw,if=virtio || fail "boot 4 did not finish"
expect_result "$W/boot4.log" rootfs=ext4 ip=10.0.2.15/24
expect_log "$W/boot4.log" 'netinit: network: bond0: bond \(active-backup\) created'
expect_log "$W/boot4.log" 'netinit: network: bond0: eth0 enslaved'
expect_log "$W/boot4.log" 'netinit: network: bond0: eth1 enslaved'
expect_log "$W/boot4.log" 'NETINIT-BOND mode=active-backup slaves=eth0,eth1 active=eth1 miimon=50'
expect_log "$W/boot4.log" 'netinit: network: bond0: DHCP lease 10.0.2.15/24'
