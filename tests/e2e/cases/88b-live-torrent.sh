#!/bin/bash
# root=live:torrent:// as dracut reads it (the metainfo over http from that host and path):
# the guest announces to Debian's opentracker (its only peer, an aria2c seeder on the host's
# loopback, is out of the guest's reach: a dead peer address) and boots from the web seed
# (url-list, HTTP Range requests), every piece SHA-1-checked, the whole image checked with
# rd.live.sha256; the tracker counts the guest's "completed" announce.
. "$(dirname "$0")/../lib.sh"
command -v opentracker >/dev/null && command -v mktorrent >/dev/null && command -v aria2c >/dev/null ||
	skip "opentracker, mktorrent or aria2 missing (tools/packages/torrent.txt)"
make_testroot "$W/root"
mkdir -p "$W/srv" "$W/ot" "$W/seed"
add_filler "$W/root" 3
mk_squashfs "$W/root" "$W/srv/root.squashfs"
sum=$(sha256sum "$W/srv/root.squashfs" | cut -d' ' -f1)
start_http "$W/srv"
T=$(free_port); A=$(free_port)
# 64 KiB pieces: a few dozen of them
mktorrent -l 16 -a "http://10.0.2.2:$T/announce" -w "http://10.0.2.2:$HTTP_PORT/root.squashfs" \
	-o "$W/srv/root.squashfs.torrent" "$W/srv/root.squashfs" >/dev/null || fail "mktorrent failed"
ih=$(aria2c -S "$W/srv/root.squashfs.torrent" | sed -n 's/^Info Hash: //p')
echo "$ih" > "$W/ot/whitelist"; chmod 755 "$W/ot"; chmod 644 "$W/ot/whitelist"
opentracker -i 127.0.0.1 -p "$T" -P "$T" -d "$W/ot" -w whitelist -u nobody > "$W/ot.log" 2>&1 &
OT=$!
cp "$W/srv/root.squashfs" "$W/seed/"
# the seeder announces to the tracker on the host's loopback (the metainfo's 10.0.2.2 is the guest's view)
aria2c --dir="$W/seed" --seed-ratio=0 --check-integrity=true --enable-dht=false --bt-enable-lpd=false \
	--enable-peer-exchange=false --listen-port="$A" --quiet=true --bt-tracker="http://127.0.0.1:$T/announce" \
	--bt-exclude-tracker='*' "$W/srv/root.squashfs.torrent" > "$W/aria2.log" 2>&1 &
ARIA=$!
trap 'kill $NGINX_PID $OT $ARIA 2>/dev/null; wait $NGINX_PID $OT $ARIA 2>/dev/null' EXIT
wait_port "$T"
qemu_boot "$W/boot.log" "root=live:torrent://10.0.2.2:$HTTP_PORT/root.squashfs.torrent rd.live.sha256=$sum" \
	$QEMU_USERNET || fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes ip=10.0.2.15/24
expect_log "$W/boot.log" "BitTorrent metainfo; pieces from peers and web seeds"
expect_log "$W/boot.log" 'torrent root\.squashfs: 0 B from peers, [0-9.]+ MiB from web seeds'
expect_log "$W/boot.log" 'sha256 verified'
expect_no_log "$W/boot.log" 'tracker http://10\.0\.2\.2'
grep -q '"GET /root.squashfs.torrent ' "$W/nginx/logs/access.log" || fail "the metainfo was never fetched"
grep -q '"GET /root.squashfs HTTP/1.1" 206 ' "$W/nginx/logs/access.log" || fail "no Range request to the web seed"
# the guest's completed announce: the tracker's download count for the torrent is 1
q=$(printf '%s' "$ih" | sed 's/../%&/g')
curl -s "http://127.0.0.1:$T/announce?info_hash=$q&peer_id=-TEST00-000000000000&port=1&left=1&compact=1&uploaded=0&downloaded=0" \
	> "$W/scrape.txt"
grep -aq '10:downloadedi1e' "$W/scrape.txt" || fail "the tracker did not count the guest's completed announce: $(cat "$W/scrape.txt")"
note "$(grep -a 'torrent root.squashfs:' "$W/boot.log" | tr -d '\r' | sed 's/.*torrent root/torrent root/')"

# root=bootc-live:torrent://: the same transport for an oci-archive (bootc-live hands such URLs
# to dracut's url-lib as live does); a torrent without a tracker, so its web seed serves it
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
( W=$W/bootc; mkdir -p "$W"; bootc_images ) || fail "building the bootc test images"
cp "$W/bootc/img/root.oci" "$W/srv/root.oci"
mktorrent -l 16 -w "http://10.0.2.2:$HTTP_PORT/root.oci" -o "$W/srv/root.oci.torrent" "$W/srv/root.oci" >/dev/null ||
	fail "mktorrent failed (oci)"
qemu_boot "$W/bootc.log" "root=bootc-live:torrent://10.0.2.2:$HTTP_PORT/root.oci.torrent bootclabel=latest" \
	$QEMU_USERNET || fail "bootc boot did not finish"
expect_result "$W/bootc.log" rootfs=tmpfs root_rw=no etc_rw=yes var_rw=yes marker=label-latest ip=10.0.2.15/24
expect_layers_applied "$W/bootc.log"
expect_log "$W/bootc.log" 'downloading root\.oci by BitTorrent'
expect_log "$W/bootc.log" 'torrent root\.oci: 0 B from peers, [0-9.]+ [KM]iB from web seeds'
expect_log "$W/bootc.log" 'bootc: archive downloaded'
grep -q '"GET /root.oci HTTP/1.1" 206 ' "$W/nginx/logs/access.log" || fail "no Range request to the oci web seed"
note "bootc: $(grep -a 'torrent root.oci:' "$W/bootc.log" | tr -d '\r' | sed 's/.*torrent root/torrent root/')"
