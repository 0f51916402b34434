"""Host-side checks of what the firmware's attestation prints on the secure console at boot.

The EL3 monitor prints its image measurements, its platform attestation public key and the
first platform token it signs (hex, between BEGIN and END markers); the TMM prints the binding
hash of this boot's RAK (the token's challenge). From those lines and the image files alone:

  * each printed measurement equals the SHA-256 of the image ranges it covers, recomputed here
    from the flash image and the ELF's symbols;
  * the platform token verifies with the project's verifier (`tmm-verify verify-platform`,
    CCAVerify) under the printed key, with the TMM's binding hash as its challenge, and claims
    exactly those measurements and the expected configuration;
  * tmm-verify reports the isolation model of the image the token comes from (told by the ELF
    alone: only the S-EL2 image has a separate TMM load image), accepts it with
    --require-realm-isolation if that is the S-EL2 image and refuses it if the EL3 image
    (Docs/el3-threat-model.md);
  * the stack peaks the firmware reports leave a quarter of each stack free.

Nothing here needs the normal world: the token never leaves the secure console.

By hand, after `make run` (which keeps the consoles under out/run):
    python3 Tests/System/attestation_checks.py out/run/secure-console.log out/tmm-sel2-sram/tmm-sel2.elf 01010004
(the last argument is the expected configuration claim; see README: Attestation).
"""
import functools
import hashlib
import json
import os
import re
import struct
import subprocess

# tmm-verify's names of the two isolation models (PlatformIsolation.swift).
SEL2_MODEL, EL3_MODEL = "s-el2-stage2", "el3-no-secure-stage2"
# The software components of each image's platform token (IsolationModel.swift).
SEL2_COMPONENTS, EL3_COMPONENT = ("EL3-monitor", "TMM"), "EL3-monitor+TMM-no-SEL2"

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
STACK_HEADROOM = 0.75   # a reported stack peak above this fraction of the stack fails


