#!/usr/bin/env python3
"""A lying BitTorrent peer for tests/host/fetch-torrent.sh: it claims every piece of the
torrent, unchokes at once and answers every request with the right length of wrong bytes
(so each piece fails its SHA-1), or with MODE=oversize a message longer than any block.
usage: badpeer.py PORT INFO_HASH_HEX NPIECES LOG [MODE]   (MODE: corrupt | oversize | silent)"""
import os, socket, struct, sys, threading

port, ih, npieces, log = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mode = sys.argv[5] if len(sys.argv) > 5 else "corrupt"


def note(msg):
    with open(log, "a") as f:
        f.write(msg + "\n")


def recv_all(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def serve(c):
    try:
        hs = recv_all(c, 68)
        if hs[28:48] != ih:
            return
        c.sendall(bytes([19]) + b"BitTorrent protocol" + bytes(8) + ih + b"-BAD000-" + os.urandom(12))
        nb = (npieces + 7) // 8
        bits = bytearray(b"\xff" * nb)
        if npieces % 8:
            bits[-1] = (0xff << (8 - npieces % 8)) & 0xff
        c.sendall(struct.pack(">IB", 1 + nb, 5) + bytes(bits))
        if mode == "silent":
            c.recv(1 << 20)
            threading.Event().wait(600)
            return
        c.sendall(struct.pack(">IB", 1, 1))  # unchoke
        while True:
            (n,) = struct.unpack(">I", recv_all(c, 4))
            if n == 0:
                continue
            body = recv_all(c, n)
            if body[0] != 6:
                continue
            index, begin, length = struct.unpack(">III", body[1:13])
            note("request %d %d %d" % (index, begin, length))
            if mode == "oversize":
                c.sendall(struct.pack(">IBII", 9 + (1 << 20), 7, index, begin) + bytes(1 << 20))
                continue
            c.sendall(struct.pack(">IBII", 9 + length, 7, index, begin) + os.urandom(length))
    except (EOFError, OSError):
        pass
    finally:
        note("closed")
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
while True:
    conn, _ = s.accept()
    note("connection")
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
