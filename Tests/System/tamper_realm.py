#!/usr/bin/env python3
"""Copies the test realm's image with one byte changed, in a string the realm prints (so it
still runs exactly as before): `tamper_realm.py IN OUT`. The changed realm's RIM must differ."""
import sys

MARKER = b"test realm at EL1"

def main():
    source, target = sys.argv[1], sys.argv[2]
    image = bytearray(open(source, "rb").read())
    at = image.find(MARKER)
    if at < 0:
        sys.exit(f"tamper_realm: {MARKER!r} not found in {source}")
    image[at] ^= ord("t") ^ ord("T")       # "test realm" -> "Test realm"
    open(target, "wb").write(image)

if __name__ == "__main__":
    main()
