#!/usr/bin/env python3
"""Layer tars for the OCI tests (tarfile writes what umoci would not: hostile paths,
an opaque marker after its siblings, devices, xattrs), and a corrupted archive."""
import io, json, os, sys, tarfile

def add_file(t, name, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = kw.get("mode", 0o644)
    ti.mtime = 1700000000
    if "pax" in kw:
        ti.pax_headers = kw["pax"]
    t.addfile(ti, io.BytesIO(data))

def add(t, name, typ, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = typ
    ti.mode = kw.get("mode", 0o755)
    ti.mtime = 1700000000
    for k in ("linkname", "devmajor", "devminor", "uid", "gid"):
        if k in kw:
            setattr(ti, k, kw[k])
    t.addfile(ti)

def special(path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        add(t, "opq", tarfile.DIRTYPE)
        add_file(t, "opq/new", b"new\n")          # written before the marker: must survive it
        add_file(t, "opq/.wh..wh..opq")
        add_file(t, "keep/.wh.nothing-there")     # a whiteout for a name that does not exist
        add_file(t, "hl/orig", b"linked\n")
        add(t, "hl/link", tarfile.LNKTYPE, linkname="hl/orig", mode=0o644)
        add(t, "hl/sym", tarfile.SYMTYPE, linkname="/etc/added", mode=0o777)
        add(t, "dev", tarfile.DIRTYPE)
        add(t, "dev/null-copy", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
        add(t, "fifo", tarfile.FIFOTYPE, mode=0o600)
        add_file(t, "owned", b"x\n", mode=0o4750)
        # owner 1234:5678 on /owned
        t.members[-1].uid = 1234
        # security.capability for cap_net_raw+ep (VFS cap v2)
        cap = bytes([0, 0, 0, 2, 0x00, 0x20, 0, 0, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        add_file(t, "capfile", b"#!/bin/sh\n", mode=0o755,
                 pax={"SCHILY.xattr.security.capability": cap.decode("latin-1"),
                      "SCHILY.xattr.user.netinit": "yes"})
    # tarfile wrote uid=0 for "owned" before we changed it: rewrite with the owner set
    with tarfile.open(path) as t:
        members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for m, data in members:
            if m.name == "owned":
                m.uid, m.gid = 1234, 5678
            t.addfile(m, io.BytesIO(data) if data is not None else None)

def hostile(kind, path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        if kind == "dotdot":
            add_file(t, "etc/../../netinit-escape", b"escaped\n")
        elif kind == "abs":
            add_file(t, "/netinit-escape", b"escaped\n")
        elif kind == "symlink":
            add(t, "escape", tarfile.SYMTYPE, linkname="/tmp", mode=0o777)
            add_file(t, "escape/netinit-escape", b"escaped\n")
        elif kind == "hardlink":
            add(t, "passwd-link", tarfile.LNKTYPE, linkname="../../../etc/passwd", mode=0o644)
        elif kind == "whsymlink":
            add(t, "escape", tarfile.SYMTYPE, linkname=sys.argv[3], mode=0o777)
            add_file(t, "escape/.wh.netinit-victim")
        elif kind == "opqsymlink":
            add(t, "escape", tarfile.SYMTYPE, linkname=sys.argv[3], mode=0o777)
            add_file(t, "escape/.wh..wh..opq")

def deep(kind, path):
    """deep: one file 1000 components down (the cap is 512). deeplower: a tree 100 levels
    deep under /lowtree and lower files under /opq40. deepupper (over deeplower): /opq40
    rewritten 40 directories deep with an opaque marker at its top and one at the bottom,
    and a whiteout of /lowtree."""
    d40 = "/".join(["opq40"] + ["o"] * 39)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        if kind == "deep":
            add_file(t, "a/" * 999 + "f", b"deep\n")
        elif kind == "deeplower":
            add_file(t, "lowtree/" + "a/" * 99 + "f", b"lower\n")
            add_file(t, "opq40/lower-top", b"lower\n")
            add_file(t, d40 + "/lower-bottom", b"lower\n")
        elif kind == "deepupper":
            parts = d40.split("/")
            for i in range(1, len(parts) + 1):
                add(t, "/".join(parts[:i]), tarfile.DIRTYPE)
            add_file(t, d40 + "/new", b"new\n")
            add_file(t, "opq40/.wh..wh..opq")
            add_file(t, d40 + "/.wh..wh..opq")
            add_file(t, ".wh.lowtree")

def corrupt(src, dst):
    """Flip one byte in the middle of the largest layer blob of src (a tar of a layout)."""
    data = bytearray(open(src, "rb").read())
    with tarfile.open(src) as t:
        blobs = [m for m in t.getmembers() if m.isfile() and "/blobs/sha256/" in "/" + m.name]
        big = max(blobs, key=lambda m: m.size)
    data[big.offset_data + big.size // 2] ^= 0x55
    open(dst, "wb").write(data)

if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "special":
        special(sys.argv[2])
    elif kind == "corrupt":
        corrupt(sys.argv[2], sys.argv[3])
    elif kind.startswith("deep"):
        deep(kind, sys.argv[2])
    else:
        hostile(kind, sys.argv[2])
