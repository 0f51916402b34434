#!/usr/bin/env python3
"""Lists the functions of Firmware/Core that the fuzz corpus never enters (make fuzz-coverage).

Reads `llvm-cov export -format=text` of the coverage build after it replayed the corpora, and
Docs/fuzzing.md's section "Functions no target reaches", whose lines `- `pattern`: reason`
explain functions (a pattern is a substring of the demangled name). Prints the function and
line coverage of the core, every unreached function with its note, and fails when one has no
note, so that a new unreachable function is either reached by a target or explained.
"""
import argparse
import json
import re
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("export")
parser.add_argument("--demangle", default="swift-demangle")
parser.add_argument("--notes", default="Docs/fuzzing.md")
args = parser.parse_args()

data = json.load(open(args.export))["data"][0]
core = [f for f in data["functions"] if any("Firmware/Core/" in n for n in f["filenames"])]
names = subprocess.run([args.demangle, "--simplified"], input="\n".join(f["name"] for f in core),
                       capture_output=True, text=True, check=True).stdout.splitlines()

notes = []
section = False
for line in open(args.notes):
    if line.startswith("## "):
        section = line.strip() == "## Functions no target reaches"
    m = re.match(r"- `([^`]+)`: (.*)", line) if section else None
    if m:
        notes.append((m.group(1), m.group(2)))

lines_total = lines_hit = 0
for f in data["files"]:
    if "Firmware/Core/" in f["filename"]:
        lines_total += f["summary"]["lines"]["count"]
        lines_hit += f["summary"]["lines"]["covered"]

# One entry per source function: generic specialisations and thunks share a location.
unreached = {}
entered = set()
for f, name in zip(core, names):
    where = "%s:%d" % (f["filenames"][0].split("Firmware/Core/")[-1], f["regions"][0][0] if f["regions"] else 0)
    if f["count"] > 0:
        entered.add(where)
    else:
        unreached.setdefault(where, name)
missing = {w: n for w, n in unreached.items() if w not in entered}

print("Firmware/Core: %d of %d functions entered, %d of %d lines (%.1f%%)" % (
    len(entered), len(entered | set(missing)), lines_hit, lines_total, 100.0 * lines_hit / max(lines_total, 1)))
unexplained = 0
for where in sorted(missing):
    name = missing[where]
    note = next((reason for pattern, reason in notes if pattern in name or pattern in where), None)
    if note is None:
        unexplained += 1
    print("%-45s %s\n    %s" % (where, name[:110], note or "NO NOTE: reach it with a target or explain it in " + args.notes))
print("%d functions unreached, %d without a note" % (len(missing), unexplained))
sys.exit(1 if unexplained else 0)
