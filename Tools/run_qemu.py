#!/usr/bin/env python3
"""Boots a firmware image in QEMU (the platform's machine) and shows both consoles.

The normal world's UART (serial0) and the secure-only UART (serial1) go to files under --out;
their lines are echoed as they arrive, prefixed `normal|` and `secure|`. QEMU runs for at most
--timeout seconds. Used by `make run`, `make bench` and the system tests (Tests/System).

The platform (--platform, default qemu-virt) supplies the machine options
(Platform/<name>/qemu.json) and every address (Platform/<name>/include/platform_def.h).
"""
import json
import argparse
import os
import re
import subprocess
import sys
import time

PLATFORMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Platform")
DEFAULT_PLATFORM = "qemu-virt"
_platform = DEFAULT_PLATFORM


def select_platform(name):
    """Makes `name` (a folder of Platform/) the platform of the following runs."""
    global _platform
    if not os.path.isfile(os.path.join(PLATFORMS, name, "qemu.json")):
        raise SystemExit(f"run_qemu: no platform {name} (Platform/{name}/qemu.json)")
    _platform = name


def current_platform():
    return _platform


def platform_config(platform=None):
    with open(os.path.join(PLATFORMS, platform or _platform, "qemu.json"), encoding="utf-8") as f:
        return json.load(f)


def machine(platform=None):
    """The QEMU machine options of the platform (qemu.json)."""
    return list(platform_config(platform)["machine"])


def platform_define(name, platform=None):
    """A constant of the platform (platform_def.h), so that no address is written twice."""
    path = os.path.join(PLATFORMS, platform or _platform, "include", "platform_def.h")
    with open(path, encoding="utf-8") as f:
        m = re.search(rf"^#define\s+{name}\s+(0x[0-9A-Fa-f]+|\d+)\s*$", f.read(), re.M)
    if not m:
        raise KeyError(f"{name} is not defined in {path}")
    return int(m.group(1), 0)


def default_payload_addr():
    return f"{platform_define('PLAT_PAYLOAD_ADDR_DEFAULT'):#x}"


def initrd_loader(path, payload=None, payload_addr=None):
    """QEMU arguments that put an initramfs where the device tree's /chosen says it is (the
    start of the window PLAT_NS_INITRD_BASE/PLAT_NS_INITRD_MAX_SIZE; the rest stays zero).
    A Linux payload must end, bss included, below the window."""
    size, window = os.path.getsize(path), platform_define("PLAT_NS_INITRD_MAX_SIZE")
    base = platform_define("PLAT_NS_INITRD_BASE")
    payload_addr = payload_addr or default_payload_addr()
    if size > window:
        raise ValueError(f"{path}: {size} bytes do not fit the initrd window of {window} bytes")
    if payload:
        with open(payload, "rb") as f:
            header = f.read(64)
        # arm64 Image header (Linux Documentation/arch/arm64/booting.rst): image_size at 16,
        # magic "ARM\x64" at 56; other payloads: their file size.
        end = int(payload_addr, 0) + (int.from_bytes(header[16:24], "little") if header[56:60] == b"ARM\x64"
                                      else os.path.getsize(payload))
        if end > base:
            raise ValueError(f"{payload} at {payload_addr} reaches {end:#x}, into the initrd window at {base:#x}")
    return ["-device", f"loader,file={path},addr={base:#x},force-raw=on"]

# Where the project's host finds a Linux realm to boot (host mode 4): the addresses of
# platform_def.h (PLAT_VMM_*), read from it so they cannot disagree.
LINUX_REALM_HOST_MODE = 4
MANIFEST_MAGIC = b"TMMLNXR1"


