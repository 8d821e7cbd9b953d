#!/usr/bin/python3
"""mkbomb.py xz|zstd SIZE OUT: a valid compressed stream of SIZE zero bytes whose header asks
the decoder for far more memory than the data needs: xz with a 1.5 GiB LZMA2 dictionary,
zstd with a 2 GiB window (2^31). Compressed with a small dictionary/window, then the header
field is rewritten (the xz block header's CRC32 recomputed), so the stream still decodes
with a decoder that grants the memory."""
import subprocess
import sys
import zlib


def xz_bomb(size):
    raw = subprocess.run(["xz", "-T1", "--format=xz", "--check=crc32", "--lzma2=preset=0,dict=64KiB", "-c"],
                         input=bytes(size), stdout=subprocess.PIPE, check=True).stdout
    hdr = 12                              # stream header: magic, flags, CRC32
    bsize = (raw[hdr] + 1) * 4            # block header size byte
    block = bytearray(raw[hdr:hdr + bsize])
    # block flags: 1 filter, no sizes (xz's streaming layout) -> filter flags follow
    assert block[1] & 0x03 == 0, "more than one filter"
    p = 2
    if block[1] & 0x40:
        while block[p] & 0x80:
            p += 1
        p += 1
    if block[1] & 0x80:
        while block[p] & 0x80:
            p += 1
        p += 1
    assert block[p] == 0x21 and block[p + 1] == 1, "not an LZMA2 filter"
    block[p + 2] = 37                     # dictionary (2 | 1) << (37 / 2 + 11) = 1.5 GiB
    block[-4:] = zlib.crc32(bytes(block[:-4])).to_bytes(4, "little")
    return raw[:hdr] + bytes(block) + raw[hdr + bsize:]


def zstd_bomb(size):
    # from a pipe: no content size in the frame, so the header carries a window descriptor
    raw = subprocess.run(["zstd", "-q", "-1", "--no-check", "-c"], input=bytes(size),
                         stdout=subprocess.PIPE, check=True).stdout
    assert raw[:4] == b"\x28\xb5\x2f\xfd"
    fhd = raw[4]
    assert not fhd & 0x20, "single-segment frame has no window descriptor"
    out = bytearray(raw)
    out[5] = (31 - 10) << 3               # window log 31, mantissa 0: 2 GiB
    return bytes(out)


def main():
    kind, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = {"xz": xz_bomb, "zstd": zstd_bomb}[kind](size)
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
