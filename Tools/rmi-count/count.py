#!/usr/bin/env python3
"""Instructions per RMI command of the TMM's core on this host, counted by callgrind, beside
TF-RMM's figures from issue 13 (make bench-rmi).

Firmware/Core is compiled with the benchmark (BenchHardware.swift, RMISequence.swift) as one
optimised module (swiftc -O -wmo), as `swift build -c release` and the firmware compile it. The
program runs under `valgrind --tool=callgrind --collect-atstart=no`; each command is counted
from the call into the core to its return (client requests in include/rmi_count.h), with the
counter's own cost (the "(empty)" measurement) subtracted, and REC_ENTER's realm run (the
platform's world switch) left out. Counts repeat exactly from run to run.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

# TF-RMM v0.6.0 built as its fake_host with GCC -O3 and counted with callgrind, with its
# string-keyed system-register emulation subtracted: the figures of issue 13 (per call).
TF_RMM = {
    "VERSION": 104,
    "GRANULE_DELEGATE": 1457,
    "REALM_CREATE": 275671,
    "RTT_CREATE": 1090,
    "RTT_INIT_RIPAS": 101196,
    "DATA_CREATE": 275221,
    "DATA_CREATE_UNKNOWN": 678,
    "REC_CREATE": 277101,
    "REC_ENTER": 2974,
    "DATA_DESTROY": 3190,
    "RTT_DESTROY": 7982,
    "REALM_DESTROY": 4113,
    "GRANULE_UNDELEGATE": 181,
}
TF_RMM_SOURCE = ("TF-RMM: issue 13's figures, TF-RMM v0.6.0 fake_host (GCC -O3) under callgrind "
                 "with its system-register emulation subtracted; per call")

# Commands that belong together: this TMM scrubs a granule when it is undelegated (and again
# when it is delegated: Firmware/Core/Granule/LockedGranule.swift), so every pool granule the
# normal world gets back is zero; the pair is what a host pays per granule.
PAIRS = [("GRANULE_DELEGATE", "GRANULE_UNDELEGATE")]

ORDER = ["VERSION", "GRANULE_DELEGATE", "REALM_CREATE", "RTT_CREATE", "RTT_INIT_RIPAS", "DATA_CREATE",
         "DATA_CREATE_UNKNOWN", "REC_CREATE", "REALM_ACTIVATE", "REC_ENTER", "DATA_DESTROY", "RTT_DESTROY",
         "REC_DESTROY", "REALM_DESTROY", "GRANULE_UNDELEGATE"]

LABELS = {
    "DATA_CREATE": "DATA_CREATE (4 KiB, measured)",
    "REC_ENTER": "REC_ENTER (core part, IRQ exit)",
}


def build(out):
    os.makedirs(out, exist_ok=True)
    core = sorted(glob.glob("Firmware/Core/**/*.swift", recursive=True))
    tool = sorted(glob.glob("Tools/rmi-count/*.swift"))
    binary = os.path.join(out, "rmi-count")
    # -O -wmo as `swift build -c release` builds the core; no stack protector, as the firmware
    # builds it (Makefile SWIFT_EMBEDDED: -disable-stack-protector).
    subprocess.run(["swiftc", "-O", "-wmo", "-parse-as-library", "-swift-version", "6", "-module-name", "TMMCore",
                    "-Xfrontend", "-disable-stack-protector",
                    "-I", "Tools/rmi-count/include"] + core + tool + ["-o", binary], check=True)
    # Keep the symbols, drop Swift's DWARF (valgrind 3.19 cannot read it).
    subprocess.run(["strip", "--strip-debug", "-o", binary + ".nodebug", binary], check=True)
    return binary + ".nodebug"


def run(binary, out):
    dumps = os.path.join(out, "dumps")
    os.makedirs(dumps, exist_ok=True)
    for f in glob.glob(os.path.join(dumps, "callgrind.out*")):
        os.remove(f)
    # Callgrind counts every iteration of a `rep stosb` / `rep movsb` as one instruction, and
    # this glibc uses them for 4 KiB memset/memcpy: thresholds above a granule make it use its
    # vector loops instead, as in the environment issue 13's figures (TF-RMM's DELEGATE
    # includes a 4 KiB memset) were counted in.
    env = dict(os.environ, GLIBC_TUNABLES="glibc.cpu.x86_rep_stosb_threshold=1048576:"
                                          "glibc.cpu.x86_rep_movsb_threshold=1048576")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--compress-strings=no", "--compress-pos=no",
                        "--callgrind-out-file=" + os.path.join(dumps, "callgrind.out"), binary],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0 or "sequence complete" not in r.stdout:
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
        sys.exit("rmi-count: the benchmark did not complete")
    counts = []
    for f in glob.glob(os.path.join(dumps, "callgrind.out.*")):
        n = int(f.rsplit(".", 1)[1])
        text = open(f).read()
        label = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if label and total:
            counts.append((n, label.group(1), int(total.group(1))))
    counts.sort()
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out/rmi-count")
    ap.add_argument("--binary", help="use this build instead of compiling")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    args = ap.parse_args()
    binary = args.binary or build(args.out)
    counts = run(binary, args.out)

    empty = [c for _, l, c in counts if l == "(empty)"]
    # The first request may cost an instruction more (a cold branch); the steady cost is the least.
    if not empty or max(empty) - min(empty) > 2:
        sys.exit("rmi-count: the counter's own cost is not constant: %s" % empty)
    overhead = min(empty)
    per = {}
    for _, label, c in counts:
        if label != "(empty)":
            per.setdefault(label, []).append(c - overhead)

    rows = []
    total_ours = total_ref = 0
    total_all = 0
    for cmd in ORDER:
        if cmd not in per:
            continue
        calls = per[cmd]
        mean = sum(calls) / len(calls)
        spread = "" if min(calls) == max(calls) else "%s-%s" % (f"{min(calls):,}", f"{max(calls):,}")
        ref = TF_RMM.get(cmd)
        ratio = "%.2f" % (mean / ref) if ref else "-"
        total_all += sum(calls)
        if ref:
            total_ours += sum(calls)
            total_ref += ref * len(calls)
        rows.append((LABELS.get(cmd, cmd), len(calls), f"{ref:,}" if ref else "-", f"{round(mean):,}", spread, ratio))

    notes = []
    for a, b in PAIRS:
        if a in per and b in per and a in TF_RMM and b in TF_RMM:
            ours = sum(per[a]) / len(per[a]) + sum(per[b]) / len(per[b])
            ref = TF_RMM[a] + TF_RMM[b]
            rows.append(("%s + %s (pair)" % (a.replace("GRANULE_", ""), b.replace("GRANULE_", "")), "", f"{ref:,}",
                         f"{round(ours):,}", "", "%.2f" % (ours / ref)))

    head = ("command", "calls", "TF-RMM", "this project (mean)", "range", "ratio")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|---|--:|--:|--:|--:|--:|")
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
        print("| **whole sequence** (commands with a TF-RMM figure) | | %s | %s | | **%.2f** |"
              % (f"{total_ref:,}", f"{total_ours:,}", total_ours / total_ref))
    else:
        widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
        def line(r):
            return "  ".join(str(x).ljust(widths[i]) if i == 0 else str(x).rjust(widths[i]) for i, x in enumerate(r))
        print(line(head))
        for r in rows:
            print(line(r))
        print("whole sequence, commands with a TF-RMM figure: TF-RMM %s, this project %s, ratio %.2f"
              % (f"{total_ref:,}", f"{total_ours:,}", total_ours / total_ref))
        print("whole sequence, every command: %s instructions" % f"{total_all:,}")
    print("(x86-64 instructions per call, callgrind; counter overhead of %d subtracted. %s.)"
          % (overhead, TF_RMM_SOURCE))


if __name__ == "__main__":
    main()
