#!/usr/bin/env python3
"""Boots a firmware image in QEMU virt and shows both consoles.

The normal world's UART (serial0) and the secure-only UART (serial1) go to files under --out;
their lines are echoed as they arrive, prefixed `normal|` and `secure|`. QEMU runs for at most
--timeout seconds. Used by `make run`, `make bench` and the system tests (Tests/System).
"""
import argparse
import os
import re
import subprocess
import sys
import time

MACHINE = ["-M", "virt,secure=on,virtualization=on,gic-version=3", "-m", "1G", "-smp", "4",
           "-nographic", "-nodefaults"]
HOST_MODE_ADDRESS = "0x40100000"
PLATFORM_DEF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Platform", "qemu-virt", "include",
                            "platform_def.h")


def platform_define(name):
    """A constant of the platform (platform_def.h), so that no address is written twice."""
    with open(PLATFORM_DEF, encoding="utf-8") as f:
        m = re.search(rf"^#define\s+{name}\s+(0x[0-9A-Fa-f]+|\d+)\s*$", f.read(), re.M)
    if not m:
        raise KeyError(f"{name} is not defined in {PLATFORM_DEF}")
    return int(m.group(1), 0)


def initrd_loader(path, payload=None, payload_addr="0x40200000"):
    """QEMU arguments that put an initramfs where the device tree's /chosen says it is (the
    start of the window PLAT_NS_INITRD_BASE/PLAT_NS_INITRD_MAX_SIZE; the rest stays zero).
    A Linux payload must end, bss included, below the window."""
    size, window = os.path.getsize(path), platform_define("PLAT_NS_INITRD_MAX_SIZE")
    base = platform_define("PLAT_NS_INITRD_BASE")
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


def run(image, cpu, payload=None, payload_addr="0x40200000", host_mode=None, extra=(),
        timeout=120.0, out="out/qemu", echo=True, qemu="qemu-system-aarch64", initrd=None):
    os.makedirs(out, exist_ok=True)
    normal_log = os.path.join(out, "normal-console.log")
    secure_log = os.path.join(out, "secure-console.log")
    for path in (normal_log, secure_log):
        open(path, "w").close()
    command = [qemu, *MACHINE, "-cpu", cpu, "-bios", image,
               "-serial", f"file:{normal_log}", "-serial", f"file:{secure_log}"]
    if payload:
        command += ["-device", f"loader,file={payload},addr={payload_addr},force-raw=on"]
    if initrd:
        command += initrd_loader(initrd, payload, payload_addr)
    if host_mode is not None:
        command += ["-device", f"loader,addr={HOST_MODE_ADDRESS},data={host_mode},data-len=4"]
    command += list(extra)

    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    offsets = {normal_log: 0, secure_log: 0}
    partial = {normal_log: "", secure_log: ""}

    def pump(final=False):
        """Echoes the lines the consoles gained since the last call (the result is read from the
        files at the end, so without echo there is nothing to do)."""
        for path, prefix in ((secure_log, "secure| "), (normal_log, "normal| ")):
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
    qemu_output = process.stdout.read().decode("utf-8", "replace")
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
    command = [opts.qemu, *MACHINE, "-cpu", opts.cpu, "-bios", opts.image,
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
    parser.add_argument("--payload-addr", default="0x40200000")
    parser.add_argument("--host-mode", type=int, help="mode word for the project's host (see HostMode.swift)")
    parser.add_argument("--initrd", help="initramfs for a Linux payload, placed where the device tree's /chosen says")
    parser.add_argument("--interactive", action="store_true",
                        help="the normal world's UART on this terminal (stdin too), for a shell in the payload")
    parser.add_argument("--icount", action="store_true", help="-icount shift=0: instruction-counted time")
    parser.add_argument("--no-reboot", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--out", default="out/qemu")
    parser.add_argument("--qemu", default="qemu-system-aarch64")
    opts = parser.parse_args()
    extra = []
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
