"""Kernel modules of an unpacked Debian linux-modules package, without depmod or kmod.

Debian ships no modules.dep (depmod runs at install time): dependencies come from each module's
.modinfo section (`depends=`), and modules.builtin says what needs no loading at all.
"""
import gzip
import lzma
import os
import shutil
import struct
import subprocess

SUFFIXES = (".ko.xz", ".ko.zst", ".ko.gz", ".ko")


def module_name(filename):
    base = os.path.basename(filename)
    for suffix in SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)].replace("-", "_")
    return None


def decompressed(path):
    """A module's ELF bytes; busybox insmod hands them to init_module as they are."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        if not shutil.which("zstd"):
            raise RuntimeError(f"{path}: zstd-compressed module and no zstd command (apt install zstd)")
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    return data


def modinfo(elf):
    """The key=value strings of an ELF64 little-endian module's .modinfo section."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not an ELF64 little-endian module")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(index):
        name, _type, _flags, _addr, offset, size = struct.unpack_from("<IIQQQQ", elf, shoff + index * shentsize)
        return name, offset, size

    _, names_off, _ = section(shstrndx)
    for index in range(shnum):
        name, offset, size = section(index)
        end = elf.index(b"\0", names_off + name)
        if elf[names_off + name:end] == b".modinfo":
            info = {}
            for item in elf[offset:offset + size].split(b"\0"):
                if b"=" in item:
                    key, value = item.decode("utf-8", "replace").split("=", 1)
                    info.setdefault(key, value)
            return info
    return {}


class ModuleTree:
    """lib/modules/<release> of an unpacked linux-modules package."""

    def __init__(self, root):
        self.root = root
        self.paths = {}
        for directory, _dirs, files in os.walk(os.path.join(root, "kernel")):
            for filename in files:
                name = module_name(filename)
                if name:
                    self.paths[name] = os.path.join(directory, filename)
        self.builtin = set()
        try:
            with open(os.path.join(root, "modules.builtin"), encoding="utf-8") as f:
                self.builtin = {module_name(line.strip()) for line in f if line.strip()}
        except OSError:
            pass

    def load_order(self, wanted):
        """The modules to insmod for `wanted` (names), dependencies first, built-ins left out."""
        order, seen = [], set()

        def visit(name, chain):
            name = name.replace("-", "_")
            if name in seen or name in self.builtin:
                return
            if name in chain:
                raise ValueError("module dependency cycle: " + " -> ".join(chain + [name]))
            if name not in self.paths:
                raise KeyError(f"module {name} is neither built in nor in {self.root}")
            deps = modinfo(decompressed(self.paths[name])).get("depends", "")
            for dep in filter(None, deps.split(",")):
                visit(dep, chain + [name])
            seen.add(name)
            order.append(name)

        for name in wanted:
            visit(name, [])
        return order
