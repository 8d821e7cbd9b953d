#!/bin/bash
# vlan=<name>:<phys> creates a real 802.1Q interface (8021q from the initramfs) and a static ip=
# configures it. The NIC sits on an otherwise empty QEMU hub: no frame leaves the VM, so no peer
# is needed (the host kernel here has no 8021q to be a tagged peer).
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-VLAN $(head -n 1 /proc/net/vlan/eth0.10 | tr -s ' \t' ' ') addr=$(ip -4 -o addr show dev eth0.10 | awk '{print $4}') phys=$(ip -o link show eth0 | grep -o '<[^>]*>')"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/root.squashfs"
initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" \
	"net.ifnames=0 root=live:/images/root.squashfs vlan=eth0.10:eth0 ip=192.0.2.10::192.0.2.1:255.255.255.0:vguest:eth0.10:none" \
	-netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0 || fail "boot did not finish"
expect_log "$W/boot.log" 'NETINIT-RESULT .* ip=192\.0\.2\.10/24 lower='
expect_log "$W/boot.log" 'NETINIT-VLAN eth0\.10 VID: 10 .* addr=192\.0\.2\.10/24 phys=<[^>]*[<,]UP[,>]'
note "$(grep -a NETINIT-VLAN "$W/boot.log" | tr -d '\r')"
