#!/bin/bash
# ip=dhcp on QEMU's user network (its built-in DHCP server: guest 10.0.2.15, gateway
# 10.0.2.2, DNS 10.0.2.3) with an embedded root: the lease, the default route,
# /etc/resolv.conf in the initramfs and /run/netinit/ facts reaching the booted system.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-NET route=$(ip -4 route show default | awk '{print $3; exit}') env=$(tr '\n' ' ' < /run/netinit/net/eth0.env) pnp=$(tr '\n' ' ' < /run/netinit/resolv.conf)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/root.squashfs"
initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" "net.ifnames=0 root=live:/images/root.squashfs ip=dhcp" \
	$QEMU_USERNET || fail "boot did not finish"
# (expect_result would read the ip= of the cmdline= field, which also holds ip=)
expect_log "$W/boot.log" 'NETINIT-RESULT .* ip=10\.0\.2\.15/24 lower='
note "$(result_line "$W/boot.log")"
expect_log "$W/boot.log" 'network: eth0: DHCP lease 10\.0\.2\.15/24 from 10\.0\.2\.2 in [0-9]+ ms'
expect_log "$W/boot.log" 'NETINIT-NET route=10\.0\.2\.2 '
expect_log "$W/boot.log" "NETINIT-NET .*env=IFACE='eth0' METHOD='dhcp' ADDRESS='10\.0\.2\.15' PREFIX='24' .*GATEWAY='10\.0\.2\.2' DNS='10\.0\.2\.3' "
expect_log "$W/boot.log" 'NETINIT-NET .*pnp=#PROTO: DHCP .*nameserver 10\.0\.2\.3 bootserver 10\.0\.2\.2'