def linux_realm_devices(out, kernel, initrd=None, dtb=None, append="", mem_mib=128, cpus=1, interactive=False):
    """The QEMU loader devices that place a Linux realm's kernel, initramfs, optional device
    tree and the manifest (LinuxBootManifest.swift) where the host's VMM reads them."""
    import struct
    sizes = {}
    for name, path, slot in (("kernel", kernel, "KERNEL"), ("initrd", initrd, "INITRD"), ("dtb", dtb, "DTB")):
        size = os.path.getsize(path) if path else 0
        limit = platform_define(f"PLAT_VMM_{slot}_MAX_SIZE")
        if size > limit:
            raise SystemExit(f"run_qemu: {path} ({size} bytes) is larger than the {name} slot ({limit} bytes)")
        sizes[name] = size
    command_line = append.encode()
    if len(command_line) > 0x1000 - 0x100:
        raise SystemExit("run_qemu: the kernel command line is longer than 3840 bytes")
    manifest = bytearray(0x1000)
    struct.pack_into("<8sQQQQQQQ", manifest, 0, MANIFEST_MAGIC, sizes["kernel"], sizes["initrd"], sizes["dtb"],
                     mem_mib << 20, cpus, len(command_line), 1 if interactive else 0)
    manifest[0x100:0x100 + len(command_line)] = command_line
    os.makedirs(out, exist_ok=True)
    manifest_path = os.path.join(out, "linux-realm-manifest.bin")
    with open(manifest_path, "wb") as f:
        f.write(manifest)
    devices = ["-device", f"loader,file={manifest_path},addr={platform_define('PLAT_VMM_MANIFEST_BASE'):#x},force-raw=on",
               "-device", f"loader,file={kernel},addr={platform_define('PLAT_VMM_KERNEL_BASE'):#x},force-raw=on"]
    if initrd:
        devices += ["-device", f"loader,file={initrd},addr={platform_define('PLAT_VMM_INITRD_BASE'):#x},force-raw=on"]
    if dtb:
        devices += ["-device", f"loader,file={dtb},addr={platform_define('PLAT_VMM_DTB_BASE'):#x},force-raw=on"]
    return devices


class Run:
    def __init__(self, normal, secure, exited, returncode, elapsed, command):
        self.normal, self.secure = normal, secure
        self.exited, self.returncode, self.elapsed = exited, returncode, elapsed
        self.command = command

    def tail(self, lines=15):
        out = []
        for name, text in (("normal", self.normal), ("secure", self.secure)):
            rows = text.splitlines()[-lines:]
            out.append(f"    --- last {len(rows)} lines of the {name} console ---")
            out.extend(f"    {name}| {row}" for row in rows)
        return "\n".join(out)


def run(image, cpu, payload=None, payload_addr=None, host_mode=None, extra=(),
        timeout=120.0, out="out/qemu", echo=True, qemu="qemu-system-aarch64", initrd=None, interactive=False):
    """Runs QEMU; with `interactive` the terminal is the normal world's UART (input included:
    the host's VMM passes it to a realm's console) and its output is also logged."""
    os.makedirs(out, exist_ok=True)
    payload_addr = payload_addr or default_payload_addr()
    normal_log = os.path.join(out, "normal-console.log")
    secure_log = os.path.join(out, "secure-console.log")
    for path in (normal_log, secure_log):
        open(path, "w").close()
    if interactive:
        normal_serial = ["-chardev", f"stdio,id=normal,signal=off,logfile={normal_log}", "-serial", "chardev:normal"]
    else:
        normal_serial = ["-serial", f"file:{normal_log}"]
    command = [qemu, *machine(), "-cpu", cpu, "-bios", image, *normal_serial, "-serial", f"file:{secure_log}"]
    if payload:
        command += ["-device", f"loader,file={payload},addr={payload_addr},force-raw=on"]
    if initrd:
        command += initrd_loader(initrd, payload, payload_addr)
    if host_mode is not None:
        command += ["-device", f"loader,addr={platform_define('PLAT_HOST_MODE_ADDR'):#x},data={host_mode},data-len=4"]
    command += list(extra)

    start = time.monotonic()
    if interactive:
        process = subprocess.Popen(command)
    else:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
    offsets = {normal_log: 0, secure_log: 0}
    partial = {normal_log: "", secure_log: ""}

    def pump(final=False):
        """Echoes the lines the consoles gained since the last call (the result is read from the
        files at the end, so without echo there is nothing to do)."""
        for path, prefix in ((secure_log, "secure| "), (normal_log, "normal| ")):
            if interactive and path == normal_log:
                continue   # the terminal shows it
            with open(path, "rb") as f:
                f.seek(offsets[path])
                data = f.read()
            offsets[path] += len(data)
            text = partial[path] + data.decode("utf-8", "replace").replace("\r", "")
            lines = text.split("\n")
            partial[path] = lines.pop()
            if final and partial[path]:
                lines.append(partial[path])
                partial[path] = ""
            for line in lines:
                print(prefix + line, flush=True)

    exited = False
    while True:
        try:
            process.wait(timeout=0.05)
            exited = True
            break
        except subprocess.TimeoutExpired:
            pass
        if echo:
            pump()
        if time.monotonic() - start > timeout:
            process.kill()
            process.wait()
            break
    if echo:
        pump(final=True)
    qemu_output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    if echo and qemu_output.strip():
        print("qemu| " + qemu_output.strip().replace("\n", "\nqemu| "), flush=True)
    with open(normal_log, encoding="utf-8", errors="replace") as f:
        normal = f.read().replace("\r", "")
    with open(secure_log, encoding="utf-8", errors="replace") as f:
        secure = f.read().replace("\r", "")
    return Run(normal, secure, exited, process.returncode, time.monotonic() - start, command)


