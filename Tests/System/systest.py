#!/usr/bin/env python3
"""System tests: boot the built images under QEMU and check what each console prints.

Every run is bounded in time; a failing test prints why and the tail of both consoles.
Usage: systest.py --out OUT [-k NAME_SUBSTRING]...
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tools"))
import run_qemu  # noqa: E402
import attestation_checks  # noqa: E402

# Checks the project's host reports on the normal console (Firmware/Host): the firmware's
# interfaces and every bad-input case of the boot-chain issue, each by name.
HOST_CHECKS = [
    "device tree: valid FDT header at x0",
    "device tree: PSCI method is smc",
    "device tree: TMM granule pool",
    "SMCCC_VERSION is 1.2",
    "PSCI_VERSION is 1.1",
    "unknown FID (SiP 0xC2000001) NOT_SUPPORTED",
    "SMC32 FID in the RMI numbers (0x84000150) NOT_SUPPORTED",
    "RMI_VERSION(1.0) status SUCCESS",
    "RMI_VERSION(1.0) lower revision 1.0",
    "RMI_VERSION(1.0) higher revision 1.0",
    "RMI_VERSION(2.0) unsupported: RMI_ERROR_INPUT",
    "RMI_VERSION(0.9) unsupported: RMI_ERROR_INPUT",
    "RMI_FEATURES(0) status SUCCESS",
    "RMI_FEATURES(0): S2SZ within 32..48",
    "RMI_FEATURES(0): SHA-256 and SHA-512 supported",
    "unassigned RMI FID 0xC4000156: RMI_ERROR_INPUT",
    "PSCI CPU_ON(CPU 1)",
    "CPU 1 runs the host's code",
    "PSCI CPU_ON(CPU 1) again: ALREADY_ON",
    "PSCI CPU_ON(MPIDR 0x7, no such CPU): INVALID_PARAMETERS",
    "PSCI CPU_ON(MPIDR 0x100, no such cluster): INVALID_PARAMETERS",
    "PSCI CPU_ON(CPU 2, entry in secure memory): INVALID_ADDRESS",
    "CPU 1 turns itself off (PSCI CPU_OFF, AFFINITY_INFO OFF)",
    "CPU 1 runs the host's code again",
    "ATTEST_GET_REALM_KEY (0xC40001B2) from the normal world: NOT_SUPPORTED",
    "ATTEST_GET_PLAT_TOKEN (0xC40001B3) from the normal world: NOT_SUPPORTED",
    "ATTEST_GET_REALM_KEY naming TMM memory, from the normal world: NOT_SUPPORTED",
    "attestation calls from the normal world write nothing to its buffer",
    "normal-world read of the secure flash (device secret) faults",
]
# The realm lifecycle over RMI (Firmware/Host/RMI/RealmLifecycleChecks.swift).
LIFECYCLE_CHECKS = [
    "lifecycle: GRANULE_DELEGATE of 12 pool granules",
    "lifecycle: GRANULE_DELEGATE of a delegated granule: RMI_ERROR_INPUT",
    "lifecycle: REALM_CREATE",
    "lifecycle: RTT_CREATE level 3 at IPA 0",
    "lifecycle: RTT_CREATE where a table exists: RMI_ERROR_RTT at the parent level 2",
    "lifecycle: RTT_INIT_RIPAS top",
    "lifecycle: DATA_CREATE at IPA 0 (measured)",
    "lifecycle: DATA_CREATE from a source in the secure pool: RMI_ERROR_INPUT",
    "lifecycle: DATA_CREATE_UNKNOWN at IPA 0x3000",
    "lifecycle: RTT_READ_ENTRY IPA 0: level 3, ASSIGNED, data PA, RIPAS RAM",
    "lifecycle: RTT_READ_ENTRY IPA 0 level 2: TABLE of the level-3 RTT",
    "lifecycle: RTT_READ_ENTRY beyond the IPA width: RMI_ERROR_INPUT",
    "lifecycle: RTT_MAP_UNPROTECTED",
    "lifecycle: RTT_READ_ENTRY unprotected: ASSIGNED with the host's descriptor",
    "lifecycle: RTT_UNMAP_UNPROTECTED",
    "lifecycle: REC_CREATE",
    "lifecycle: REALM_ACTIVATE",
    "lifecycle: REALM_DESTROY of a realm with live RTTs: RMI_ERROR_REALM",
    "lifecycle: REC_DESTROY",
    "lifecycle: DATA_DESTROY returns the data granule",
    "lifecycle: RTT_DESTROY level 3 returns the RTT",
    "lifecycle: REALM_DESTROY",
    "lifecycle: GRANULE_UNDELEGATE of every granule used",
    "lifecycle: every pool granule delegates and undelegates again",
]
# Realms at Secure EL1 (S-EL2 image only; Firmware/Host/RMI/RealmPreemptionChecks.swift).
REALM_EXECUTION_CHECKS = [
    "realm execution: a realm of three RECs is built",
    "realm execution: a store to an unprotected IPA exits with a data abort (SYNC, EC 0x24, HPFAR of the IPA)",
    "realm execution: a spinning realm is preempted by the host's timer (exit IRQ or FIQ)",
    "realm execution: a realm that writes ICC_PMR_EL1 = 0 is still preempted by the host's timer",
    "realm execution: the host's GIC priority mask is untouched",
    "realm execution: the realm is torn down and its granules undelegated",
]
REALMS_SKIPPED = re.escape("[host] realm execution skipped: this CPU has no Secure EL2; the EL3 image does not run realms yet")
SECURE_RAM_FAULT = "normal-world read of secure-only RAM faults"
POOL_FAULT = "normal-world read of the secure granule pool faults"
NO_FAILURES = [r"\[host\] checks: \d+ passed, 0 failed"]
FORBIDDEN = [r"\bFAIL\b", r"UNEXPECTED EXCEPTION"]


class Test:
    def __init__(self, name, image, cpu, normal=(), secure=(), normal_absent=False, host_mode=None,
                 extra=(), forbidden=FORBIDDEN, timeout=120, post=None):
        self.name, self.image, self.cpu = name, image, cpu
        self.normal, self.secure = list(normal), list(secure)
        self.normal_absent = normal_absent
        self.host_mode, self.extra = host_mode, list(extra)
        self.forbidden, self.timeout = forbidden, timeout
        # post(result, out_dir): a further check on the run, returning why it failed or None.
        self.post = post


def host_check_lines(*extra):
    names = HOST_CHECKS + LIFECYCLE_CHECKS + list(extra)
    return [re.escape(f"[host] PASS {name}") for name in names] + NO_FAILURES


def attestation_secure(variant):
    """What both images print about attestation at boot (README: Attestation)."""
    components = ["EL3-monitor", "TMM"] if variant == "sel2" else [r"EL3-monitor\+TMM"]
    return [r"\[EL3\] attestation: crypto self-test passed",
            r"\[EL3\] attestation: device secret, 32 bytes in secure flash"] + \
        [rf"\[EL3\] measurement {c} sha-256 [0-9a-f]{{64}}" for c in components] + \
        [r"\[EL3\] attestation ready: ", r"\[EL3\] platform token signed \(ES384\) in \d+ cycles",
         r"\[TMM\] RAK from EL3 \(P-384\); binding hash sha-256\(COSE_Key\) [0-9a-f]{64}",
         r"\[TMM\] platform token from EL3: \d+ bytes; CCA token storage per REC: \d+ bytes"]


def attestation_post(image, configuration):
    """Checks the boot's measurements, platform token and stack peaks on the host."""
    elf = image[:-len(".bin")] + ".elf"
    return lambda result, out: attestation_checks.check_boot(result.secure, elf, image, configuration, out)


