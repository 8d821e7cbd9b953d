#!/usr/bin/python3
"""TCP proxy on 127.0.0.1 for fetch tests: forwards to an upstream port and,
on the first CUT_CONNS connections, closes both sides after CUT_BYTES bytes
from upstream. Logs each request's Range header to LOG (one line each).
usage: cutproxy.py LISTEN_PORT UPSTREAM_PORT CUT_BYTES CUT_CONNS LOG [exit]
With "exit", the proxy goes away after its last cut: later connections are refused
(a mirror that dies mid-transfer)."""
import os
import socket
import sys
import threading

listen_port, up_port, cut_bytes, cut_conns = (int(a) for a in sys.argv[1:5])
log_path = sys.argv[5]
exit_after = len(sys.argv) > 6 and sys.argv[6] == "exit"
lock = threading.Lock()
count = [0]


def pipe_up(client, upstream):
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"range:") or line.startswith(b"GET "):
                    with lock, open(log_path, "ab") as f:
                        f.write(line + b"\n")
            upstream.sendall(data)
    except OSError:
        pass


def handle(client, n):
    upstream = socket.create_connection(("127.0.0.1", up_port))
    threading.Thread(target=pipe_up, args=(client, upstream), daemon=True).start()
    sent = 0
    limit = cut_bytes if n <= cut_conns else None
    try:
        while True:
            data = upstream.recv(65536)
            if not data:
                break
            if limit is not None and sent + len(data) >= limit:
                client.sendall(data[:limit - sent])
                break
            client.sendall(data)
            sent += len(data)
    except OSError:
        pass
    for s in (client, upstream):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
    if exit_after and limit is not None and n >= cut_conns:
        os._exit(0)


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(16)
while True:
    c, _ = srv.accept()
    with lock:
        count[0] += 1
        n = count[0]
    threading.Thread(target=handle, args=(c, n), daemon=True).start()
