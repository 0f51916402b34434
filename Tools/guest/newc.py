"""Writes an initramfs: a cpio archive in the "newc" format the kernel unpacks.

Written here rather than with cpio(1) so that no root is needed for device nodes and owners, and
so that the archive is reproducible (fixed owner, time and inode numbering): a realm's initial
measurement covers the initramfs.
"""
import gzip
import os
import stat

TRAILER = "TRAILER!!!"


class Archive:
    def __init__(self):
        self.entries = []

    def directory(self, path, mode=0o755):
        self.entries.append((path, stat.S_IFDIR | mode, b"", 0))

    def file(self, path, data, mode=0o644):
        self.entries.append((path, stat.S_IFREG | mode, data, 0))

    def symlink(self, path, target):
        self.entries.append((path, stat.S_IFLNK | 0o777, target.encode(), 0))

    def char_device(self, path, major, minor, mode=0o600):
        self.entries.append((path, stat.S_IFCHR | mode, b"", (major, minor)))

    def bytes(self):
        out = bytearray()

        def pad():
            out.extend(b"\0" * (-len(out) % 4))

        for ino, (path, mode, data, rdev) in enumerate(self.entries + [(TRAILER, 0, b"", 0)], 1):
            name = path.lstrip("/").encode() + b"\0"
            rmajor, rminor = rdev if rdev else (0, 0)
            fields = (ino if path != TRAILER else 0, mode, 0, 0, 1 if not stat.S_ISDIR(mode) else 2,
                      0, len(data), 0, 0, rmajor, rminor, len(name), 0)
            out.extend(b"070701" + b"".join(b"%08X" % v for v in fields))
            out.extend(name)
            pad()
            out.extend(data)
            pad()
        return bytes(out)

    def write(self, path):
        data = self.bytes()
        if path.endswith(".gz"):
            data = gzip.compress(data, compresslevel=9, mtime=0)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
