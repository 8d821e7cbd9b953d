#!/usr/bin/python3
# proxydhcp-client.py IFACE: for tests/host/netinit-serve.sh, talk to tools/proxydhcp-http.py
# across a veth: send a truncated packet, a PXEClient DISCOVER and a DISCOVER from an x64 UEFI
# HTTP Boot client, and print what came back (one line per answer: xid yiaddr vendor-class URL)
import socket, struct, sys, time
iface = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.bind(("0.0.0.0", 68))
s.settimeout(0.5)
def discover(xid, vendor, arch):
    b = struct.pack("!BBBB", 1, 1, 6, 0) + struct.pack("!I", xid) + b"\0\0\x80\0" + b"\0" * 16
    b += bytes.fromhex("525400e2e0ff") + b"\0" * 10 + b"\0" * 192 + b"\x63\x82\x53\x63"
    b += bytes([53, 1, 1, 60, len(vendor)]) + vendor + bytes([93, 2]) + struct.pack("!H", arch) + b"\xff"
    return b
for pkt in (b"\x01\x01\x06\x00" + b"\0" * 30,
            discover(0x1111, b"PXEClient:Arch:00007:UNDI:003016", 7),
            discover(0x2222, b"HTTPClient:Arch:00016:UNDI:003016", 16),
            discover(0x3333, b"HTTPClient:Arch:00016:UNDI:003016", 16)[:-1] + bytes([60, 200])):
    s.sendto(pkt, ("255.255.255.255", 67))
end = time.time() + 2
while time.time() < end:
    try:
        r, _ = s.recvfrom(2048)
    except socket.timeout:
        continue
    o, i = {}, 240
    while i < len(r) and r[i] != 255:
        if r[i] == 0:
            i += 1
            continue
        o[r[i]] = r[i + 2:i + 2 + r[i + 1]]
        i += 2 + r[i + 1]
    print("%x %s %s %s" % (struct.unpack("!I", r[4:8])[0], socket.inet_ntoa(r[16:20]),
                           o.get(60, b"").decode(), o.get(67, b"").decode()))
