#!/usr/bin/python3
"""A TCP proxy for e2e cases: listens on 127.0.0.1:LISTEN (the guest sees it at
10.0.2.2:LISTEN), forwards every connection to 127.0.0.1:UPSTREAM, and closes the
FIRST connection once CUT bytes of the server's reply have passed; later
connections pass untouched. Each request line and Range header is appended to
LOG as "conn N: <line>", so a case can check that a resume asked for a range.

usage: cutproxy.py LISTEN UPSTREAM CUT LOG
"""
import socket
import sys
import threading

CHUNK = 64 * 1024


def log_request(log, lock, conn, data):
    """Append the request line and any Range header found in data."""
    for line in data.split(b"\r\n"):
        if line[:4] in (b"GET ", b"HEAD") or line.lower().startswith(b"range:"):
            with lock, open(log, "ab") as f:
                f.write(b"conn %d: %s\n" % (conn, line))


def client_to_server(client, upstream, log, lock, conn):
    try:
        while True:
            data = client.recv(CHUNK)
            if not data:
                break
            log_request(log, lock, conn, data)
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


def serve(client, conn, upstream_port, cut, log, lock):
    """Forward one connection; the first one ends after cut reply bytes."""
    try:
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
    except OSError:
        client.close()
        return
    threading.Thread(target=client_to_server, args=(client, upstream, log, lock, conn),
                     daemon=True).start()
    limit = cut if conn == 1 else None
    sent = 0
    try:
        while True:
            data = upstream.recv(CHUNK)
            if not data:
                break
            if limit is not None and sent + len(data) >= limit:
                client.sendall(data[:limit - sent])
                with lock, open(log, "ab") as f:
                    f.write(b"conn %d: cut after %d bytes\n" % (conn, limit))
                break
            client.sendall(data)
            sent += len(data)
    except OSError:
        pass
    close_both(client, upstream)


def main():
    listen_port, upstream_port, cut = (int(a) for a in sys.argv[1:4])
    log = sys.argv[4]
    lock = threading.Lock()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(16)
    conn = 0
    while True:
        client, _ = srv.accept()
        conn += 1
        threading.Thread(target=serve, args=(client, conn, upstream_port, cut, log, lock),
                         daemon=True).start()


if __name__ == "__main__":
    main()