def per_boot_rak(image, cpu, payload):
    """Boots `image` a second time: the platform key must be the same, the RAK new."""
    def check(result, out):
        again = run_qemu.run(image, cpu, payload, host_mode=1, timeout=120, out=f"{out}/second-boot", echo=False)
        keys = [attestation_checks.platform_key(r.secure) for r in (result, again)]
        raks = [attestation_checks.binding_hash(r.secure) for r in (result, again)]
        if None in keys + raks:
            return "a boot printed no platform key or no binding hash"
        if keys[0] != keys[1]:
            return "the platform key changed between two boots of one device"
        if raks[0] == raks[1]:
            return "two boots gave the same RAK: the per-boot input did not change"
        return None
    return check


def tests(out, payload):
    sel2, el3 = f"{out}/tmm-sel2-sram/tmm-sel2.bin", f"{out}/tmm-el3-sram/tmm-el3.bin"
    sel2_dram, el3_dram = f"{out}/tmm-sel2-dram/tmm-sel2.bin", f"{out}/tmm-el3-dram/tmm-el3.bin"
    boot_secure = [r"\[EL3\] TMM monitor v\d+\.\d+", r"SMCCC 1\.2, PSCI 1\.1"]
    return [
        Test("sel2-boot: S-EL2 image on -cpu max, RMI, PSCI and a realm lifecycle from the normal world", sel2, "max",
             normal=host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *REALM_EXECUTION_CHECKS),
             secure=boot_secure + [r"\(S-EL2 image\)", r"\[TMM\] TrustZone Management Monitor at Secure EL2, RMI ABI 1\.0",
                                   r"\[EL3\] TMM running at Secure EL2, RMI ABI 1\.0", r"\[TMM\] CPU 1 online",
                                   r"\[TMM\] secure pool 0xe300000-0xeffffff \(3328 granules\)",
                                   r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]
             + attestation_secure("sel2")
             + [r"\[EL3\] attestation: per-boot RAK input from RNDR QEMU-secure-seed CNTPCT"],
             post=attestation_post(sel2, "01010004")),
        Test("el3-boot: EL3 image on -cpu cortex-a72 (no FEAT_SEL2), same RMI answers and lifecycle", el3, "cortex-a72",
             normal=host_check_lines(SECURE_RAM_FAULT, POOL_FAULT) + [REALMS_SKIPPED],
             secure=boot_secure + [r"\(EL3 image\)", r"\[TMM\] TrustZone Management Monitor at EL3, RMI ABI 1\.0",
                                   r"\[EL3\] TMM running at EL3, RMI ABI 1\.0",
                                   r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]
             + attestation_secure("el3")
             + [r"\[EL3\] attestation: per-boot RAK input from QEMU-secure-seed CNTPCT"],
             post=attestation_post(el3, "01020004")),
        Test("attestation-per-boot: two boots of the EL3 image (no RNDR): same platform key, new RAK",
             el3, "cortex-a72", host_mode=1, secure=attestation_secure("el3"),
             post=per_boot_rak(el3, "cortex-a72", payload)),
        Test("sel2-needs-sel2: S-EL2 image on cortex-a72 says why and stops", sel2, "cortex-a72",
             secure=[r"FATAL: this CPU does not implement Secure EL2", r"use the EL3 image", r"Stopping: powering off"],
             normal_absent=True),
        Test("sel2-dram-pool: S-EL2 image with the pool carved out of DRAM", sel2_dram, "max",
             normal=host_check_lines(*REALM_EXECUTION_CHECKS)
             + [re.escape("[host] PASS device tree: TMM granule pool: 0x7e000000-0x7fffffff")],
             secure=[r"\[TMM\] secure pool 0x7e000000-0x7fffffff \(8192 granules\)"] + attestation_secure("sel2"),
             post=attestation_post(sel2_dram, "01010104")),
        Test("el3-dram-pool: EL3 image with the pool carved out of DRAM", el3_dram, "cortex-a72",
             normal=host_check_lines() + [REALMS_SKIPPED],
             secure=[r"\[TMM\] secure pool 0x7e000000-0x7fffffff \(8192 granules\)"] + attestation_secure("el3"),
             post=attestation_post(el3_dram, "01020104")),
        Test("system-reset: PSCI SYSTEM_RESET resets the machine (QEMU -no-reboot exits)", sel2, "max",
             host_mode=2, extra=["-no-reboot"],
             normal=[re.escape("[host] calling PSCI SYSTEM_RESET")],
             secure=[r"\[EL3\] PSCI SYSTEM_RESET from the normal world: resetting"]),
    ]


