#!/bin/bash
# The exact command lines the tools emit (issue 17, item 3):
#   1. Kairos's iPXE script: kernel ${url}/${kernel} initrd=${initrd} rd.neednet=1 ip=dhcp
#      rd.cos.disable root=live:${url}/${rootfs} netboot install-mode config_url=${config}
#      console=tty1 console=ttyS0 ${cmdline}   (a release file name with '+')
#   2. AuroraBoot / pixiecore: root=live:{{ ID "/files/….squashfs" }} renders to
#      http://<server>/_/file?name=<opaque id>; the server only knows the file by that query
#      string, so it must reach it intact; the line ends in console=tty0 (the booted root then
#      reports through /dev/kmsg, which the serial console shows)
#   3. Image Customizer's generated grub.cfg line with ip=dhcp rd.live.azldownloader=enable and an
#      https live URL that redirects to another host name, as GitHub release downloads do
#      (github.netinit.test -> objects.netinit.test with a signed query string; both are 10.0.2.2)
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
echo "NETINIT-KMSG rootfs=$(awk '$2=="/" {print $3; exit}' /proc/mounts) image=$(cat /image-id)" > /dev/kmsg
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/srv"
rootfs=kairos-ubuntu-24.04-standard-amd64-generic-v3.2.3-k3sv1.31.2+k3s1.squashfs
echo kairos > "$W/root/netinit-marker"; echo kairos > "$W/root/image-id"
mk_squashfs "$W/root" "$W/srv/$rootfs"
echo '#cloud-config' > "$W/srv/config.yaml"
echo imagecustomizer > "$W/root/netinit-marker"; echo imagecustomizer > "$W/root/image-id"
mk_live_iso imagecustomizer "$W/root" "$W/srv/image.iso"
start_http "$W/srv" tls
tls_reissue objects.netinit.test

# pixiecore's file server and a GitHub-like https redirector, in one small Python program
cat > "$W/servers.py" <<'EOP'
import http.server, os, ssl, sys, urllib.parse
mode, port, arg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *a):
        with open(os.environ["LOG"], "a") as f: f.write("%s %s\n" % (mode, self.path))
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if mode == "pixie":
            q = urllib.parse.parse_qs(u.query)
            files = dict(l.split(" ", 1) for l in open(arg).read().splitlines())
            path = files.get((q.get("name") or [""])[0]) if u.path == "/_/file" else None
            if not path:
                self.send_error(404); return
            data = open(path, "rb").read()
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            self.wfile.write(data)
        else:
            if u.path != "/releases/download/v1/image.iso":
                self.send_error(404); return
            self.send_response(302); self.send_header("Location", arg); self.send_header("Content-Length", "0")
            self.end_headers()
s = http.server.HTTPServer(("127.0.0.1", port), H)
if mode == "redirect":
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(os.environ["CRT"], os.environ["KEY"])
    s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()
EOP
rid='aHR0cDovL2ZpbGVzL2thaXJvcw-_x9Qz%3D%3D'; cid='Y29uZmln-Zz_1%3D'
printf '%s %s\n%s %s\n' "$(python3 -c "import urllib.parse,sys; print(urllib.parse.unquote('$rid'))")" "$W/srv/$rootfs" \
	"$(python3 -c "import urllib.parse; print(urllib.parse.unquote('$cid'))")" "$W/srv/config.yaml" > "$W/pixie.map"
PIXIE_PORT=$(free_port)
LOG=$W/servers.log python3 "$W/servers.py" pixie "$PIXIE_PORT" "$W/pixie.map" & e2e_bg $!
# a certificate for the redirecting host, from the same test CA
d=$W/tls
openssl req -newkey rsa:2048 -nodes -subj "/CN=github.netinit.test" -keyout "$d/gh.key" -out "$d/gh.csr" 2>/dev/null
printf 'subjectAltName=DNS:github.netinit.test\nbasicConstraints=CA:FALSE\n' > "$d/gh.cnf"
openssl x509 -req -in "$d/gh.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 -extfile "$d/gh.cnf" \
	-out "$d/gh.crt" 2>/dev/null || fail "openssl"
RED_PORT=$(free_port)
target="https://objects.netinit.test:$HTTPS_PORT/image.iso?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0f1e2d&response-content-disposition=attachment%3B%20filename%3Dimage.iso"
LOG=$W/servers.log CRT=$d/gh.crt KEY=$d/gh.key python3 "$W/servers.py" redirect "$RED_PORT" "$target" & e2e_bg $!
wait_port "$PIXIE_PORT" && wait_port "$RED_PORT" || fail "the Python servers did not start"
printf '10.0.2.2 github.netinit.test\n10.0.2.2 objects.netinit.test\n' > "$W/hosts"
initrd_with_cas "$W/initrd.img" "$W/tls/ca.crt" "$W/hosts:/etc/hosts"
export E2E_INITRD=$W/initrd.img

# 1. Kairos's iPXE line
url=http://10.0.2.2:$HTTP_PORT
qemu_boot "$W/boot1.log" "rd.neednet=1 ip=dhcp rd.cos.disable root=live:$url/$rootfs netboot install-mode config_url=$url/config.yaml console=tty1 console=ttyS0" \
	$QEMU_USERNET || fail "boot 1 did not finish"
expect_result "$W/boot1.log" rootfs=overlay lower=yes marker=kairos
grep -q "GET /$rootfs " "$W/nginx/logs/access.log" || fail "boot 1: nginx never served /$rootfs"

# 2. AuroraBoot / pixiecore: root=live:http://<server>/_/file?name=<id>
pix=http://10.0.2.2:$PIXIE_PORT/_/file
qemu_boot "$W/boot2.log" "rd.neednet=1 ip=dhcp rd.cos.disable root=live:$pix?name=$rid netboot install-mode config_url=$pix?name=$cid console=tty1 console=ttyS0 console=tty0" \
	$QEMU_USERNET || fail "boot 2 did not finish"
expect_log "$W/boot2.log" 'NETINIT-KMSG rootfs=overlay image=kairos'
grep -qF "pixie /_/file?name=$rid" "$W/servers.log" || fail "boot 2: the query string did not reach the server intact"

# 3. Image Customizer's line, https redirected to another host
qemu_boot "$W/boot3.log" "rd.live.azldownloader=enable ip=dhcp root=live:https://github.netinit.test:$RED_PORT/releases/download/v1/image.iso rd.live.image rd.live.dir=liveos rd.live.squashimg=rootfs.img rd.live.overlay=1 rd.live.overlay.overlayfs rd.live.overlay.nouserconfirmprompt rd.shell rd.info console=ttyS0" \
	$QEMU_USERNET || fail "boot 3 did not finish"
expect_result "$W/boot3.log" rootfs=overlay root_rw=yes lower=yes marker=imagecustomizer
grep -q "redirect /releases/download/v1/image.iso" "$W/servers.log" || fail "boot 3: the redirector was never asked"
grep -q 'GET /image.iso?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0f1e2d' "$W/nginx/logs/access.log" ||
	fail "boot 3: the redirect target (another host, its query string) was not fetched"
expect_no_log "$W/boot3.log" 'TLS verification is off|netinit: fatal'