def interactive(opts, extra):
    """QEMU with the normal world's UART on this terminal (Ctrl-A X quits) and the secure
    console in a file: for a shell in a Linux payload."""
    os.makedirs(opts.out, exist_ok=True)
    secure_log = os.path.join(opts.out, "secure-console.log")
    command = [opts.qemu, *machine(), "-cpu", opts.cpu, "-bios", opts.image,
               "-serial", "mon:stdio", "-serial", f"file:{secure_log}"]
    if opts.payload:
        command += ["-device", f"loader,file={opts.payload},addr={opts.payload_addr},force-raw=on"]
    if opts.initrd:
        command += initrd_loader(opts.initrd, opts.payload, opts.payload_addr)
    print(f"run_qemu: the secure console goes to {secure_log}; Ctrl-A X quits QEMU", flush=True)
    return subprocess.run(command + extra).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True, help="firmware flash image (-bios)")
    parser.add_argument("--cpu", default="max")
    parser.add_argument("--payload", help="normal-world payload, a flat binary")
    parser.add_argument("--platform", default=DEFAULT_PLATFORM, help="a folder of Platform/ (default qemu-virt)")
    parser.add_argument("--payload-addr", help="default: the platform's PLAT_PAYLOAD_ADDR_DEFAULT")
    parser.add_argument("--host-mode", type=int, help="mode word for the project's host (see HostMode.swift)")
    parser.add_argument("--initrd", help="initramfs for a Linux payload, placed where the device tree's /chosen says")
    parser.add_argument("--interactive", action="store_true",
                        help="the normal world's UART on this terminal (stdin too), for a shell in the payload")
    parser.add_argument("--icount", action="store_true", help="-icount shift=0: instruction-counted time")
    parser.add_argument("--no-reboot", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--out", default="out/qemu")
    parser.add_argument("--qemu", default="qemu-system-aarch64")
    realm = parser.add_argument_group("Linux realm (host mode 4)")
    realm.add_argument("--kernel", help="arm64 Linux Image to boot in a realm")
    realm.add_argument("--realm-initrd", help="its initramfs")
    realm.add_argument("--dtb", help="a device tree for it (default: the VMM describes the realm)")
    realm.add_argument("--append", default="", help="kernel command line")
    realm.add_argument("--mem", type=int, default=128, help="realm RAM in MiB (multiple of 2)")
    realm.add_argument("--cpus", type=int, default=1, help="vCPUs, 1-4")
    opts = parser.parse_args()
    select_platform(opts.platform)
    opts.payload_addr = opts.payload_addr or default_payload_addr()
    extra = []
    if opts.kernel:
        extra += linux_realm_devices(opts.out, opts.kernel, opts.realm_initrd, opts.dtb, opts.append, opts.mem, opts.cpus)
        if opts.host_mode is None:
            opts.host_mode = LINUX_REALM_HOST_MODE
    if opts.icount:
        extra += ["-icount", "shift=0"]
    if opts.no_reboot:
        extra += ["-no-reboot"]
    if opts.interactive:
        return interactive(opts, extra)
    result = run(opts.image, opts.cpu, opts.payload, opts.payload_addr, opts.host_mode, extra,
                 opts.timeout, opts.out, True, opts.qemu, opts.initrd)
    if not result.exited:
        print(f"run_qemu: QEMU did not exit within {opts.timeout:.0f} s; stopped it", file=sys.stderr)
        return 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
