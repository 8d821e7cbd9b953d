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
pass:    every /v2/ request is passed on as it is (each one is logged: a count of pulls)."""
import base64, http.client, http.server, json, socketserver, sys

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

    def do_GET(self):
        host = self.headers.get("Host", "127.0.0.1:%d" % PORT)
        if MODE == "fail500" and self.path.startswith("/v2/"):
            return self.reply(500, json.dumps({"errors": [{"code": "UNKNOWN", "message": "test failure"}]}).encode(),
                              [("Content-Type", "application/json")])
        if MODE == "deny401" and self.path.startswith("/v2/"):
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"go away"}]}',
                              [("Content-Type", "application/json")])
        if MODE == "pass" and self.path.startswith("/v2/"):
            return self.forward(self.path)
        if MODE == "cut" and self.path.startswith("/v2/"):
            if "/blobs/" in self.path and "Range" not in self.headers and self.path not in CUT:
                CUT.add(self.path)
                c = http.client.HTTPConnection("127.0.0.1", REG)
                c.request("GET", self.path)
                r = c.getresponse()
                body = r.read()
                if len(body) > 1024:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    sys.stderr.write("regproxy: cut %s at %d of %d\n" % (self.path, len(body) // 2, len(body)))
                    return
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


import threading
threading.Thread(target=S(("127.0.0.2", PORT), H).serve_forever, daemon=True).start()
S(("127.0.0.1", PORT), H).serve_forever()
