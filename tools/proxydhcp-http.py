#!/usr/bin/python3
# proxydhcp-http.py IFACE SERVER URL: proxy DHCP for UEFI HTTP Boot clients, beside another
# server that hands out the addresses (tools/netinit-serve --proxy starts it).
#
# dnsmasq's proxy mode answers only clients whose vendor class is PXEClient; a UEFI HTTP Boot
# client sends HTTPClient:Arch:00016:... and needs an answer that carries vendor class
# HTTPClient and its boot file as a URL. edk2's HttpBootDxe pairs such a proxy offer (yiaddr
# 0.0.0.0, HttpOfferTypeProxyIpUri) with the address-only offer of the real DHCP server and
# sends no request to the proxy, so one OFFER per DISCOVER is the whole protocol.
#
# Every packet is hostile: anything that is not a well-formed BOOTREQUEST DISCOVER from an x64
# HTTP Boot client (client architecture 16) is dropped without an answer.
import socket
import struct
import sys

BOOTREQUEST, BOOTREPLY = 1, 2
MAGIC = b"\x63\x82\x53\x63"
OPT_PAD, OPT_END = 0, 255
OPT_MSGTYPE, OPT_SERVERID, OPT_VENDOR, OPT_BOOTFILE, OPT_ARCH = 53, 54, 60, 67, 93
DISCOVER, OFFER = 1, 2
ARCH_X64_HTTP = 16
FIXED = 236  # op .. file, then the magic cookie


def options(pkt):
    """The options of a DHCP packet as {code: bytes}; None if malformed."""
    if len(pkt) < FIXED + 4 or pkt[FIXED:FIXED + 4] != MAGIC:
        return None
    out, i = {}, FIXED + 4
    while i < len(pkt):
        code = pkt[i]
        if code == OPT_PAD:
            i += 1
            continue
        if code == OPT_END:
            return out
        if i + 1 >= len(pkt) or i + 2 + pkt[i + 1] > len(pkt):
            return None
        out[code] = out.get(code, b"") + pkt[i + 2:i + 2 + pkt[i + 1]]
        i += 2 + pkt[i + 1]
    return None


def offer(req, server, url):
    """The proxy OFFER for the DISCOVER req: no address, vendor class HTTPClient, the URL."""
    op, htype, hlen = req[0], req[1], req[2]
    xid, flags, chaddr = req[4:8], req[10:12], req[28:44]
    b = struct.pack("!BBBB", BOOTREPLY, htype, hlen, 0) + xid + b"\0\0" + flags
    b += b"\0" * 8 + socket.inet_aton(server) + b"\0" * 4 + chaddr + b"\0" * 64
    u = url.encode()
    b += u + b"\0" * (128 - len(u)) if len(u) < 128 else b"\0" * 128
    b += MAGIC
    b += bytes([OPT_MSGTYPE, 1, OFFER, OPT_SERVERID, 4]) + socket.inet_aton(server)
    b += bytes([OPT_VENDOR, 10]) + b"HTTPClient"
    b += bytes([OPT_BOOTFILE, len(u)]) + u + bytes([OPT_END])
    return b


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: proxydhcp-http.py IFACE SERVER URL")
    iface, server, url = sys.argv[1:]
    if len(url.encode()) > 255:
        sys.exit("proxydhcp-http.py: the URL is longer than a DHCP option (255 bytes)")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # dnsmasq (bind-interfaces) holds port 67 with SO_REUSEPORT too; broadcasts reach both
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", 67))
    print("netinit-serve: proxy DHCP for UEFI HTTP Boot clients on %s: %s" % (iface, url), flush=True)
    while True:
        pkt, _ = s.recvfrom(4096)
        if len(pkt) < FIXED + 4 or pkt[0] != BOOTREQUEST or pkt[1] != 1 or pkt[2] != 6:
            continue
        o = options(pkt)
        if o is None or o.get(OPT_MSGTYPE) != bytes([DISCOVER]):
            continue
        if not o.get(OPT_VENDOR, b"").startswith(b"HTTPClient"):
            continue
        arch = o.get(OPT_ARCH, b"")
        if len(arch) != 2 or struct.unpack("!H", arch)[0] != ARCH_X64_HTTP:
            continue
        s.sendto(offer(pkt, server, url), ("255.255.255.255", 68))
        mac = ":".join("%02x" % c for c in pkt[28:34])
        print("netinit-serve: client %s UEFI-x64-HTTP given %s (proxy)" % (mac, url), flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
