#!/usr/bin/env python3
"""A registry front for tests: regproxy.py PORT REGISTRY_PORT MODE
token:   /v2/ wants "Authorization: Bearer <token>"; 401 with a Bearer challenge whose realm
         is /token on this proxy; /token hands out the token for Basic netinit:s3cret only.
         Blob requests are answered with a redirect to /direct/... on the same proxy under
         another host name (127.0.0.2 when the client came to 127.0.0.1), and /direct/ on
         127.0.0.2 refuses any request carrying an Authorization header (it must not follow).
fail500: every /v2/ request is answered 500 with a registry error body.
cut:     the first GET of each blob sends half of it and closes the connection; a Range
         request is passed on (the registry answers 206). The byte ranges asked for are logged.
deny401: every /v2/ request is answered 401 without a usable challenge.
pass:    every /v2/ request is passed on as it is (each one is logged: a count of pulls).
Hostile modes (each misbehaves on blobs, manifests pass):
bad206:  the first GET of each blob is cut halfway; a Range request gets 206 with the whole
         blob and "Content-Range: bytes 0-..." (not the range asked for).
norange: every GET of a blob (Range or not) gets 200 with the whole length, half the bytes,
         and a closed connection: a client that counts re-sent bytes as progress never stops.
trickle: a blob GET gets 200 and then one byte a second.
cdn401:  manifests pass (anonymous); blobs are redirected to a second port (the "CDN",
         logged as "regproxy: cdn-port N") that answers 401 with a Bearer realm on itself;
         that realm logs "regproxy: STEAL auth=True|False" (a client must never go there).
realm:   /v2/ answers 401 with a Bearer realm on plain http at 127.0.0.3 (another host);
         its /token logs "regproxy: TOKEN auth=True|False" and hands out no token.
basic:   /v2/ without Authorization gets 401 with a Basic challenge; with it, logs
         "regproxy: GOT-CREDS <base64>" and passes the request on (a mirror that would take
         whatever credentials a client has).
many:    the manifest of any tag lists 100000 layers.
flip:    the biggest blob (the first layer) is served with one byte changed in its last part."""
import base64, http.client, http.server, json, socketserver, sys, time

