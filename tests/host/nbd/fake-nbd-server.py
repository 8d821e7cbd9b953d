#!/usr/bin/python3
"""A lying NBD server for tests: accepts connections on 127.0.0.1:PORT and answers every
client with the malformed handshake named by MODE (see MODES). Runs until killed."""
import socket
import struct
import sys
import threading
import time

NBDMAGIC = 0x4E42444D41474943
IHAVEOPT = 0x49484156454F5054
REPLY = 0x3E889045565A9
GO = 7


def greeting(flags=3):
    return struct.pack(">QQH", NBDMAGIC, IHAVEOPT, flags)


def reply(rtype, data=b"", option=GO):
    return struct.pack(">QIII", REPLY, option, rtype, len(data)) + data


def info_export(size, flags=1):
    return reply(3, struct.pack(">HQH", 0, size, flags))


def read_opt(c):
    """Read the client flags and one option request."""
    c.recv(4, socket.MSG_WAITALL)
    hdr = c.recv(16, socket.MSG_WAITALL)
    if len(hdr) == 16:
        _, _, ln = struct.unpack(">QII", hdr)
        c.recv(ln, socket.MSG_WAITALL)


MODES = {
    # wrong first magic
    "bad-magic": lambda c: c.sendall(b"HTTP/1.1 400 Bad Request\r\n"),
    # option reply cut in the middle, then the server goes silent (no close)
    "truncated-reply": lambda c: (c.sendall(greeting()), read_opt(c), c.sendall(reply(3, b"\0" * 12)[:23]), time.sleep(3600)),
    # size of 2^64-1
    "huge-size": lambda c: (c.sendall(greeting()), read_opt(c), c.sendall(info_export(2**64 - 1) + reply(1))),
    # an undefined non-error reply type
    "unknown-reply": lambda c: (c.sendall(greeting()), read_opt(c), c.sendall(reply(0x42))),
    # accepts, says nothing
    "silent": lambda c: time.sleep(3600),
    # bad option-reply magic
    "bad-reply-magic": lambda c: (c.sendall(greeting()), read_opt(c), c.sendall(struct.pack(">QIII", 0x1234, GO, 1, 0))),
    # greeting, then closes before any reply
    "hangup": lambda c: (c.sendall(greeting()), read_opt(c)),
}


def serve(conn, mode):
    try:
        MODES[mode](conn)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode not in MODES:
        sys.exit("unknown mode %s; one of %s" % (mode, ", ".join(MODES)))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode), daemon=True).start()


if __name__ == "__main__":
    main()
