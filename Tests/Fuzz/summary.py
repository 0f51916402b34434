#!/usr/bin/env python3
"""Prints the numbers of a libFuzzer run's log (make fuzz): executions, coverage, the
drivers' per-function reach counts, and any finding with its reproducer."""
import re
import sys

lines = open(sys.argv[1], errors="replace").read().splitlines()
cov = [l for l in lines if re.match(r"#\d+\s+(DONE|pulse|NEW|REDUCE|INITED)", l)]
if cov:
    print(cov[-1])
keep = ("stat::", "== fuzz target", "RMI 0x", "RSI 0x", "PSCI/SMCCC", "realm runs", "unreached:", "CBOR ",
        "FINDING", "ERROR: AddressSanitizer", "ERROR: libFuzzer", "Test unit written", "SUMMARY:", "Fatal error")
for l in lines:
    if l.startswith(keep) or any(k in l for k in ("FINDING", "Fatal error", "Test unit written")):
        print(l)
