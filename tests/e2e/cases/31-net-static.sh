#!/bin/bash
# A static ip= (dracut form with DNS) on QEMU's user network: no DHCP involved; the address,
# the gateway route, rd.route= and nameserver= end up where they should.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-NET routes=$(ip -4 route | tr '\n' ';') env=$(tr '\n' ' ' < /run/netinit/net/eth0.env)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mk_squashfs "$W/root" "$W/root.squashfs"
initrd_with "$W/initrd.img" "$W/root.squashfs:/images/root.squashfs"
E2E_INITRD="$W/initrd.img" qemu_boot "$W/boot.log" \
	"net.ifnames=0 root=live:/images/root.squashfs ip=10.0.2.77::10.0.2.2:255.255.255.0:guest77:eth0:none:10.0.2.3 rd.route=10.99.0.0/16:10.0.2.2 nameserver=10.0.2.4" \
	$QEMU_USERNET || fail "boot did not finish"
# (expect_result would read the ip= of the cmdline= field, which also holds ip=)
expect_log "$W/boot.log" 'NETINIT-RESULT .* ip=10\.0\.2\.77/24 lower='
note "$(result_line "$W/boot.log")"
expect_log "$W/boot.log" 'network: eth0: static 10\.0\.2\.77/24 gw 10\.0\.2\.2'
expect_log "$W/boot.log" 'NETINIT-NET routes=default via 10\.0\.2\.2 dev eth0 .*10\.99\.0\.0/16 via 10\.0\.2\.2 dev eth0'
expect_log "$W/boot.log" "NETINIT-NET .*METHOD='static' .*DNS='10\.0\.2\.4 10\.0\.2\.3' .*HOSTNAME='guest77'"
expect_no_log "$W/boot.log" 'DHCP'
