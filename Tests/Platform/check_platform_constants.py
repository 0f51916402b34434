#!/usr/bin/env python3
"""Fails if a platform's address appears outside its platform folder.

Every address of a platform is declared once, in Platform/<name>/include/platform_def.h, and
everything else names it by its macro. This check reads each platform's addresses (the
definitions whose names end in _BASE, _ADDR or _ADDR_DEFAULT, at least 1 MiB, plus the DRAM,
flash and secure-RAM bases) and looks for the same number written as a literal in the
platform-independent sources: Firmware/, LinkerScripts/, Platform/aarch64/, Tools/ and the
Makefile. A hit is an error unless the number is listed below as meaning something else at
that place (the guest-physical layout the host's VMM gives its VMs copies QEMU virt's for
familiarity, which is not the host platform's map).

Usage: check_platform_constants.py [--root DIR]   (exit status 1 on a hit)
"""
import argparse
import os
import re
import sys

SCANNED = ["Firmware", "LinkerScripts", os.path.join("Platform", "aarch64"), "Tools", "Makefile"]
SUFFIXES = (".swift", ".S", ".c", ".h", ".ld", ".py", ".sh", ".dts", ".json", ".mk", "Makefile")
NAME = re.compile(r"_(BASE|ADDR|ADDR_DEFAULT)$")
DEFINE = re.compile(r"^#define\s+(PLAT_\w+)\s+(0x[0-9A-Fa-f]+|\d+)\s*$", re.M)
LITERAL = re.compile(r"(?<![\w.])0[xX][0-9A-Fa-f][0-9A-Fa-f_]*")
MINIMUM = 0x100000

# (path prefix, value): the same number, another meaning there.
ALLOWED = {
    # The VMs the host's VMM builds (realms and the ordinary VM) get QEMU virt's familiar
    # guest-physical layout: GICD, GICR, PL011 and RAM are IPAs of the guest, not host addresses.
    ("Firmware/Host/VMM/Devices/", 0x0800_0000),
    ("Firmware/Host/VMM/Devices/", 0x080A_0000),
    ("Firmware/Host/VMM/Devices/", 0x0900_0000),
    ("Firmware/Host/VMM/Devices/", 0x4000_0000),
    ("Firmware/Host/NormalVM/", 0x0900_0000),
    ("Firmware/Host/NormalVM/", 0x4000_0000),
    # The test realm's RAM IPA (Platform/aarch64/include/realm_layout.h) and what reads it.
    ("Platform/aarch64/include/realm_layout.h", 0x4000_0000),
    ("Firmware/Host/RMI/", 0x4000_0000),
    ("Firmware/Realm/", 0x4000_0000),
}


def platform_addresses(root):
    found = {}
    base = os.path.join(root, "Platform")
    for name in sorted(os.listdir(base)):
        header = os.path.join(base, name, "include", "platform_def.h")
        if not os.path.isfile(header):
            continue
        with open(header, encoding="utf-8") as f:
            for macro, value in DEFINE.findall(f.read()):
                number = int(value, 0)
                if NAME.search(macro) and number >= MINIMUM:
                    found.setdefault(number, []).append(f"{name}:{macro}")
    return found


def scanned_files(root):
    for entry in SCANNED:
        path = os.path.join(root, entry)
        if os.path.isfile(path):
            yield path
            continue
        for directory, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if d not in (".build", "__pycache__")]
            for file in sorted(files):
                if file.endswith(SUFFIXES):
                    yield os.path.join(directory, file)


def allowed(relative, value):
    return any(relative.startswith(prefix) and value == v for prefix, v in ALLOWED)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    opts = parser.parse_args()
    root = os.path.normpath(opts.root)
    addresses = platform_addresses(root)
    if not addresses:
        print("check_platform_constants: no platform_def.h found", file=sys.stderr)
        return 1
    hits = 0
    files = 0
    for path in scanned_files(root):
        files += 1
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                for literal in LITERAL.findall(line):
                    value = int(literal.replace("_", ""), 16)
                    if value in addresses and not allowed(relative, value):
                        hits += 1
                        print(f"{relative}:{number}: {literal} is {', '.join(addresses[value])}: "
                              f"name the macro, or move the code into Platform/<name>/")
    print(f"check_platform_constants: {len(addresses)} platform addresses, {files} files scanned, {hits} found "
          f"outside their platform folder")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
