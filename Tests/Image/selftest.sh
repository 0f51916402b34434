#!/bin/sh
# The image checker must reject an image that breaks each rule: it is only worth running on
# the real images if it can fail. Usage: selftest.sh CLANG LLD OBJDUMP NM OUTDIR
set -eu
clang=$1 lld=$2 objdump=$3 nm=$4 out=$5
dir=$(dirname "$0")
mkdir -p "$out"
"$clang" --target=aarch64-none-elf -march=armv8.1-a -c "$dir/bad_image.S" -o "$out/bad_image.o"
"$clang" --target=aarch64-none-elf -march=armv8.1-a -c "$dir/bad_image_copy.S" -o "$out/bad_image_copy.o"
"$lld" -nostdlib -static --unresolved-symbols=ignore-all -e _start "$out/bad_image.o" "$out/bad_image_copy.o" \
    -o "$out/bad_image.elf"
if python3 "$dir/check_image.py" "$out/bad_image.elf" --objdump "$objdump" --nm "$nm" \
        --allow-fp-in fp_allowed --baseline-cpu cortex-a57 > "$out/bad_image.log" 2>&1; then
    echo "FAIL image checker self-test: a broken image passed"; cat "$out/bad_image.log"; exit 1
fi
for rule in "no undefined symbols" "no heap allocator symbols" "no FP/SIMD registers" "exists on cortex-a57"; do
    if ! grep "FAIL" "$out/bad_image.log" | grep -q "$rule"; then
        echo "FAIL image checker self-test: rule not enforced: $rule"; cat "$out/bad_image.log"; exit 1
    fi
done
# The allowance covers the allowed function only: the fmov in _start is still reported, the one
# in fp_allowed is not.
if ! grep "FAIL" "$out/bad_image.log" | grep "no FP/SIMD" | grep -q "fmov d0, x1"; then
    echo "FAIL image checker self-test: an FP/SIMD allowance hid an instruction outside its function"; cat "$out/bad_image.log"; exit 1
fi
if grep "FAIL" "$out/bad_image.log" | grep "no FP/SIMD" | grep -q "fmov d1, x2"; then
    echo "FAIL image checker self-test: an FP/SIMD allowance does not cover its function"; cat "$out/bad_image.log"; exit 1
fi
if grep "FAIL" "$out/bad_image.log" | grep "no FP/SIMD" | grep -q "fmov d2, x3"; then
    echo "FAIL image checker self-test: an FP/SIMD allowance does not cover a second copy of its function"; cat "$out/bad_image.log"; exit 1
fi
echo "  ok   image checker rejects a broken image on each of its rules"
