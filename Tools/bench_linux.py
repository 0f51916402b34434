#!/usr/bin/env python3
"""The same Linux guest as a realm (host mode 4) and as an ordinary VM at Non-secure EL1 (host
mode 5), both under QEMU -icount shift=0 with the same firmware image, kernel, initramfs and
command line, reported side by side with the ratio realm / normal VM.

The host counts with the PMU cycle counter from the guest's first entry (Firmware/Host/
GuestBenchmark.swift); under -icount shift=0 that is one per instruction executed anywhere
(guest, host, TMM, monitor), plus the virtual time QEMU skips while the CPU sleeps in WFI, which
the host counts separately ("idle") and which is left out of the instruction figures. Exits are
the VMMs' own counts over the whole run (boot, workload and power-off).
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_qemu  # noqa: E402

REALM_MODE, NORMAL_VM_MODE = 4, 5
SPANS = ["boot to init marker", "workload cpu+memory", "workload I/O"]
# The realm VMM's summary (LinuxRealmVMM.swift) and the normal VM's (NormalVMRunLoop.swift).
REALM_EXITS = re.compile(r"\[vmm\] realm powered off .*?: (\d+) exits \((\d+) MMIO, (\d+) IRQ/FIQ, (\d+) WFI, "
                         r"(\d+) SGI, (\d+) PSCI, (\d+) RIPAS changes\), (\d+) shared pages mapped, (\d+) SEAs injected")
NVM_EXITS = re.compile(r"\[nvm\] (\d+) exits \((\d+) MMIO, (\d+) IRQ/FIQ, (\d+) GIC maintenance, (\d+) WFI, (\d+) SGI, "
                       r"(\d+) PSCI, (\d+) other SMC, (\d+) other system register\), (\d+) SEAs injected")


def spans(text, who):
    found = {}
    for name in SPANS:
        m = re.search(r"\[bench\] " + re.escape(who) + ": " + re.escape(name) + r": (\d+) instructions, (\d+) idle",
                      text)
        found[name] = (int(m.group(1)), int(m.group(2))) if m else None
    return found


def exits(text, realm):
    m = (REALM_EXITS if realm else NVM_EXITS).search(text)
    if not m:
        return None
    v = [int(x) for x in m.groups()]
    if realm:
        return {"total": v[0], "MMIO": v[1], "IRQ/FIQ": v[2], "WFI": v[3], "SGI": v[4], "PSCI": v[5],
                "RIPAS change": v[6], "shared page mapped": v[7], "SEA injected": v[8]}
    return {"total": v[0], "MMIO": v[1], "IRQ/FIQ": v[2], "GIC maintenance": v[3], "WFI": v[4], "SGI": v[5],
            "PSCI": v[6], "other SMC": v[7], "other system register": v[8], "SEA injected": v[9]}


def ratio(a, b):
    return f"{a / b:8.2f}" if a is not None and b else "       -"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platform", default=run_qemu.DEFAULT_PLATFORM, help="a folder of Platform/")
    parser.add_argument("--image", required=True, help="firmware image that runs realms (S-EL2, DRAM pool)")
    parser.add_argument("--host", required=True, help="the project's host (host.bin)")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--initrd", required=True)
    parser.add_argument("--append", default="console=ttyAMA0 tmm.bench=1")
    parser.add_argument("--mem", type=int, default=128)
    parser.add_argument("--out", default="out/bench-linux")
    # The normal VM takes about a minute under -icount on a loaded 2-core machine.
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--only", choices=["realm", "normal-vm"], help="run one of the two")
    parser.add_argument("--no-icount", action="store_true",
                        help="without -icount: exit counts only; the cycle counts are then QEMU's virtual clock in "
                             "nanoseconds, not instructions, and vary from run to run")
    opts = parser.parse_args()
    run_qemu.select_platform(opts.platform)

    results = {}
    for who, mode in (("realm", REALM_MODE), ("normal-vm", NORMAL_VM_MODE)):
        if opts.only and opts.only != who:
            continue
        out = os.path.join(opts.out, who)
        devices = run_qemu.linux_realm_devices(out, opts.kernel, opts.initrd, None, opts.append, opts.mem, 1)
        clock = [] if opts.no_icount else ["-icount", "shift=0"]
        print(f"== {who}: host mode {mode}, {'NO -icount' if opts.no_icount else '-icount shift=0'} ...", flush=True)
        run = run_qemu.run(opts.image, "max", opts.host, host_mode=mode, extra=devices + clock,
                           timeout=opts.timeout, out=out, echo=False)
        if not run.exited:
            print(f"   QEMU did not exit within {opts.timeout:.0f} s (log: {out})")
        for line in run.normal.splitlines():
            if line.startswith("[bench]") or line.startswith("[nvm] FAIL") or line.startswith("[vmm] FAIL") \
                    or "run stopped" in line:
                print("   " + line)
        results[who] = (spans(run.normal, who), exits(run.normal, who == "realm"), run.elapsed)
        print(f"   ({run.elapsed:.0f} s of wall time; console: {out}/normal-console.log)", flush=True)

    if len(results) < 2:
        return 0
    realm_spans, realm_exits, _ = results["realm"]
    nvm_spans, nvm_exits, _ = results["normal-vm"]
    print()
    if opts.no_icount:
        print("Cycle counter WITHOUT -icount: QEMU's virtual clock in ns, not instructions (no performance claim)")
    else:
        print("Instructions under -icount shift=0 (PMU cycle counter; idle WFI time left out)")
    print(f"{'':28}{'realm':>16}{'normal VM':>16}{'realm/VM':>10}")
    for name in SPANS:
        r = realm_spans[name][0] if realm_spans[name] else None
        n = nvm_spans[name][0] if nvm_spans[name] else None
        print(f"{name:28}{r if r is not None else '-':>16}{n if n is not None else '-':>16}{ratio(r, n):>10}")
    print()
    print("Exits over the whole run (boot, workload, power-off)")
    print(f"{'':28}{'realm':>16}{'normal VM':>16}{'realm/VM':>10}")
    kinds = ["total", "MMIO", "IRQ/FIQ", "GIC maintenance", "WFI", "SGI", "PSCI", "RIPAS change", "shared page mapped",
             "other SMC", "other system register", "SEA injected"]
    for kind in kinds:
        r = realm_exits.get(kind) if realm_exits else None
        n = nvm_exits.get(kind) if nvm_exits else None
        if r is None and n is None:
            continue
        print(f"{kind:28}{r if r is not None else '-':>16}{n if n is not None else '-':>16}{ratio(r, n):>10}")
    complete = all(realm_spans.values()) and all(nvm_spans.values()) and realm_exits and nvm_exits
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
