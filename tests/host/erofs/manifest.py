#!/usr/bin/env python3
"""manifest.py DIR [--content]: one line per entry under DIR, sorted: path, type, mode,
owner, link count (not for directories), size and sha256 (files), device numbers,
symlink target and the xattrs. Two trees with the same manifest hold the same thing.
--content: only path, type, size, sha256 and symlink target (for readers that do not
restore owners, modes, hard links or xattrs)."""
import hashlib
import os
import stat
import sys

root = sys.argv[1]
content = "--content" in sys.argv
out = []
for dirpath, dirnames, filenames in os.walk(root):
    for name in sorted(dirnames + filenames):
        p = os.path.join(dirpath, name)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        m = st.st_mode
        f = [rel, "%o" % (stat.S_IFMT(m) if content else m), "%d:%d" % (st.st_uid, st.st_gid)]
        if content:
            f.pop()
        if not stat.S_ISDIR(m) and not content:
            f.append("n=%d" % st.st_nlink)
        if stat.S_ISREG(m):
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            f += ["s=%d" % st.st_size, h.hexdigest()]
        elif stat.S_ISLNK(m):
            f.append("-> " + os.readlink(p))
        elif (stat.S_ISCHR(m) or stat.S_ISBLK(m)) and not content:
            f.append("dev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
        if not content:
            try:
                for k in sorted(os.listxattr(p, follow_symlinks=False)):
                    f.append("%s=%s" % (k, os.getxattr(p, k, follow_symlinks=False).hex()))
            except OSError:
                pass
        out.append(" ".join(f))
print("\n".join(sorted(out)))
