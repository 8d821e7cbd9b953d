#!/usr/bin/env python3
"""A TCP proxy for host and e2e tests: listens on 127.0.0.1:LISTEN (a QEMU guest sees it
at 10.0.2.2:LISTEN), forwards every connection to 127.0.0.1:UPSTREAM, and closes both
sides of each of the first CUT_CONNS connections once CUT bytes of the server's reply
have passed; later connections pass untouched. With "exit", the proxy goes away after its
last cut: later connections are refused (a mirror that dies mid-transfer). Each request
line and Range header is appended to LOG as "conn N: <line>", each cut as
"conn N: cut after CUT bytes", so a test can check that a resume asked for a range.

usage: cutproxy.py LISTEN UPSTREAM CUT CUT_CONNS LOG [exit]
"""
import os
import socket
import sys
import threading

CHUNK = 64 * 1024


def log_line(log, lock, conn, line):
    with lock, open(log, "ab") as f:
        f.write(b"conn %d: %s\n" % (conn, line))


def client_to_server(client, upstream, log, lock, conn):
    """Forward the request side, logging request lines and Range headers."""
    try:
        while True:
            data = client.recv(CHUNK)
            if not data:
                break
            for line in data.split(b"\r\n"):
                if line[:4] in (b"GET ", b"HEAD") or line.lower().startswith(b"range:"):
                    log_line(log, lock, conn, line)
            upstream.sendall(data)
    except OSError:
        pass


def close_both(a, b):
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def serve(client, conn, args, log, lock):
    """Forward one connection; one of the first CUT_CONNS ends after CUT reply bytes."""
    upstream_port, cut, cut_conns, exit_after = args
    try:
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
    except OSError:
        client.close()
        return
    threading.Thread(target=client_to_server, args=(client, upstream, log, lock, conn),
                     daemon=True).start()
    limit = cut if conn <= cut_conns else None
    sent = 0
    try:
        while True:
            data = upstream.recv(CHUNK)
            if not data:
                break
            if limit is not None and sent + len(data) >= limit:
                client.sendall(data[:limit - sent])
                log_line(log, lock, conn, b"cut after %d bytes" % limit)
                break
            client.sendall(data)
            sent += len(data)
    except OSError:
        pass
    close_both(client, upstream)
    if exit_after and limit is not None and conn >= cut_conns:
        os._exit(0)


def main():
    listen_port, upstream_port, cut, cut_conns = (int(a) for a in sys.argv[1:5])
    log = sys.argv[5]
    exit_after = len(sys.argv) > 6 and sys.argv[6] == "exit"
    lock = threading.Lock()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(16)
    conn = 0
    while True:
        client, _ = srv.accept()
        conn += 1
        threading.Thread(target=serve, args=(client, conn, (upstream_port, cut, cut_conns, exit_after), log, lock),
                         daemon=True).start()


if __name__ == "__main__":
    main()
