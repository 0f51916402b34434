#!/bin/sh
# Instructions per 64-byte block of the firmware's portable SHA-256 on this host (x86-64),
# counted by callgrind: Firmware/Core is compiled as one module with -O (swiftc -wmo), as
# `swift build -c release` and the firmware compile it, then run for 1000 and 2000 blocks.
# Usage: Tools/sha-count/count.sh [OUTDIR]   (make sha-count)
set -eu
out=${1:-out/sha-count}
mkdir -p "$out"
swiftc -O -wmo -module-name TMMCore $(find Firmware/Core -name '*.swift' | LC_ALL=C sort) \
    Tools/sha-count/main.swift -o "$out/sha-count"
strip -o "$out/sha-count.stripped" "$out/sha-count"   # valgrind cannot read Swift's DWARF
refs() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/sha-count.stripped" "$1" 2>&1 |
        sed -n 's/.*I *refs: *//p' | tr -d ,
}
low=$(refs 1000)
high=$(refs 2000)
echo "SHA-256 (portable, $(uname -m)): $(( (high - low) / 1000 )) instructions per 64-byte block (callgrind: $low for 1000 blocks, $high for 2000)"
