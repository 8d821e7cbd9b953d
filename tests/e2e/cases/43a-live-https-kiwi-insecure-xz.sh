#!/bin/bash
# KIWI's command line over https with rd.kiwi.live.curl_options=--insecure (untrusted certificate:
# accepted with a warning) and an .xz-compressed KIWI ISO decompressed while streaming.
. "$(dirname "$0")/../lib.sh"
make_testroot "$W/root"
echo kiwi-xz > "$W/root/netinit-marker"
mkdir -p "$W/srv/image"
mk_live_iso kiwi "$W/root" "$W/srv/image/netinit-live.x86_64-1.0.0.iso"
xz -T1 -3 "$W/srv/image/netinit-live.x86_64-1.0.0.iso"
start_http "$W/srv" tls
url=https://10.0.2.2:$HTTPS_PORT/image/netinit-live.x86_64-1.0.0.iso.xz
qemu_boot "$W/boot.log" "ip=dhcp root=live:$url rd.kiwi.live.curl_options=--insecure" $QEMU_USERNET ||
	fail "boot did not finish"
expect_result "$W/boot.log" rootfs=overlay root_rw=yes lower=yes marker=kiwi-xz
expect_log "$W/boot.log" "netinit: $url: decompressing xz while downloading"
expect_log "$W/boot.log" 'netinit: download: TLS certificate verification is off'
expect_log "$W/boot.log" 'netinit: /run/netinit/image/netinit-live.x86_64-1.0.0.iso: iso9660 labelled CDROM'
expect_log "$W/boot.log" 'netinit: /run/netinit/layer[0-9]/LiveOS/rootfs.img: ext4'