PORT, REG, MODE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
TOKEN = "tok-" + "x" * 1500  # long, like Docker Hub's JWTs
CUT = set()
USER = base64.b64encode(b"netinit:s3cret").decode()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        sys.stderr.write("regproxy: %s %s auth=%s\n" % (self.command, self.path, "Authorization" in self.headers))

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def forward(self, path):
        c = http.client.HTTPConnection("127.0.0.1", REG)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "range")}
        c.request(self.command, path, headers=hdrs)
        r = c.getresponse()
        body = r.read()
        keep = [(k, v) for k, v in r.getheaders() if k.lower() in ("content-type", "docker-content-digest", "location", "content-range")]
        self.reply(r.status, body, keep)

    def blob_body(self):
        c = http.client.HTTPConnection("127.0.0.1", REG)
        c.request("GET", self.path)
        r = c.getresponse()
        return r.read()

    def half_and_close(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        sys.stderr.write("regproxy: cut %s at %d of %d\n" % (self.path, len(body) // 2, len(body)))

    def hostile(self, host):
        """The hostile modes; True when the request was answered."""
        blob = self.path.startswith("/v2/") and "/blobs/" in self.path
        if MODE == "bad206" and blob:
            body = self.blob_body()
            if "Range" not in self.headers and self.path not in CUT:
                CUT.add(self.path)
                self.half_and_close(body)
                return True
            if "Range" in self.headers:
                sys.stderr.write("regproxy: range %s %s answered from 0\n" % (self.path, self.headers["Range"]))
                self.reply(206, body, [("Content-Range", "bytes 0-%d/%d" % (len(body) - 1, len(body)))])
                return True
        if MODE == "flip" and blob:
            body = bytearray(self.blob_body())
            if len(body) > 4096:
                body[len(body) - 100] ^= 0xff
                sys.stderr.write("regproxy: flipped a byte of %s\n" % self.path)
            self.reply(200, bytes(body), [("Content-Type", "application/octet-stream")])
            return True
        if MODE == "norange" and blob:
            self.half_and_close(self.blob_body())
            return True
        if MODE == "trickle" and blob:
            body = self.blob_body()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return True
        if MODE == "cdn401" and self.path.startswith("/v2/"):
            if blob:
                name = host.rsplit(":", 1)[0]
                self.reply(307, b"", [("Location", "http://%s:%d/cdn%s" % (name, CDN_PORT, self.path))])
                return True
            self.forward(self.path)
            return True
        if MODE == "realm" and self.path.startswith("/v2/"):
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                           [("WWW-Authenticate", 'Bearer realm="http://127.0.0.3:%d/token",service="x"' % PORT)])
                return True
        if MODE == "realm" and self.path.startswith("/token"):
            sys.stderr.write("regproxy: TOKEN auth=%s\n" % ("Authorization" in self.headers))
            self.reply(401, b'{"details":"no"}', [("Content-Type", "application/json")])
            return True
        if MODE in ("bad206", "norange", "trickle", "realm", "flip") and self.path.startswith("/v2/"):
            self.forward(self.path)
            return True
        if MODE == "many" and self.path.startswith("/v2/") and "/manifests/" in self.path:
            z = "sha256:" + "0" * 64
            layers = ",".join('{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":32}' % z
                              for _ in range(100000))
            body = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":'
                    '{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[%s]}'
                    % (z, layers)).encode()
            self.reply(200, body, [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
            return True
        return False

    def do_GET(self):
        host = self.headers.get("Host", "127.0.0.1:%d" % PORT)
        if self.hostile(host):
            return
        if MODE == "fail500" and self.path.startswith("/v2/"):
            return self.reply(500, json.dumps({"errors": [{"code": "UNKNOWN", "message": "test failure"}]}).encode(),
                              [("Content-Type", "application/json")])
        if MODE == "deny401" and self.path.startswith("/v2/"):
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"go away"}]}',
                              [("Content-Type", "application/json")])
        if MODE == "pass" and self.path.startswith("/v2/"):
            return self.forward(self.path)
        if MODE == "basic" and self.path.startswith("/v2/"):
            if "Authorization" not in self.headers:
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"credentials"}]}',
                                  [("Content-Type", "application/json"), ("WWW-Authenticate", 'Basic realm="mirror"')])
            sys.stderr.write("regproxy: GOT-CREDS %s\n" % self.headers["Authorization"].split()[-1])
            return self.forward(self.path)
        if MODE == "cut" and self.path.startswith("/v2/"):
            if "/blobs/" in self.path and "Range" not in self.headers and self.path not in CUT:
                CUT.add(self.path)
                body = self.blob_body()
                if len(body) > 1024:
                    return self.half_and_close(body)
            if "Range" in self.headers:
                sys.stderr.write("regproxy: range %s %s\n" % (self.path, self.headers["Range"]))
            return self.forward(self.path)
        if self.path.startswith("/token"):
            if self.headers.get("Authorization") != "Basic " + USER:
                return self.reply(401, b'{"details":"bad credentials"}', [("Content-Type", "application/json")])
            return self.reply(200, json.dumps({"token": TOKEN}).encode(), [("Content-Type", "application/json")])
        if self.path.startswith("/direct/"):
            if "Authorization" in self.headers and host.startswith("127.0.0.2"):
                return self.reply(400, b"Authorization leaked to another host")
            return self.forward(self.path[len("/direct"):])
        if self.path.startswith("/v2/"):
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                chal = 'Bearer realm="http://%s/token",service="netinit-test"' % host
                if self.path != "/v2/":
                    repo = self.path[4:].split("/manifests/")[0].split("/blobs/")[0]
                    chal += ',scope="repository:%s:pull"' % repo
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                  [("WWW-Authenticate", chal), ("Content-Type", "application/json")])
            if "/blobs/" in self.path:
                name, port = host.rsplit(":", 1)
                other = "127.0.0.2" if name == "127.0.0.1" else name  # QEMU's guest: same host
                return self.reply(307, b"", [("Location", "http://%s:%s/direct%s" % (other, port, self.path))])
            return self.forward(self.path)
        return self.reply(404, b"")

    do_HEAD = do_GET


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class CDN(H):
    """cdn401's second port: 401 with a realm of its own choosing, and that realm."""

    def do_GET(self):
        host = self.headers.get("Host", "127.0.0.1")
        if self.path.startswith("/steal"):
            sys.stderr.write("regproxy: STEAL auth=%s\n" % ("Authorization" in self.headers))
            return self.reply(200, json.dumps({"token": "stolen"}).encode(), [("Content-Type", "application/json")])
        return self.reply(401, b"", [("WWW-Authenticate", 'Bearer realm="http://%s/steal",service="cdn"' % host)])

    do_HEAD = do_GET


import threading
cdn = S(("127.0.0.1", 0), CDN)
CDN_PORT = cdn.server_address[1]
sys.stderr.write("regproxy: cdn-port %d\n" % CDN_PORT)
threading.Thread(target=cdn.serve_forever, daemon=True).start()
threading.Thread(target=S(("127.0.0.2", PORT), H).serve_forever, daemon=True).start()
if MODE == "realm":
    threading.Thread(target=S(("127.0.0.3", PORT), H).serve_forever, daemon=True).start()
S(("127.0.0.1", PORT), H).serve_forever()