def check(test, result):
    """Returns every reason the test failed (empty when it passed): one failure must not hide
    another, e.g. a host check failing for a reason of its own must not hide the secure side."""
    if not result.exited:
        return [f"QEMU did not exit by itself within {test.timeout} s"]
    reasons = []
    for pattern in test.secure:
        if not re.search(pattern, result.secure):
            reasons.append(f"secure console lacks /{pattern}/")
    for pattern in test.normal:
        if not re.search(pattern, result.normal):
            reasons.append(f"normal console lacks /{pattern}/")
    if test.normal_absent and result.normal.strip():
        reasons.append("the normal world ran, but the firmware should have stopped first")
    for pattern in test.forbidden:
        for name, text in (("normal", result.normal), ("secure", result.secure)):
            for m in re.finditer(r"^.*" + pattern + r".*$", text, re.M):
                reasons.append(f"{name} console reports: {m.group(0).strip()}")
    return reasons


def check_post(test, result, out):
    """The test's further check of the run (e.g. a token verified on the host)."""
    if test.post is None or not result.exited:
        return []
    try:
        reason = test.post(result, out)
    except Exception as error:  # a broken check must fail the test, not the whole run
        reason = f"the check raised {type(error).__name__}: {error}"
    return [reason] if reason else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="out")
    parser.add_argument("--payload", default=None, help="normal-world payload (default: OUT/host/host.bin)")
    parser.add_argument("-k", action="append", default=[], help="run only tests whose name contains this")
    opts = parser.parse_args()
    payload = opts.payload or f"{opts.out}/host/host.bin"
    selected = [t for t in tests(opts.out, payload) if not opts.k or any(k in t.name for k in opts.k)]
    passed = failed = 0
    for index, test in enumerate(selected):
        started = time.monotonic()
        result = run_qemu.run(test.image, test.cpu, payload, host_mode=test.host_mode, extra=test.extra,
                              timeout=test.timeout, out=f"{opts.out}/systest/{index}", echo=False)
        reasons = check(test, result) + check_post(test, result, f"{opts.out}/systest/{index}")
        took = time.monotonic() - started
        if not reasons:
            passed += 1
            print(f"PASS {test.name} ({took:.1f} s)", flush=True)
        else:
            failed += 1
            print(f"FAIL {test.name} ({took:.1f} s): {reasons[0]}", flush=True)
            for reason in reasons[1:]:
                print(f"     and: {reason}", flush=True)
            print(result.tail(), flush=True)
    print(f"system tests: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
