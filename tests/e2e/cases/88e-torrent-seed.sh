#!/bin/bash
# Seeding after switch_root (rd.live.torrent.seed): guest A boots root=live:torrent:// from
# the web seed (nobody else is there), switches root and keeps running while its seeder
# (netinit-seed, forked after the image was verified) serves the image; then the web seed is
# taken away (404) and guest B boots the same torrent on the segment: it must get every piece
# from A. A seeds until ratio 1x (what B took) and says so; B's root sends its own seeder
# SIGTERM (what systemd's shutdown does) and checks it ends. opentracker as the tracker, named
# by host name (dnsmasq's DNS); both seeders' `stopped` reach it after switch_root.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, taps)"
for t in dnsmasq opentracker mktorrent aria2c nginx; do
	command -v $t >/dev/null || skip "$t missing (tools/packages/torrent.txt, net.txt)"
done
bridge_ns nsd$$ 2
# dnsmasq also answers DNS: the tracker is named by host name, so the seeder's announces after
# switch_root (which deletes the initramfs's resolv.conf) need a working resolver
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null -u root --port=53 --no-resolv --no-hosts \
	--local=/test/ --host-record=tracker.e2e.test,10.9.0.1 --log-queries --interface=br0 \
	--bind-interfaces --dhcp-leasefile="$W/leases" --pid-file="$W/dnsmasq.pid" \
	--dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0,1h > "$W/dnsmasq.log" 2>&1 &
PIDS="$PIDS $!"

make_testroot "$W/root"
add_filler "$W/root" 12
# the root's test hook: seedtest=wait: report the seeder and how its image fd is open, wait
# until it ends by itself; seedtest=term: SIGTERM it and wait for it to end
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
seeder() { for c in /proc/[0-9]*/comm; do [ "$(cat "$c" 2>/dev/null)" = netinit-seed ] && { p=${c#/proc/}; echo "${p%/comm}"; return; }; done; }
pid=$(seeder)
[ -n "$pid" ] || { echo "SEEDER-NONE"; exit 0; }
for fd in /proc/$pid/fd/*; do
	tgt=$(ls -l "$fd" | sed 's/.* -> //')
	case $tgt in *root.squashfs*)
		flags=$(awk '$1 == "flags:" {print $2}' /proc/$pid/fdinfo/${fd##*/})
		d=${flags#${flags%?}}
		echo "SEEDER-FD $tgt flags=$flags accmode=$((d & 3))";;
	esac
done
echo "SEEDER-UP pid=$pid ppid=$(awk '{print $4}' /proc/$pid/stat)"
case $(cat /proc/cmdline) in
*seedtest=term*)
	kill -TERM "$pid"; n=0
	while [ -d /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] && [ $n -lt 20 ]; do sleep 0.5; n=$((n + 1)); done
	[ $n -lt 20 ] && echo "SEEDER-GONE after SIGTERM" || echo "SEEDER-STILL-THERE after SIGTERM";;
*)
	n=0
	while [ -d /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] && [ $n -lt 400 ]; do sleep 1; n=$((n + 1)); done
	[ $n -lt 400 ] && echo "SEEDER-GONE by itself after $n s" || echo "SEEDER-STILL-THERE after $n s";;
esac
sleep 1
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/srv" "$W/ot" "$W/nginx/logs" "$W/nginx/tmp"
mk_squashfs "$W/root" "$W/srv/root.squashfs"
size=$(stat -c %s "$W/srv/root.squashfs")
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
P=8080; T=6969
mktorrent -l 18 -a "http://tracker.e2e.test:$T/announce" -w "http://10.9.0.1:$P/root.squashfs" \
	-o "$W/srv/root.squashfs.torrent" "$W/srv/root.squashfs" >/dev/null || fail "mktorrent failed"
ih=$(aria2c -S "$W/srv/root.squashfs.torrent" | sed -n 's/^Info Hash: //p')
echo "$ih" > "$W/ot/whitelist"; chmod 755 "$W/ot"; chmod 644 "$W/ot/whitelist"
nginx_conf "	log_format bytes '\$request \$status \$body_bytes_sent';
	access_log $W/nginx/logs/access.log bytes;
	server { listen 10.9.0.1:$P; root $W/srv; }"
