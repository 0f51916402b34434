#!/usr/bin/env python3
"""Chooses the committed seed corpus of a fuzz target from a campaign's corpus: the largest
inputs (most calls each) plus, for every RMI command and RSI function the candidates reach,
the smallest input that reaches it, so that the seeds reach everything the campaign did
(FuzzCorpusReplayTests checks that the seeds reach every function).

    Tests/Fuzz/select_seeds.py realm out/fuzz/corpus/realm [--largest 25]
"""
import argparse
import os
import re
import shutil
import subprocess

parser = argparse.ArgumentParser()
parser.add_argument("target")
parser.add_argument("candidates", nargs="+")
parser.add_argument("--largest", type=int, default=25)
parser.add_argument("--binary", default="out/fuzz/tmm-fuzz")
parser.add_argument("--out", default=None)
args = parser.parse_args()
out = args.out or os.path.join("Tests/Fuzz/corpus", args.target)

files = sorted({os.path.join(d, f) for d in args.candidates for f in os.listdir(d)})
env = dict(os.environ, TMM_FUZZ_TARGET=args.target, SWIFT_BACKTRACE="enable=no",
           ASAN_OPTIONS="detect_leaks=0:malloc_context_size=2")
reach = {}
for f in files:
    log = subprocess.run([args.binary, "-runs=0", f], env=env, capture_output=True, text=True).stdout
    got = set(re.findall(r"^RSI (0x\w+): [1-9]\d* answered", log, re.M))
    got |= set(re.findall(r"^RMI (0x\w+) \w+: \d+ calls, [1-9]\d* succeeded", log, re.M))
    got |= {"call " + m for m in re.findall(r"^RMI (0x\w+) \w+: [1-9]\d* calls", log, re.M)}
    reach[f] = got
size = {f: os.path.getsize(f) for f in files}
chosen = set(sorted(files, key=lambda f: -size[f])[: args.largest])
covered = set().union(*(reach[f] for f in chosen)) if chosen else set()
for what in sorted(set().union(*reach.values()) - covered):
    best = min((f for f in files if what in reach[f]), key=lambda f: size[f])
    chosen.add(best)
    covered |= reach[best]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
for f in chosen:
    shutil.copy(f, out)
print("%s: %d seeds, %d bytes, reach %d of %d" % (out, len(chosen), sum(size[f] for f in chosen), len(covered),
                                                len(set().union(*reach.values()))))
