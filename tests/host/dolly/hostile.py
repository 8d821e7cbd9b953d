#!/usr/bin/env python3
"""A lying 'previous host' of a dolly chain, for the failure paths of netinit's client.
   hostile.py MODE TARGET_IP
MODE: flag7   a password flag that is neither 0 nor 1
      dirmode the directory flag set (dolly -D: a tar stream)
      longcfg 5000 bytes of configuration without 'endconfig'
      cut     a proper chain of one host, 1000 bytes of data, the size 2000, the data closed
      stall   the same, but nothing is closed: the stream just stops
      quit    (TARGET_IP: our own address) a *next* host: listens like dolly, takes the
              handshake, says it is ready, reads 100000 bytes of the stream and goes away
It connects like dolly (data port 9998, then control port 9997)."""
import socket
import struct
import sys
import time

mode, target = sys.argv[1], sys.argv[2]

if mode == "quit":
    ls = []
    for port in (9998, 9997):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((target, port))
        s.listen(1)
        ls.append(s)
    data, _ = ls[0].accept()
    ctrl, _ = ls[1].accept()
    got = b""
    while b"\nendconfig" not in got:
        chunk = ctrl.recv(4096)
        if not chunk:
            sys.exit("the previous host closed during the handshake")
        got += chunk
    ctrl.sendall(("Client %s configured with parameters. Ready to proceed.\nClient %s ready.\n" % (target, target)).encode())
    n = 0
    while n < 100000:
        chunk = data.recv(65536)
        if not chunk:
            break
        n += len(chunk)
    print("took %d bytes, going away" % n)
    sys.exit(0)


def connect(port):
    for _ in range(100):
        try:
            return socket.create_connection((target, port), timeout=10)
        except OSError:
            time.sleep(0.1)
    sys.exit("cannot connect to %s:%d" % (target, port))


data = connect(9998)
ctrl = connect(9997)
if mode == "flag7":
    ctrl.sendall(b"\x07")
elif mode == "dirmode":
    ctrl.sendall(b"\x00" + struct.pack("<I", 1))
elif mode == "longcfg":
    ctrl.sendall(b"\x00" + struct.pack("<I", 0) + b"infile a\noutfile b\n" + b"h" * 4981)
elif mode in ("cut", "stall"):
    ctrl.sendall(b"\x00" + struct.pack("<I", 0) + ("infile a\noutfile b\n%s\nendconfig\n" % target).encode())
    got = b""
    while b"ready." not in got:
        chunk = ctrl.recv(4096)
        if not chunk:
            sys.exit("the client closed before it was ready")
        got += chunk
    data.sendall(b"x" * 1000)
    ctrl.sendall(struct.pack("<Q", 2000))
    if mode == "cut":
        data.close()
else:
    sys.exit("unknown mode " + mode)
# wait for the client to give up on us
ctrl.settimeout(15)
try:
    while ctrl.recv(4096):
        pass
except OSError:
    pass
