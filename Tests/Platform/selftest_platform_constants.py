#!/usr/bin/env python3
"""Shows that check_platform_constants.py fails when it should: in a scratch tree with one
platform, a platform address written as a literal in Firmware/ (in either spelling, with or
without digit separators), in a linker script or in Tools/ is found; the same address named by
its macro, a small number that is not an address, and the platform folder itself are not."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_platform_constants.py")
HEADER = "#define PLAT_UART_BASE 0x09040000\n#define PLAT_STACK_SIZE 0x8000\n#define PLAT_DRAM_BASE 0x10000000000\n"


def tree(files):
    root = tempfile.mkdtemp(prefix="platform-check-")
    files = {"Platform/demo/include/platform_def.h": HEADER, "Makefile": "all:\n", **files}
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    return root


def status(files):
    return subprocess.run([sys.executable, CHECK, "--root", tree(files)], capture_output=True, text=True).returncode


CASES = [
    ("a literal address in Firmware/", {"Firmware/A.swift": "let uart: UInt64 = 0x0904_0000\n"}, 1),
    ("the same without separators, upper case", {"Firmware/A.swift": "let uart = 0X09040000\n"}, 1),
    ("a 64-bit address in a linker script", {"LinkerScripts/a.ld.S": ". = 0x100_0000_0000;\n"}, 1),
    ("an address in Tools/", {"Tools/run.py": "ADDR = 0x10000000000\n"}, 1),
    ("the macro instead", {"Firmware/A.swift": "let uart = UInt64(PLAT_UART_BASE)\n"}, 0),
    ("a size that equals no address", {"Firmware/A.swift": "let stack = 0x8000\n"}, 0),
    ("the platform folder itself", {"Platform/demo/Console.swift": "let uart = 0x0904_0000\n"}, 0),
]


def main():
    failed = 0
    for name, files, expected in CASES:
        got = status(files)
        if got != expected:
            failed += 1
            print(f"platform-check self-test FAIL: {name}: exit {got}, expected {expected}")
    print(f"platform-check self-test: {len(CASES) - failed} of {len(CASES)} cases as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
