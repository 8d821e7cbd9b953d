#!/bin/sh
# Host test: tools/netinit-serve --dry-run (no root, nothing started) writes the dnsmasq lines
# and configs of each chain: UEFI HTTP Boot clients (vendor class HTTPClient) get the vendor
# class back and a URL of grub-http/core.efi, whose grub-http/grub.cfg uses (http)/ paths and
# the same kernel command line as the TFTP configs; BIOS clients' line excludes them;
# --secure-boot gives UEFI clients Debian's signed shim with the signed GRUB beside it.
set -u
ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${NETINIT_SERVE:-$ROOT/tools/netinit-serve}
[ -d /usr/lib/grub/x86_64-efi ] && [ -r /usr/lib/PXELINUX/pxelinux.0 ] || { echo "netinit-serve: grub/pxelinux missing"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf 'hsqs-not-really-a-squashfs' > "$T/root.squashfs"
printf 'kernel' > "$T/vmlinuz"; printf 'initrd' > "$T/initrd"
fails=0
ck() { if grep -qxF -- "$2" "$1"; then echo "netinit-serve: PASS $3"; else echo "netinit-serve: FAIL: $3: no line '$2' in $1"; fails=$((fails + 1)); fi; }
"$S" --dry-run --server-ip 192.0.2.10 --dir "$T/a" --kernel "$T/vmlinuz" --initrd "$T/initrd" \
	--append console=ttyS0 "$T/root.squashfs" eth9 > "$T/a.out" 2>&1 || { cat "$T/a.out"; exit 1; }
sum=$(sha256sum < "$T/root.squashfs" | cut -d' ' -f1)
ck "$T/a/dnsmasq.conf" 'dhcp-vendorclass=set:httpboot,HTTPClient' "HTTP Boot clients are tagged"
ck "$T/a/dnsmasq.conf" 'dhcp-option-force=tag:httpboot,option:vendor-class,HTTPClient' "vendor class HTTPClient sent back"
ck "$T/a/dnsmasq.conf" 'dhcp-boot=tag:httpboot,http://192.0.2.10/grub-http/core.efi' "HTTP Boot clients get a URL"
ck "$T/a/dnsmasq.conf" 'dhcp-vendorclass=set:pxe,PXEClient' "firmware PXE clients are tagged"
ck "$T/a/dnsmasq.conf" 'dhcp-boot=tag:pxe,tag:!efi64,tag:!ipxe,pxelinux.0,,192.0.2.10' "BIOS PXE clients get pxelinux (HTTP and netinit's DHCP do not)"
ck "$T/a/dnsmasq.conf" 'dhcp-boot=tag:pxe,tag:efi64,tag:!ipxe,grub/x86_64-efi/core.efi,,192.0.2.10' "UEFI PXE clients get grub-mknetdir's GRUB"
ck "$T/a/root/grub-http/grub.cfg" "    linux  (http)/netinit/vmlinuz root=live:http://192.0.2.10/images/root.squashfs rd.live.sha256=$sum console=ttyS0" "grub-http/grub.cfg linux line"
ck "$T/a/root/grub-http/grub.cfg" "    initrd (http)/netinit/initramfs.img" "grub-http/grub.cfg initrd line"
[ -s "$T/a/root/grub-http/core.efi" ] && [ -r "$T/a/root/grub-http/x86_64-efi/http.mod" ] &&
	echo "netinit-serve: PASS grub-http/core.efi and its modules" || { echo "netinit-serve: FAIL: no grub-http/core.efi or modules"; fails=$((fails + 1)); }
if [ -r /usr/lib/shim/shimx64.efi.signed ] && [ -r /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed ]; then
	"$S" --dry-run --secure-boot --server-ip 192.0.2.10 --dir "$T/b" --kernel "$T/vmlinuz" --initrd "$T/initrd" \
		"$T/root.squashfs" eth9 > "$T/b.out" 2>&1 || { cat "$T/b.out"; exit 1; }
	ck "$T/b/dnsmasq.conf" 'dhcp-boot=tag:pxe,tag:efi64,tag:!ipxe,shimx64.efi,,192.0.2.10' "--secure-boot: UEFI clients get shim"
	! grep -q 'httpboot' "$T/b/dnsmasq.conf" && echo "netinit-serve: PASS --secure-boot leaves HTTP Boot clients unanswered" ||
		{ echo "netinit-serve: FAIL: --secure-boot answers HTTP Boot clients (Debian's signed GRUB cannot read http)"; fails=$((fails + 1)); }
	cmp -s "$T/b/root/shimx64.efi" /usr/lib/shim/shimx64.efi.signed && cmp -s "$T/b/root/grubx64.efi" /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed &&
		echo "netinit-serve: PASS signed shim and GRUB in the TFTP root" || { echo "netinit-serve: FAIL: shimx64.efi/grubx64.efi are not Debian's signed ones"; fails=$((fails + 1)); }
	if "$S" --dry-run --secure-boot --loader ipxe --server-ip 192.0.2.10 "$T/root.squashfs" eth9 > /dev/null 2>&1; then
		echo "netinit-serve: FAIL: --secure-boot --loader ipxe accepted"; fails=$((fails + 1))
	else echo "netinit-serve: PASS --secure-boot refuses --loader ipxe"; fi
fi
# --ftp: the image is a file (not a link out of vsftpd's chroot) under ftp/image/, served
# anonymously and read-only, root=live:ftp://...; --pxelinux-cfg: the given entry is served as
# it is, with a warning when it names another image; the kernel under KIWI's name
printf 'LABEL Live-Boot\n    kernel boot/linux\n    append initrd=boot/initrd ip=dhcp root=live:ftp://192.0.2.10/image/other.iso\n' > "$T/kiwi.cfg"
"$S" --dry-run --ftp --pxelinux-cfg "$T/kiwi.cfg" --server-ip 192.0.2.10 --dir "$T/f" --kernel "$T/vmlinuz" --initrd "$T/initrd" \
	"$T/root.squashfs" eth9 > "$T/f.out" 2>&1 || { cat "$T/f.out"; exit 1; }
ck "$T/f.out" "netinit-serve: kernel command line: root=live:ftp://192.0.2.10/image/root.squashfs rd.live.sha256=$sum" "--ftp: root=live:ftp://"
ck "$T/f/vsftpd.conf" 'anonymous_enable=YES' "--ftp: anonymous"
ck "$T/f/vsftpd.conf" 'write_enable=NO' "--ftp: read-only"
[ -f "$T/f/ftp/image/root.squashfs" ] && [ ! -L "$T/f/ftp/image/root.squashfs" ] && cmp -s "$T/f/ftp/image/root.squashfs" "$T/root.squashfs" &&
	echo "netinit-serve: PASS --ftp: the image is a file in the ftp root" || { echo "netinit-serve: FAIL: --ftp: no image file in ftp/image"; fails=$((fails + 1)); }
cmp -s "$T/kiwi.cfg" "$T/f/root/pxelinux.cfg/default" && echo "netinit-serve: PASS --pxelinux-cfg served as given" ||
	{ echo "netinit-serve: FAIL: --pxelinux-cfg not served as given"; fails=$((fails + 1)); }
ck "$T/f.out" "netinit-serve: warning: $T/kiwi.cfg does not name live:ftp://192.0.2.10/image/root.squashfs (the image served here)" "--pxelinux-cfg naming another image: warning"
[ "$(readlink "$T/f/root/boot/linux")" = ../netinit/vmlinuz ] && [ "$(readlink "$T/f/root/boot/initrd.img")" = ../netinit/initramfs.img ] &&
	echo "netinit-serve: PASS kernel and initramfs under KIWI's and Image Customizer's names" || { echo "netinit-serve: FAIL: no boot/linux or boot/initrd.img"; fails=$((fails + 1)); }
# --registry: root= pinned to the manifest digest the archive's index.json names
mkdir -p "$T/lay"; d=sha256:$(printf m | sha256sum | cut -d' ' -f1)
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1}]}' "$d" > "$T/lay/index.json"
tar -C "$T/lay" -cf "$T/root.oci" .
"$S" --dry-run --registry --server-ip 192.0.2.10 --dir "$T/g" --kernel "$T/vmlinuz" --initrd "$T/initrd" "$T/root.oci" eth9 > "$T/g.out" 2>&1 || { cat "$T/g.out"; exit 1; }
ck "$T/g.out" "netinit-serve: kernel command line: root=bootc-live:docker://192.0.2.10:5000/netinit/root@$d bootc.registry.unsecure" "--registry: root= by digest"
ck "$T/g/registry.yml" '  addr: 192.0.2.10:5000' "--registry: docker-registry on the server address"
# real runs that fail, in a network namespace of our own (root only): nginx cannot bind its port
# (another server listens there) -> netinit-serve stops what it started and exits non-zero; a
# run whose dnsmasq dies while it serves exits non-zero too (both exited 0 before)
NS=nsrv$$ NC=ncli$$
if [ "$(id -u)" = 0 ] && command -v dnsmasq >/dev/null && command -v nginx >/dev/null && ip netns add "$NS" 2>/dev/null; then
	trap 'ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$NS" 2>/dev/null; ip netns del "$NC" 2>/dev/null; rm -rf "$T"' EXIT
	ip netns add "$NC"
	ip -n "$NS" link set lo up
	# d0 (10.77.0.1) is the server's segment; d1, its peer, a client in a namespace of its own
	ip -n "$NS" link add d0 type veth peer name d1 netns "$NC" && ip -n "$NS" addr add 10.77.0.1/24 dev d0 &&
		ip -n "$NC" link set d1 up && ip -n "$NS" link set d0 up
	ip netns exec "$NS" python3 -c 'import socket,time; s=socket.socket(); s.bind(("10.77.0.1",8080)); s.listen(); time.sleep(60)' &
	busy=$!
	sleep 0.5
	ip netns exec "$NS" "$S" --dir "$T/c" --http-port 8080 --kernel "$T/vmlinuz" --initrd "$T/initrd" "$T/root.squashfs" d0 > "$T/c.out" 2>&1
	rc=$?
	kill $busy 2>/dev/null; wait $busy 2>/dev/null
	if [ $rc -ne 0 ] && grep -q 'Address already in use' "$T/c.out"; then echo "netinit-serve: PASS exit status $rc when nginx cannot bind"
	else echo "netinit-serve: FAIL: exit status $rc when nginx cannot bind:"; cat "$T/c.out"; fails=$((fails + 1)); fi
	left=$(ip netns pids "$NS")
	[ -z "$left" ] && echo "netinit-serve: PASS nothing left running after the failed start" ||
		{ echo "netinit-serve: FAIL: left running: $left"; fails=$((fails + 1)); }
	ip netns exec "$NS" "$S" --dir "$T/d" --http-port 8081 --kernel "$T/vmlinuz" --initrd "$T/initrd" "$T/root.squashfs" d0 > "$T/d.out" 2>&1 &
	sp=$!
	for _ in $(seq 50); do grep -q 'serving; Ctrl-C stops' "$T/d.out" && break; sleep 0.1; done
	kill "$(cat "$T/d/dnsmasq.pid")"
	wait $sp; rc=$?
	if [ $rc -ne 0 ] && grep -q 'ended; stopping' "$T/d.out"; then echo "netinit-serve: PASS exit status $rc when dnsmasq ends"
	else echo "netinit-serve: FAIL: exit status $rc when dnsmasq ends:"; cat "$T/d.out"; fails=$((fails + 1)); fi
	# tools/proxydhcp-http.py (--proxy's answer to UEFI HTTP Boot clients): one proxy offer
	# (no address, vendor class HTTPClient, the URL) to the x64 HTTP Boot DISCOVER only, none to
	# a truncated packet, a PXEClient or an option running past the end; it keeps running
	ip netns exec "$NS" python3 "$ROOT/tools/proxydhcp-http.py" d0 10.77.0.1 http://10.77.0.1/grub-http/core.efi > "$T/p.out" 2>&1 &
	pp=$!
	sleep 0.5
	ip netns exec "$NC" python3 "$ROOT/tests/host/proxydhcp-client.py" d1 > "$T/p.answers" 2>&1
	if [ "$(cat "$T/p.answers")" = "2222 0.0.0.0 HTTPClient http://10.77.0.1/grub-http/core.efi" ] && kill -0 $pp 2>/dev/null &&
		grep -q 'client 52:54:00:e2:e0:ff UEFI-x64-HTTP given http://10.77.0.1/grub-http/core.efi (proxy)' "$T/p.out"; then
		echo "netinit-serve: PASS proxydhcp-http.py answers the HTTP Boot DISCOVER alone"
	else echo "netinit-serve: FAIL: proxydhcp-http.py answers:"; cat "$T/p.answers" "$T/p.out"; fails=$((fails + 1)); fi
	kill $pp 2>/dev/null; wait $pp 2>/dev/null
else
	echo "netinit-serve: (not root or no dnsmasq/nginx: the exit status runs skipped)"
fi
[ $fails -eq 0 ]