def elf_symbols(path):
    """Name -> value of every symbol in an ELF64 little-endian file's .symtab."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    symbols = {}
    for _, sh_type, _, _, offset, size, link, _, _, entsize in sections:
        if sh_type != 2:            # SHT_SYMTAB
            continue
        strtab = sections[link]
        for at in range(offset, offset + size, entsize):
            name, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", data, at)
            start = strtab[4] + name
            symbols[data[start:data.index(b"\0", start)].decode()] = value
    return symbols


def expected_measurements(elf, image):
    """(name, SHA-256 hex) of each component, as BootMeasurements computes them."""
    s = elf_symbols(elf)
    with open(image, "rb") as f:
        flash = f.read()            # the flat image starts at flash address 0
    data_load, data_size = s["__data_load_start"], s["__data_end"] - s["__data_start"]
    monitor = hashlib.sha256(flash[s["__monitor_text_start"]:s["__monitor_rodata_end"]]
                             + flash[data_load:data_load + data_size]).hexdigest()
    if "__tmm_load_start" not in s:
        return [(EL3_COMPONENT, monitor)]
    tmm_load, tmm_size = s["__tmm_load_start"], s["__tmm_image_end"] - s["__tmm_image_start"]
    return [(SEL2_COMPONENTS[0], monitor),
            (SEL2_COMPONENTS[1], hashlib.sha256(flash[tmm_load:tmm_load + tmm_size]).hexdigest())]


def image_isolation(elf):
    """The isolation model of an image, from its ELF alone: the S-EL2 image loads a TMM of its own."""
    return SEL2_MODEL if "__tmm_load_start" in elf_symbols(elf) else EL3_MODEL


def check_isolation(command, expected):
    """Runs a tmm-verify command (a list; it must accept the token) and checks the isolation
    model it reports, then the same with --require-realm-isolation, which must accept exactly the
    S-EL2 image. Returns (why it is wrong or None, the claims JSON of the first run)."""
    try:
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            return f"tmm-verify rejects the token: {run.stderr.strip()}", None
        claims = json.loads(run.stdout)
        model = claims.get("tmm-isolation-model", {}).get("model")
        if model != expected:
            return f"tmm-verify reports isolation model {model}, the image is {expected}", claims
        warned = "tmm-verify: warning: TMM in EL3 without Secure EL2" in run.stderr
        if warned != (expected == EL3_MODEL):
            return f"tmm-verify {'warns' if warned else 'does not warn'} about the EL3 image for a {expected} token", claims
        strict = subprocess.run(command + ["--require-realm-isolation"], capture_output=True, text=True)
    except (OSError, RuntimeError) as error:
        return f"cannot run tmm-verify: {error}", None
    if expected == SEL2_MODEL and strict.returncode != 0:
        return f"tmm-verify --require-realm-isolation refuses the S-EL2 image: {strict.stderr.strip()}", claims
    if expected == EL3_MODEL and (strict.returncode == 0 or "realm isolation is required" not in strict.stderr):
        return ("tmm-verify --require-realm-isolation does not refuse the EL3 image for its isolation: "
                + (strict.stderr.strip() or "accepted")), claims
    return None, claims


def hex_block(secure, header):
    """The hex digits of the `[EL3] | ` lines that follow the first line matching `header`."""
    lines = secure.splitlines()
    for i, line in enumerate(lines):
        if re.search(header, line):
            digits = []
            for following in lines[i + 1:]:
                if not following.startswith("[EL3] | "):
                    break
                digits.append(following[len("[EL3] | "):].strip())
            return "".join(digits)
    return None


def binding_hash(secure):
    m = re.search(r"\[TMM\] RAK from EL3 \(P-384\); binding hash sha-256\(COSE_Key\) ([0-9a-f]{64})", secure)
    return m.group(1) if m else None


def platform_key(secure):
    return hex_block(secure, r"\[EL3\] platform attestation public key")


@functools.lru_cache(maxsize=None)
def swift_tool(product):
    """Path of a host tool of this package, built with SwiftPM on first use (once per run:
    even an up-to-date `swift build` takes seconds). Raises RuntimeError when the build fails."""
    built = subprocess.run(["swift", "build", "--product", product], cwd=REPO, capture_output=True, text=True)
    if built.returncode != 0:
        raise RuntimeError(f"swift build --product {product} failed:\n" + built.stdout[-2000:] + built.stderr[-2000:])
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, product)


def check_boot(secure, elf, image, configuration, workdir):
    """Returns why the attestation output of one boot is wrong, or None."""
    expected = expected_measurements(elf, image)
    for name, digest in expected:
        line = f"[EL3] measurement {name} sha-256 {digest}"
        if line not in secure:
            printed = re.search(rf"\[EL3\] measurement {re.escape(name)} sha-256 (\S+)", secure)
            return f"measurement of {name}: console says {printed.group(1) if printed else 'nothing'}, image gives {digest}"

    key, challenge = platform_key(secure), binding_hash(secure)
    token = hex_block(secure, r"\[EL3\] platform token \(COSE_Sign1, \d+ bytes\) BEGIN")
    if not key or not challenge or not token:
        return "the secure console lacks the platform key, the binding hash or the platform token"
    size = re.search(r"\[EL3\] platform token \(COSE_Sign1, (\d+) bytes\)", secure).group(1)
    if len(token) != 2 * int(size) or f"[TMM] platform token from EL3: {size} bytes" not in secure:
        return f"the printed token is {len(token) // 2} bytes; EL3 and the TMM report {size}"

    os.makedirs(workdir, exist_ok=True)
    token_file = os.path.join(workdir, "platform-token.hex")
    with open(token_file, "w") as f:
        f.write(token)
    try:
        command = [swift_tool("tmm-verify"), "verify-platform", token_file, "--platform-key", key, "--challenge", challenge]
    except RuntimeError as error:
        return f"cannot build tmm-verify: {error}"
    problem, output = check_isolation(command, image_isolation(elf))
    if problem:
        return "platform token: " + problem
    claims = output["cca-platform-token"]
    components = [(c.get("measurement-type"), c["measurement-value"]) for c in claims["sw-components"]]
    if components != expected:
        return f"the token claims components {components}, the images give {expected}"
    if claims["config"] != configuration:
        return f"the token's configuration is {claims['config']}, expected {configuration}"
    if claims["instance-id"] != "01" + hashlib.sha256(bytes.fromhex(key)).hexdigest():
        return "the instance id is not the hash of the platform key"

    for used, size in re.findall(r"stack peak (\d+) of (\d+) bytes", secure):
        if int(used) > STACK_HEADROOM * int(size):
            return f"a stack peak of {used} of {size} bytes leaves less than a quarter free"
    return None


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 4:
        sys.exit("usage: attestation_checks.py SECURE_CONSOLE_LOG IMAGE.elf CONFIGURATION_HEX")
    log, elf, configuration = sys.argv[1:]
    with open(log, encoding="utf-8", errors="replace") as f:
        console = f.read().replace("\r", "")
    problem = check_boot(console, elf, elf[:-len(".elf")] + ".bin", configuration,
                         os.path.join(os.path.dirname(log), "attestation"))
    print(problem or "ok: measurements match the image, the platform token verifies and binds this boot's RAK")
    sys.exit(1 if problem else 0)
