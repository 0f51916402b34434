#!/usr/bin/env python3
"""Guest software from Debian: a stock arm64 kernel, its modules, busybox, and initramfs images.

  guest.py fetch-kernel  --flavour cloud-arm64 --state out/guest/apt --out out/guest/cloud-arm64
  guest.py fetch-busybox --state out/guest/apt --out out/guest/busybox
  guest.py initramfs --kind realm|host --busybox B [--kernel out/guest/FLAVOUR] --output F.cpio.gz

fetch-kernel resolves the flavour's metapackage (linux-image-FLAVOUR) to the versioned image
package and from there to its linux-binary (the uncompressed Image) and linux-modules packages,
so a new kernel in the archive needs no change here. Packages are downloaded and unpacked, never
installed. Docs/guest.md describes the outputs and the initramfs /init contract.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import debian_apt  # noqa: E402
import kmod  # noqa: E402
import newc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# What a realm guest needs for attestation through configfs-tsm (Docs/guest.md).
REALM_MODULES = ("configfs", "tsm_report", "arm_cca_guest")
ARM64_IMAGE_MAGIC = b"ARM\x64"


def unpack(deb, directory):
    subprocess.run(["dpkg-deb", "-x", deb, directory], check=True)


def dependency(fields, pattern):
    for name in debian_apt.depends(fields):
        if re.fullmatch(pattern, name):
            return name
    raise debian_apt.AptError(f"{fields['Package']} {fields['Version']} depends on nothing matching {pattern}")


def fetch_kernel(opts):
    flavour = re.escape(opts.flavour)
    def resolve_and_download(apt):
        meta = apt.record(f"linux-image-{opts.flavour}")
        image = apt.record(dependency(meta, rf"linux-image-(.+)-{flavour}"))
        binary = apt.record(dependency(image, rf"linux-binary-(.+)-{flavour}"))
        modules = apt.record(dependency(image, rf"linux-modules-(.+)-{flavour}"))
        debs = os.path.join(opts.state, "debs")
        return meta, image, binary, modules, [apt.download(p["Package"], p["Version"], debs)
                                               for p in (binary, modules)]

    with debian_apt.PrivateApt(opts.state, opts.mirror) as apt:
        apt.update()
        try:
            meta, image, binary, modules, paths = resolve_and_download(apt)
        except (debian_apt.AptError, KeyError):
            apt.update(again=True)    # lists older than the archive's current kernel
            meta, image, binary, modules, paths = resolve_and_download(apt)

    parent = os.path.dirname(os.path.abspath(opts.out))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".fetch-", dir=parent)
    try:
        root = os.path.join(work, "root")
        for path in paths:
            unpack(path, root)
        releases = os.listdir(os.path.join(root, "usr/lib/modules"))
        if len(releases) != 1:
            raise debian_apt.AptError(f"expected one kernel release in the packages, found {releases}")
        release = releases[0]
        tree = os.path.join(root, "usr/lib/modules", release)
        kernel = os.path.join(tree, "vmlinuz")
        with open(kernel, "rb") as f:
            header = f.read(64)
        if header[56:60] != ARM64_IMAGE_MAGIC:
            raise debian_apt.AptError(f"{binary['Package']}: {kernel} is not an uncompressed arm64 Image")
        result = os.path.join(work, "result")
        os.makedirs(os.path.join(result, "modules"))
        os.rename(kernel, os.path.join(result, "Image"))
        # dpkg keeps the package's file times; make must see the fetch time.
        os.utime(os.path.join(result, "Image"))
        os.rename(tree, os.path.join(result, "modules", release))
        with open(os.path.join(result, "release"), "w") as f:
            f.write(release + "\n")
        with open(os.path.join(result, "packages.txt"), "w") as f:
            for p in (meta, image, binary, modules):
                f.write(f"{p['Package']} {p['Version']}\n")
        if os.path.exists(opts.out):
            shutil.rmtree(opts.out)
        os.rename(result, opts.out)
        for path in paths:
            os.remove(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"guest: fetched {meta['Package']} {meta['Version']} -> {binary['Package']} {binary['Version']}, "
          f"{modules['Package']} {modules['Version']}")


def fetch_busybox(opts):
    def resolve_and_download(apt):
        package = apt.record("busybox-static")
        return package, apt.download(package["Package"], package["Version"], os.path.join(opts.state, "debs"))

    with debian_apt.PrivateApt(opts.state, opts.mirror) as apt:
        apt.update()
        try:
            package, deb = resolve_and_download(apt)
        except (debian_apt.AptError, KeyError):
            apt.update(again=True)    # lists older than the archive's current package
            package, deb = resolve_and_download(apt)
    work = tempfile.mkdtemp(prefix=".fetch-", dir=os.path.dirname(os.path.abspath(opts.out)))
    try:
        unpack(deb, work)
        binary = next((os.path.join(work, p) for p in ("usr/bin/busybox", "bin/busybox")
                       if os.path.exists(os.path.join(work, p))), None)
        if binary is None:
            raise debian_apt.AptError(f"{deb} holds no busybox binary")
        os.makedirs(opts.out, exist_ok=True)
        with open(os.path.join(opts.out, "packages.txt"), "w") as f:
            f.write(f"{package['Package']} {package['Version']}\n")
        os.replace(binary, os.path.join(opts.out, "busybox"))
        os.utime(os.path.join(opts.out, "busybox"))
        os.remove(deb)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"guest: fetched {package['Package']} {package['Version']}")


def initramfs(opts):
    archive = newc.Archive()
    for d in ("bin", "dev", "etc", "lib", "lib/modules", "proc", "sys", "tmp", "sbin", "usr", "usr/bin",
              "usr/sbin", "root"):
        archive.directory(d)
    # The kernel opens /dev/console for init before anything can mount devtmpfs.
    archive.char_device("dev/console", 5, 1)
    with open(opts.busybox, "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    archive.symlink("bin/sh", "busybox")
    with open(os.path.join(HERE, f"init-{opts.kind}.sh"), "rb") as f:
        archive.file("init", f.read(), 0o755)
    if opts.kind == "realm":
        with open(os.path.join(opts.kernel, "release"), encoding="utf-8") as f:
            tree = kmod.ModuleTree(os.path.join(opts.kernel, "modules", f.read().strip()))
        order = tree.load_order(REALM_MODULES)
        for name in order:
            archive.file(f"lib/modules/{name}.ko", kmod.decompressed(tree.paths[name]))
        archive.file("etc/modules-load", "".join(n + "\n" for n in order).encode())
    os.makedirs(os.path.dirname(os.path.abspath(opts.output)), exist_ok=True)
    archive.write(opts.output)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("fetch-kernel", "fetch-busybox"):
        p = sub.add_parser(name)
        p.add_argument("--state", required=True, help="private apt state directory")
        p.add_argument("--out", required=True)
        p.add_argument("--mirror", help="Debian mirror URI (default: the machine's own apt sources)")
        if name == "fetch-kernel":
            p.add_argument("--flavour", default="cloud-arm64")
    p = sub.add_parser("initramfs")
    p.add_argument("--kind", choices=("realm", "host"), required=True)
    p.add_argument("--busybox", required=True)
    p.add_argument("--kernel", help="the fetch-kernel output directory whose modules to use (realm)")
    p.add_argument("--output", required=True)
    opts = parser.parse_args()
    if opts.command == "initramfs" and opts.kind == "realm" and not opts.kernel:
        parser.error("--kind realm needs --kernel")
    try:
        {"fetch-kernel": fetch_kernel, "fetch-busybox": fetch_busybox, "initramfs": initramfs}[opts.command](opts)
    except (debian_apt.AptError, KeyError, ValueError, OSError, subprocess.CalledProcessError) as e:
        print(f"guest.py {opts.command}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
