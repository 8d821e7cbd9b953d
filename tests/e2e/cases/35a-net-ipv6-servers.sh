#!/bin/bash
# Root servers reached over IPv6 only: QEMU on a tap in a network namespace (fixed ports inside
# it: E2E_SERIAL), dnsmasq sending RAs with the M flag, leasing by stateful DHCPv6 and answering
# DNS for names that have only an AAAA record; nginx (TLS), nbd-server and Debian's
# docker-registry listen on 2001:db8:9::80 only. Eight boots of one namespace setup:
#   1. https: ip=dhcp6, https://tls6.test:8443/ (AAAA only), the certificate verified against
#      the test CA added to the initramfs bundle, rd.live.sha256=auto; then (1b) the same
#      without the CA: refused
#   2. NBD, dracut's form with the server in brackets: root=nbd:[2001:db8:9::80]:export:ext4:ro
#      (the default port 10809); the guest's root stays on a TCP connection over IPv6
#   3. NBD, KIWI's overlay form with a port: root=overlay:nbd=[2001:db8:9::80]:10809:sq
#   4. a registry pull: root=bootc-live:docker://[2001:db8:9::80]:5000/netinit/test:v1; then
#      (4b) docker://reg6.test:5000/netinit/test@sha256:... (reg6.test: AAAA only)
#   5. DAD failure: ip=[2001:db8:9::66]... while the namespace side already holds ::66: one line
#      naming the address and the MAC that holds it (the namespace's tap0, from its neighbour
#      advertisement), then a fatal error (no root is fetched) and a reboot; (5b) the same for
#      the guest's link-local address
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, tap)"
for c in dnsmasq nginx nbd-server docker-registry skopeo umoci openssl; do
	command -v $c >/dev/null || skip "$c missing (tools/packages/net.txt, e2e.txt, nbd.txt)"