nginx_bg "$NS"
PIDS="$PIDS $NGINX_PID"
ip netns exec "$NS" opentracker -i 10.9.0.1 -p $T -P $T -d "$W/ot" -w whitelist -u nobody > "$W/ot.log" 2>&1 &
PIDS="$PIDS $!"
sleep 1

boot() {	# boot N LOG APPEND: guest N in the background
	ip netns exec "$NS" bash -c "$(declare -f qemu_boot note); CASE='$CASE'; \
		KERNEL='$KERNEL' E2E_INITRD='$INITRD' E2E_TIMEOUT=${E2E_TIMEOUT:-480} E2E_MEM=${E2E_MEM:-512} \
		qemu_boot '$2' 'net.ifnames=0 root=live:torrent://10.9.0.1:$P/root.squashfs.torrent rd.live.sha256=$sum $3' \
		-netdev tap,id=n0,ifname=tap$1,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:e2:e5:0$1" &
}
boot 0 "$W/a.log" "rd.live.torrent.seed=1x seedtest=wait"
QA=$!
for _ in $(seq 360); do grep -aq 'SEEDER-UP\|SEEDER-NONE\|NETINIT-POWEROFF' "$W/a.log" 2>/dev/null && break; kill -0 $QA 2>/dev/null || break; sleep 1; done
expect_log "$W/a.log" 'SEEDER-UP'
expect_log "$W/a.log" 'netinit: torrent root.squashfs: seeder netinit-seed running'
expect_log "$W/a.log" 'SEEDER-FD .*root\.squashfs.* accmode=0'
note "A: $(grep -a 'SEEDER-UP' "$W/a.log" | tr -d '\r')"
# the web seed goes away: the metainfo stays, the image 404s
mv "$W/srv/root.squashfs" "$W/root.squashfs.gone"
t0=$(date +%s)
boot 1 "$W/b.log" "rd.live.torrent.seed=600 seedtest=term"
QB=$!
wait $QB || fail "guest B did not finish"
note "B finished in $(( $(date +%s) - t0 )) s"
wait $QA || fail "guest A did not finish"
expect_result "$W/b.log" rootfs=overlay
expect_log "$W/b.log" 'sha256 verified'
line=$(grep -a 'netinit: torrent root.squashfs:.*from peers' "$W/b.log" | tr -d '\r' | sed 's/.*netinit: //')
note "B: $line"
case $line in *" 0 B from web seeds"*) ;; *) fail "B got bytes from the web seed: $line" ;; esac
case $line in *" 0 B from peers"*|"") fail "B got nothing from A: $line" ;; esac
origin=$(awk '$2 ~ /^\/root\.squashfs$/ && ($4 == 200 || $4 == 206) { s += $5 } END { print s + 0 }' "$W/nginx/logs/access.log")
note "origin sent $origin bytes of the image (A's one copy: $size)"
[ "$origin" -le "$size" ] || fail "the origin sent $origin bytes, more than one image ($size)"
expect_log "$W/a.log" 'SEEDER-GONE by itself'
expect_log "$W/a.log" 'torrent seeder: stopped after [0-9]+ s \(ratio reached\)'
note "A: $(grep -a 'torrent seeder: stopped' "$W/a.log" | tr -d '\r' | sed 's/.*netinit: //')"
expect_log "$W/b.log" 'SEEDER-GONE after SIGTERM'
expect_log "$W/b.log" 'torrent seeder: stopped after [0-9]+ s \(SIGTERM\)'
note "B: $(grep -a 'torrent seeder: stopped' "$W/b.log" | tr -d '\r' | sed 's/.*netinit: //')"
# both seeders said `stopped`: the tracker has no seed left (and counted two downloads)
q=$(printf '%s' "$ih" | sed 's/../%&/g')
ip netns exec "$NS" curl -s "http://10.9.0.1:$T/announce?info_hash=$q&peer_id=-TEST00-000000000000&port=1&left=1&compact=1&uploaded=0&downloaded=0" \
	> "$W/scrape.txt"
grep -aq '8:completei0e' "$W/scrape.txt" || fail "a seeder did not announce stopped: $(cat -v "$W/scrape.txt")"
grep -aq '10:downloadedi2e' "$W/scrape.txt" || fail "the tracker did not count two completed downloads: $(cat -v "$W/scrape.txt")"
note "tracker after both seeders ended: $(cat -v "$W/scrape.txt" | head -c 120)"
