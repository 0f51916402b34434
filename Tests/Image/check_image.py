#!/usr/bin/env python3
"""Checks a linked firmware image (ELF) for what the build promises:

  * no undefined symbol (everything the firmware calls is in the image);
  * no heap: no allocator symbol is defined or referenced;
  * no FP/SIMD/SVE register in any instruction (firmware must not touch the lower worlds'
    FP/SIMD state, and is compiled with -mgeneral-regs-only), except inside the functions named
    with --allow-fp-in (the TMM's save/restore of that state);
  * with --baseline-cpu CPU[:SECTION,...]: every instruction of those sections (all executable
    sections if none are named) decodes for CPU, e.g. an Armv8.0 cortex-a57: no LSE atomics and
    no other later instruction.

Orphan sections are refused by the link itself (--orphan-handling=error).
Prints one line per check and exits non-zero if any fails.
"""
import argparse
import re
import subprocess
import sys

HEAP_SYMBOLS = re.compile(r"^(malloc|calloc|realloc|free|posix_memalign|aligned_alloc|"
                          r"swift_allocObject|swift_slowAlloc|swift_slowDealloc|swift_deallocObject)$")
# Register operands of FP/SIMD/SVE/SME instructions: q0-q31, v0-v31, d/s/h/b0-31, z0-31, p0-15,
# za, and the FP control/status registers.
FP_OPERAND = re.compile(r"\b(?:[qvdshbz](?:[12]?[0-9]|3[01])|p(?:1[0-5]|[0-9])|za|fpcr|fpsr)\b", re.I)


def run(tool, *args):
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def instructions(objdump, elf, extra=(), sections=()):
    """Yields (section, address, mnemonic, operands) for every instruction."""
    args = ["-d", "--no-show-raw-insn", *extra]
    for s in sections:
        args.append(f"--section={s}")
    section = None
    for line in run(objdump, *args, elf).splitlines():
        m = re.match(r"^Disassembly of section (\S+):", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", line)
        if not m:
            continue
        if m.group(2).strip().startswith("<unknown>"):
            yield section, m.group(1), "<unknown>", ""
            continue
        text = re.sub(r"<[^>]*>", "", m.group(2))      # symbol annotations
        # Data in a code section (literal pools) is shown with its raw bytes even under
        # --no-show-raw-insn, e.g. "00 b9 00 0e  .word 0x0e00b900": drop the bytes, or a
        # byte such as "b9" would read as an FP register.
        text = re.sub(r"^(?:[0-9a-f]{2} )+\s*(?=\.)", "", text)
        text = text.split("//")[0].split(";")[0].strip()
        if not text:
            continue
        parts = text.split(None, 1)
        yield section, m.group(1), parts[0], parts[1] if len(parts) > 1 else ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("elf")
    parser.add_argument("--objdump", required=True)
    parser.add_argument("--nm", required=True)
    parser.add_argument("--allow-fp-in", action="append", default=[],
                        help="function symbol whose instructions may use FP/SIMD registers")
    parser.add_argument("--baseline-cpu", action="append", default=[],
                        help="CPU[:section,section] whose instruction set must cover those sections")
    opts = parser.parse_args()
    failures = 0

    def report(ok, what, detail=""):
        nonlocal failures
        print(f"  {'ok  ' if ok else 'FAIL'} {opts.elf}: {what}{(': ' + detail) if detail else ''}")
        failures += 0 if ok else 1

    undefined = [l.split()[-1] for l in run(opts.nm, "-u", opts.elf).splitlines() if l.strip()]
    report(not undefined, "no undefined symbols", ", ".join(undefined[:10]))

    heap = [l.split()[-1] for l in run(opts.nm, opts.elf).splitlines()
            if l.split() and HEAP_SYMBOLS.match(l.split()[-1])]
    report(not heap, "no heap allocator symbols", ", ".join(heap))

    # Address ranges of the functions allowed to touch FP/SIMD registers (`nm -S`: size known).
    # A name may have several local copies (the S-EL2 image's monitor and TMM are linked apart,
    # each with its own SHA-256 block function): every copy is allowed, each only over its size.
    allowed = []
    sized = {}
    for line in run(opts.nm, "-S", opts.elf).splitlines():
        parts = line.split()
        if len(parts) == 4:
            sized.setdefault(parts[3], []).append((int(parts[0], 16), int(parts[1], 16)))
    for name in opts.allow_fp_in:
        copies = sized.get(name, [])
        if not copies or any(size == 0 for _, size in copies):
            report(False, f"function {name} allowed to use FP/SIMD exists with a size")
            continue
        allowed.extend((start, start + size) for start, size in copies)

    fp = []
    count = 0
    allowed_count = 0
    for section, address, mnemonic, operands in instructions(opts.objdump, opts.elf):
        if mnemonic.startswith("."):
            continue                       # data in a code section (literal pools)
        count += 1
        if FP_OPERAND.search(operands) or re.match(r"^f[a-z]", mnemonic):
            if any(lo <= int(address, 16) < hi for lo, hi in allowed):
                allowed_count += 1
                continue
            fp.append(f"{section}+{address}: {mnemonic} {operands}")
    where = f" outside {', '.join(opts.allow_fp_in)} ({allowed_count} inside)" if opts.allow_fp_in else ""
    report(count > 0 and not fp, f"no FP/SIMD registers in {count} instructions{where}", "; ".join(fp[:5]))

    for spec in opts.baseline_cpu:
        cpu, _, names = spec.partition(":")
        sections = [s for s in names.split(",") if s]
        unknown = [f"{s}+{a}" for s, a, mnemonic, _ in
                   instructions(opts.objdump, opts.elf, [f"--mcpu={cpu}"], sections)
                   if mnemonic == "<unknown>"]
        where = ", ".join(sections) if sections else "all code"
        report(not unknown, f"every instruction of {where} exists on {cpu}", ", ".join(unknown[:10]))

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