done
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"	# (copies $INITRD into $W)
NS=ne6s$$
S6=2001:db8:9::80
ip netns add "$NS" || skip "cannot create a network namespace"
DPID="" NPID="" RPID=""
cleanup() {
	for p in $DPID $NPID $RPID; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	[ -s "$W/nbd.pid" ] && kill "$(cat "$W/nbd.pid")" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap || fail "tuntap"
for a in 2001:db8:9::1 $S6 2001:db8:9::66; do ip -n "$NS" addr add $a/64 dev tap0 nodad; done
ip -n "$NS" link set tap0 up
nsx() { ip netns exec "$NS" "$@"; }	# (not for daemons: "nsx cmd &" gives a subshell's pid)
# wait_listen tcp|udp ADDR:PORT: until something in the namespace listens there (5 s at most)
wait_listen() {
	for _ in $(seq 50); do nsx ss -Hln -"${1:0:1}" | grep -qF "$2 " && return 0; sleep 0.1; done
	return 1
}

# ---- DNS, RA (M flag), stateful DHCPv6; tls6.test and reg6.test have AAAA records only ----
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null -u root --interface=tap0 --bind-interfaces --no-ping \
	--no-resolv --no-hosts --log-dhcp --log-queries --enable-ra --ra-param=tap0,3,1800 --local=/test/ \
	--host-record=tls6.test,$S6 --host-record=reg6.test,$S6 --dhcp-leasefile="$W/leases" \
	--dhcp-range=2001:db8:9::100,2001:db8:9::1ff,64,1h --dhcp-option=option6:dns-server,[2001:db8:9::1] \
	>> "$W/dnsmasq.log" 2>&1 &
DPID=$!
wait_listen udp '[2001:db8:9::1]:53' || fail "dnsmasq did not start (see $W/dnsmasq.log)"

# ---- the roots: an OCI image (bootc_images: its own test root), then a live squashfs (https),
# an ext4 and a squashfs export (NBD) of a root that reports its network ----
bootc_images
rm -rf "$W/root"
make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-NET6 addr6=$(ip -6 -o addr show dev eth0 scope global | awk '{print $4}' | tr '\n' ',') addr4=$(ip -4 -o addr show dev eth0 | awk '{print $4}') resolv=$(grep nameserver /run/netinit/resolv.conf | tr '\n' ' ') nbd6=$(awk '$3 ~ /:2A39$/ && $4 == "01"' /proc/net/tcp6 | wc -l) nbd4=$(awk '$3 ~ /:2A39$/ && $4 == "01"' /proc/net/tcp | wc -l)"
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/www"
mk_squashfs "$W/root" "$W/www/root.squashfs"
(cd "$W/www" && sha256sum root.squashfs > root.squashfs.sha256)
mk_ext4 "$W/root" "$W/root.img" 64
mk_squashfs "$W/root" "$W/root.sqfs"

# ---- nginx: https on [S6]:8443 only, a certificate for tls6.test from a test CA ----
T=$W/tls; mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=netinit test CA v6" \
	-keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null || fail "openssl: CA"
openssl req -newkey rsa:2048 -nodes -subj "/CN=tls6.test" -keyout "$T/server.key" -out "$T/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:tls6.test\nbasicConstraints=CA:FALSE\n' > "$T/ext.cnf"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/ext.cnf" -out "$T/server.crt" 2>/dev/null || fail "openssl: server certificate"
nginx_conf "	log_format tls '\$remote_addr \$ssl_protocol \$ssl_server_name \"\$request\" \$status';
	access_log $W/nginx/logs/access.log tls;
	types { application/octet-stream squashfs; }
	server { listen [$S6]:8443 ssl ipv6only=on; root $W/www;
		ssl_certificate $T/server.crt; ssl_certificate_key $T/server.key; }"
nginx_bg "$NS"
NPID=$NGINX_PID
wait_listen tcp "[$S6]:8443" || fail "nginx did not start (see $W/nginx/logs/error.log)"

# ---- nbd-server on [S6]:10809: [export] the ext4 root, [sq] the squashfs (read-only) ----
cat > "$W/nbd.conf" <<CONF
[generic]
    listenaddr = $S6
    port = 10809
[export]
    exportname = $W/root.img
[sq]
    exportname = $W/root.sqfs
    readonly = true
CONF
nsx nbd-server -C "$W/nbd.conf" -p "$W/nbd.pid" > "$W/nbd-server.log" 2>&1 || fail "nbd-server did not start"
wait_listen tcp "[$S6]:10809" || fail "nbd-server not listening on [$S6]:10809"

# ---- docker-registry on [S6]:5000 only. skopeo 1.9 takes no IPv6 literal in a reference, so
# the image is pushed to the same storage through 127.0.0.1:5000 inside the namespace first, then
# the registry starts again listening on [S6]:5000 alone ----
mkdir -p "$W/registry"
regconf() {
	cat > "$W/registry/config.yml" <<EOC
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $W/registry/data
http:
  addr: "$1"
EOC
	ip netns exec "$NS" docker-registry serve "$W/registry/config.yml" > "$W/registry/log" 2>&1 &
	RPID=$!
	wait_listen tcp "$1" || { cat "$W/registry/log" >&2; fail "docker-registry did not start on $1"; }
}
regconf 127.0.0.1:5000
nsx skopeo copy -q --dest-tls-verify=false "oci:$W/img/layout:latest" docker://127.0.0.1:5000/netinit/test:v1 ||
	fail "skopeo push"
DIGEST=sha256:$(nsx skopeo inspect --raw --tls-verify=false docker://127.0.0.1:5000/netinit/test:v1 | sha256sum | cut -d' ' -f1)
kill "$RPID"; wait "$RPID" 2>/dev/null
regconf "[$S6]:5000"
nsx ss -Hltn | grep -q ':5000 .*' && ! nsx ss -Hltn | grep -q '127.0.0.1:5000 ' || fail "registry: not on [$S6]:5000 alone"
: > "$W/registry/log"

initrd_with_cas "$W/initrd-ca.img" "$T/ca.crt"
MAC=52:54:00:e2:e0:3a
boot() {	# boot NAME INITRD APPEND
	ip netns exec "$NS" bash -c "$(declare -f qemu_boot note); \
		KERNEL='$KERNEL' E2E_INITRD='$2' E2E_TIMEOUT=${E2E_TIMEOUT:-240} E2E_MEM=${E2E_MEM:-512} \
		qemu_boot '$W/$1.log' 'net.ifnames=0 $3' \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$MAC" \
		|| fail "$1: boot did not finish"
	note "$1: $(grep -a 'network: eth0' "$W/$1.log" | tail -n 1 | tr -d '\r')"
}
LEASE='2001:db8:9::1[0-9a-f]{2}'
expect_dhcp6() {	# the DHCPv6 lease, its DNS server the only one
	expect_log "$1" "network: eth0: DHCPv6 lease $LEASE "
	expect_log "$1" "network: eth0 ipv6 $LEASE/128 gw fe80::[0-9a-f:]+ dns 2001:db8:9::1 \\(dhcp6, dhcpv6, RA M"
}

# 1. https over IPv6: stateful DHCPv6, a name with only an AAAA record, the certificate verified
boot https "$W/initrd-ca.img" "ip=dhcp6 root=live:https://tls6.test:8443/root.squashfs rd.live.sha256=auto rd.retry=30"
expect_dhcp6 "$W/https.log"
expect_result "$W/https.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/https.log" 'netinit: downloading https://tls6.test:8443/root.squashfs'
expect_log "$W/https.log" 'sha256 verified'
expect_no_log "$W/https.log" 'TLS verification is off|insecure|warning'
expect_log "$W/https.log" "NETINIT-NET6 addr6=$LEASE/128, addr4= resolv=nameserver 2001:db8:9::1 "
grep -qE "query\\[AAAA\\] tls6.test from $LEASE" "$W/dnsmasq.log" || fail "https: no AAAA query from the leased address"
grep -qE "^$LEASE TLSv1\\.[23] tls6.test \"GET /root.squashfs.sha256 HTTP/1.1\" 200" "$W/nginx/logs/access.log" ||
	fail "https: nginx did not serve the .sha256 over TLS (SNI tls6.test) to the leased address"
grep -qE "^$LEASE TLSv1\\.[23] tls6.test \"GET /root.squashfs HTTP/1.1\" 200" "$W/nginx/logs/access.log" ||
	fail "https: nginx did not serve the squashfs over TLS to the leased address"

# 1b. the same without the test CA in the bundle: the certificate is checked over IPv6 too
boot https-noca "$INITRD" "ip=dhcp6 root=live:https://tls6.test:8443/root.squashfs rd.retry=5"
expect_log "$W/https-noca.log" 'netinit: fatal: download: https://tls6.test:8443/root.squashfs: TLS: mbedTLS: The certificate is not correctly signed by the trusted CA'
expect_no_log "$W/https-noca.log" 'NETINIT-RESULT'

# 2. NBD over IPv6, dracut's form, the server's literal in brackets, the default port
boot nbd-dracut "$INITRD" "ip=dhcp6 root=nbd:[$S6]:export:ext4:ro,noatime rd.retry=30"
expect_dhcp6 "$W/nbd-dracut.log"
expect_result "$W/nbd-dracut.log" rootfs=ext4 root_rw=no lower=no
expect_log "$W/nbd-dracut.log" 'NETINIT-NET6 .* nbd6=1 nbd4=0'
expect_no_log "$W/nbd-dracut.log" 'Invalid argument'

# 3. NBD over IPv6, KIWI's overlay form with an explicit port and a named export
boot nbd-kiwi "$INITRD" "ip=dhcp6 root=overlay:nbd=[$S6]:10809:sq rd.retry=30"
expect_dhcp6 "$W/nbd-kiwi.log"
expect_result "$W/nbd-kiwi.log" rootfs=overlay root_rw=yes lower=yes
expect_log "$W/nbd-kiwi.log" 'netinit: .*squashfs mounted read-only at /run/rootfsbase'
expect_log "$W/nbd-kiwi.log" 'NETINIT-NET6 .* nbd6=1 nbd4=0'

# 4. a registry pull over IPv6: the registry named by its literal in brackets
boot registry "$INITRD" "ip=dhcp6 root=bootc-live:docker://[$S6]:5000/netinit/test:v1 bootc.registry.unsecure"
expect_dhcp6 "$W/registry.log"
expect_result "$W/registry.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest
expect_layers_applied "$W/registry.log"
grep -qE "remoteaddr=\"?\\[$LEASE\\]:[0-9]+.*/v2/netinit/test/manifests/v1" "$W/registry/log" ||
	fail "registry: no manifest request from the leased address in $W/registry/log"
grep -qE "remoteaddr=\"?\\[$LEASE\\]:[0-9]+.*/v2/netinit/test/blobs/sha256:" "$W/registry/log" ||
	fail "registry: no blob request from the leased address"

# 4b. the registry by a name with only an AAAA record, the image by digest
: > "$W/registry/log"
boot registry-name "$INITRD" "ip=dhcp6 root=bootc-live:docker://reg6.test:5000/netinit/test@$DIGEST bootc.registry.unsecure"
expect_result "$W/registry-name.log" rootfs=tmpfs root_rw=no marker=label-latest
expect_log "$W/registry-name.log" "image $DIGEST unpacked"
grep -qE "query\\[AAAA\\] reg6.test from $LEASE" "$W/dnsmasq.log" || fail "registry-name: no AAAA query for reg6.test"
grep -qE "remoteaddr=\"?\\[$LEASE\\]:[0-9]+.*/v2/netinit/test/manifests/$DIGEST" "$W/registry/log" ||
	fail "registry-name: no manifest request by digest from the leased address"

# 5. DAD failure: the guest's static address is already on the segment
boot dad "$INITRD" "ip=[2001:db8:9::66]::[2001:db8:9::1]:64::eth0:none root=live:https://tls6.test:8443/root.squashfs rd.retry=5"
TAPMAC=$(nsx cat /sys/class/net/tap0/address) || fail "dad: no MAC for the namespace's tap0"
expect_log "$W/dad.log" "IPv6 duplicate address 2001:db8:9::66 used by $TAPMAC detected"
expect_log "$W/dad.log" "netinit: network: eth0: DAD failed for 2001:db8:9::66: a duplicate address on the segment, held by $TAPMAC"
[ "$(grep -ac 'netinit: network: eth0: DAD failed' "$W/dad.log")" = 1 ] || fail "dad: not exactly one DAD line"
expect_log "$W/dad.log" 'netinit: fatal: network: .*eth0 not configured: eth0: DAD failed for 2001:db8:9::66'
expect_log "$W/dad.log" 'netinit: hint: another machine on the segment holds that address'
expect_log "$W/dad.log" 'netinit: rebooting now'
expect_no_log "$W/dad.log" 'NETINIT-RESULT|downloading https://'

# 5b. DAD failure of the link-local address (ip=dhcp6 waits for it): the namespace holds the
# guest's EUI-64 link-local address
LL=fe80::5054:ff:fee2:e03a
ip -n "$NS" addr add $LL/64 dev tap0 nodad || fail "adding $LL"
boot dad-ll "$INITRD" "ip=dhcp6 root=live:https://tls6.test:8443/root.squashfs rd.retry=5"
ip -n "$NS" addr del $LL/64 dev tap0
expect_log "$W/dad-ll.log" "netinit: network: eth0: DAD failed for $LL \\(link-local\\): a duplicate address on the segment, held by $TAPMAC"
expect_log "$W/dad-ll.log" 'netinit: hint: another machine on the segment holds that address'
expect_log "$W/dad-ll.log" 'netinit: rebooting now'
expect_no_log "$W/dad-ll.log" 'NETINIT-RESULT|DHCPv6 lease'
exit 0
