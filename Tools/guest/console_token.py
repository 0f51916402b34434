#!/usr/bin/env python3
"""Takes the attestation token a realm guest's /init printed (Docs/guest.md) out of a console log.

  console_token.py CONSOLE_LOG --output token.cbor

Lines between `TMM-GUEST: TOKEN BEGIN` and `TMM-GUEST: TOKEN END` that are only hex digits
(kernel messages may interleave; a console prefix such as `normal| ` is allowed) make the token.
"""
import argparse
import re
import sys

BEGIN, END = "TMM-GUEST: TOKEN BEGIN", "TMM-GUEST: TOKEN END"
# A line of the token: hex digits only, after an optional console prefix (`normal| `).
HEX_LINE = re.compile(r"(?:\S+\| )?([0-9a-f]+)\s*")


def token_from_console(text):
    """The token's bytes, or None when the log holds no complete token."""
    inside, digits = False, []
    for line in text.replace("\r", "").splitlines():
        if line.rstrip().endswith(BEGIN):
            inside, digits = True, []
        elif line.rstrip().endswith(END) and inside:
            hex_text = "".join(digits)
            return bytes.fromhex(hex_text) if hex_text and len(hex_text) % 2 == 0 else None
        elif inside:
            m = HEX_LINE.fullmatch(line)
            if m:
                digits.append(m.group(1))
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log")
    parser.add_argument("--output", required=True)
    opts = parser.parse_args()
    with open(opts.log, encoding="utf-8", errors="replace") as f:
        token = token_from_console(f.read())
    if token is None:
        print(f"{opts.log}: no complete token between '{BEGIN}' and '{END}'", file=sys.stderr)
        return 1
    with open(opts.output, "wb") as f:
        f.write(token)
    print(f"{opts.output}: {len(token)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
