# Sourced by tests/e2e/cases/88c-*.sh and 88d-*.sh: FLEET_GUESTS guests boot the same
# root=live:torrent:// at once on a bridge in a network namespace, with dnsmasq (DHCP), nginx
# (the origin: metainfo and web seed), one seeder and, with FLEET_TRACKER=1, Debian's
# opentracker and aria2c as the seeder; else the torrent names no tracker, the seeder is
# netinit's transport (fetchtool) and the peers find each other by LSD (BEP 14).
# Every guest verifies the image (rd.live.sha256); the origin's byte count shows the saving.
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, taps)"
for t in dnsmasq opentracker mktorrent aria2c nginx; do
	command -v $t >/dev/null || skip "$t missing (tools/packages/torrent.txt, net.txt)"
done
bridge_ns nt2e$$ "$FLEET_GUESTS"
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=0 --interface=br0 \
	--bind-interfaces --dhcp-leasefile="$W/leases" --pid-file="$W/dnsmasq.pid" \
	--dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h > "$W/dnsmasq.log" 2>&1 &
PIDS="$PIDS $!"

make_testroot "$W/root"
add_filler "$W/root" 12
mkdir -p "$W/srv" "$W/ot" "$W/seed" "$W/nginx/logs" "$W/nginx/tmp"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
size=$(stat -c %s "$W/srv/root.squashfs")
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
P=8080; T=6969; A=6999
if [ "$FLEET_TRACKER" = 1 ]; then
	mktorrent -l 18 -a "http://10.9.0.1:$T/announce" -w "http://10.9.0.1:$P/root.squashfs" \
		-o "$W/srv/root.squashfs.torrent" "$W/srv/root.squashfs" >/dev/null || fail "mktorrent failed"
else	# no tracker: the peers find each other by Local Service Discovery (BEP 14)
	mktorrent -l 18 -w "http://10.9.0.1:$P/root.squashfs" \
		-o "$W/srv/root.squashfs.torrent" "$W/srv/root.squashfs" >/dev/null || fail "mktorrent failed"
	ip -n "$NS" route add 224.0.0.0/4 dev br0
fi
ih=$(aria2c -S "$W/srv/root.squashfs.torrent" | sed -n 's/^Info Hash: //p')
echo "$ih" > "$W/ot/whitelist"; chmod 755 "$W/ot"; chmod 644 "$W/ot/whitelist"
nginx_conf "	log_format bytes '\$request \$status \$body_bytes_sent';
	access_log $W/nginx/logs/access.log bytes;
	server { listen 10.9.0.1:$P; root $W/srv; }"
nginx_bg "$NS"
PIDS="$PIDS $NGINX_PID"
if [ "$FLEET_TRACKER" = 1 ]; then
	ip netns exec "$NS" opentracker -i 10.9.0.1 -p $T -P $T -d "$W/ot" -w whitelist -u nobody > "$W/ot.log" 2>&1 &
	PIDS="$PIDS $!"
fi
if [ "$FLEET_TRACKER" = 1 ]; then
	cp "$W/srv/root.squashfs" "$W/seed/"
	ip netns exec "$NS" aria2c --dir="$W/seed" --seed-ratio=0 --check-integrity=true --enable-dht=false \
		--bt-enable-lpd=false --enable-peer-exchange=false --listen-port=$A --quiet=true \
		"$W/srv/root.squashfs.torrent" > "$W/aria2.log" 2>&1 &
	PIDS="$PIDS $!"
	sleep 3	# the seeder has checked its copy and announced
else
	# the seeder is netinit's own transport (fetchtool): it gets the image from the web seed
	# (nobody else is there yet), then seeds and goes to every machine LSD announces
	sh "$NETINIT_ROOT/tests/host/fetch/build.sh" "$W/fetchtool" || fail "cannot build fetchtool"
	ip netns exec "$NS" "$W/fetchtool" --lsd --port $A --seed-time 600 --sha256 "$sum" \
		"torrent://10.9.0.1:$P/root.squashfs.torrent" "$W/seed/root.squashfs" > "$W/seeder.txt" 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do cmp -s "$W/seed/root.squashfs" "$W/srv/root.squashfs" && break; sleep 0.2; done
	cmp -s "$W/seed/root.squashfs" "$W/srv/root.squashfs" || fail "the seeder did not get the image"
fi

QP=""
for i in $(seq 0 $((FLEET_GUESTS - 1))); do
	MAC=52:54:00:e2:e1:0$i
	ip netns exec "$NS" bash -c "$(declare -f qemu_boot note); CASE='$CASE'; \
		KERNEL='$KERNEL' E2E_INITRD='$INITRD' E2E_TIMEOUT=${E2E_TIMEOUT:-300} E2E_MEM=${E2E_MEM:-512} \
		qemu_boot '$W/boot$i.log' 'net.ifnames=0 root=live:torrent://10.9.0.1:$P/root.squashfs.torrent rd.live.sha256=$sum' \
		-netdev tap,id=n0,ifname=tap$i,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$MAC" &
	QP="$QP $!"
done
for q in $QP; do wait "$q" || fail "a boot did not finish"; done
peers=0 lsd=0
for i in $(seq 0 $((FLEET_GUESTS - 1))); do
	expect_log "$W/boot$i.log" 'NETINIT-RESULT .* rootfs=overlay'
	expect_log "$W/boot$i.log" 'sha256 verified'
	line=$(grep -a 'netinit: torrent root.squashfs:' "$W/boot$i.log" | tr -d '\r' | sed 's/.*netinit: //')
	note "guest $i: $line"
	case $line in *" 0 B from peers"*) ;; *) peers=$((peers + 1)) ;; esac
	case $line in *"found by LSD"*) lsd=$((lsd + 1)) ;; esac
done
origin=$(awk '$2 ~ /^\/root\.squashfs$/ && ($4 == 200 || $4 == 206) { s += $5 } END { print s + 0 }' "$W/nginx/logs/access.log")
n=$FLEET_GUESTS
note "origin sent $origin bytes of the image for $n guests (plain HTTP: $((n * size))); image $size bytes"
[ "$peers" -ge 1 ] || fail "no guest got pieces from a peer"
[ "$origin" -lt $((n * size)) ] || fail "the origin sent $origin bytes, not less than $n images ($((n * size)))"
[ "$FLEET_TRACKER" = 1 ] || [ "$lsd" -ge 1 ] || fail "no guest found a peer by Local Service Discovery"
