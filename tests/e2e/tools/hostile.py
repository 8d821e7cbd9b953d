#!/usr/bin/env python3
"""An HTTP server that lies on purpose, for the hostile-server cases (and host tests).
usage: hostile.py PORT DIR LOG   serves DIR on 127.0.0.1:PORT (the guest: 10.0.2.2:PORT);
the first path component picks the misbehaviour, the rest names a file in DIR:
  /ok/F           an honest server: 200, or 206 with the right Content-Range
  /norange-cut/F  ignores Range: 200 with the whole length, half the bytes, then closes
  /trickle/F      200 with the whole length, then one byte a second
  /bad206/F       the first GET is cut halfway; a Range request gets 206 from byte 0
                  with "Content-Range: bytes 0-..." (not the range asked for)
  /loop/F         302 to itself, for ever
Every request is logged to LOG as "METHOD PATH range=<Range or -> <unix time>"."""
import http.server, os, re, socketserver, sys, threading, time

PORT, DIR, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
cut_once = set()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def log(self, what=""):
        with lock, open(LOG, "a") as f:
            f.write("%s %s range=%s %s%.3f\n" % (self.command, self.path, self.headers.get("Range", "-"),
                                                what + " " if what else "", time.time()))

    def head(self, code, length, extra=()):
        self.send_response(code)
        self.send_header("Content-Length", str(length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def do_GET(self):
        self.log()
        parts = self.path.split("/", 2)
        mode, name = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
        if mode == "loop":
            self.head(302, 0, [("Location", self.path)])
            return
        path = os.path.join(DIR, os.path.basename(name))
        if not name or not os.path.isfile(path):
            self.head(404, 0)
            return
        data = open(path, "rb").read()
        rng = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        try:
            if mode == "ok":
                if rng and int(rng.group(1)) < len(data):
                    a = int(rng.group(1))
                    self.head(206, len(data) - a, [("Content-Range", "bytes %d-%d/%d" % (a, len(data) - 1, len(data)))])
                    self.wfile.write(data[a:])
                else:
                    self.head(200, len(data))
                    self.wfile.write(data)
            elif mode == "norange-cut":
                self.head(200, len(data))
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
            elif mode == "trickle":
                self.head(200, len(data))
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(1)
            elif mode == "bad206":
                if not rng and name not in cut_once:
                    cut_once.add(name)
                    self.head(200, len(data))
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                elif rng:
                    self.head(206, len(data), [("Content-Range", "bytes 0-%d/%d" % (len(data) - 1, len(data)))])
                    self.wfile.write(data)
                else:
                    self.head(200, len(data))
                    self.wfile.write(data)
            else:
                self.head(404, 0)
        except OSError:
            self.close_connection = True


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", PORT), H).serve_forever()
