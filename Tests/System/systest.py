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
                 extra=(), forbidden=FORBIDDEN, timeout=120):
        self.name, self.image, self.cpu = name, image, cpu
        self.normal, self.secure = list(normal), list(secure)
        self.normal_absent = normal_absent
        self.host_mode, self.extra = host_mode, list(extra)
        self.forbidden, self.timeout = forbidden, timeout


def host_check_lines(*extra):
    names = HOST_CHECKS + LIFECYCLE_CHECKS + list(extra)
    return [re.escape(f"[host] PASS {name}") for name in names] + NO_FAILURES


def tests(out):
    sel2, el3 = f"{out}/tmm-sel2-sram/tmm-sel2.bin", f"{out}/tmm-el3-sram/tmm-el3.bin"
    sel2_dram, el3_dram = f"{out}/tmm-sel2-dram/tmm-sel2.bin", f"{out}/tmm-el3-dram/tmm-el3.bin"
    boot_secure = [r"\[EL3\] TMM monitor v\d+\.\d+", r"SMCCC 1\.2, PSCI 1\.1"]
    return [
        Test("sel2-boot: S-EL2 image on -cpu max, RMI, PSCI and a realm lifecycle from the normal world", sel2, "max",
             normal=host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *REALM_EXECUTION_CHECKS),
             secure=boot_secure + [r"\(S-EL2 image\)", r"\[TMM\] TrustZone Management Monitor at Secure EL2, RMI ABI 1\.0",
                                   r"\[EL3\] TMM running at Secure EL2, RMI ABI 1\.0", r"\[TMM\] CPU 1 online",
                                   r"\[TMM\] secure pool 0xe300000-0xeffffff \(3328 granules\)",
                                   r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]),
        Test("el3-boot: EL3 image on -cpu cortex-a72 (no FEAT_SEL2), same RMI answers and lifecycle", el3, "cortex-a72",
             normal=host_check_lines(SECURE_RAM_FAULT, POOL_FAULT) + [REALMS_SKIPPED],
             secure=boot_secure + [r"\(EL3 image\)", r"\[TMM\] TrustZone Management Monitor at EL3, RMI ABI 1\.0",
                                   r"\[EL3\] TMM running at EL3, RMI ABI 1\.0",
                                   r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]),
        Test("sel2-needs-sel2: S-EL2 image on cortex-a72 says why and stops", sel2, "cortex-a72",
             secure=[r"FATAL: this CPU does not implement Secure EL2", r"use the EL3 image", r"Stopping: powering off"],
             normal_absent=True),
        Test("sel2-dram-pool: S-EL2 image with the pool carved out of DRAM", sel2_dram, "max",
             normal=host_check_lines(*REALM_EXECUTION_CHECKS)
             + [re.escape("[host] PASS device tree: TMM granule pool: 0x7e000000-0x7fffffff")],
             secure=[r"\[TMM\] secure pool 0x7e000000-0x7fffffff \(8192 granules\)"]),
        Test("el3-dram-pool: EL3 image with the pool carved out of DRAM", el3_dram, "cortex-a72",
             normal=host_check_lines() + [REALMS_SKIPPED],
             secure=[r"\[TMM\] secure pool 0x7e000000-0x7fffffff \(8192 granules\)"]),
        Test("system-reset: PSCI SYSTEM_RESET resets the machine (QEMU -no-reboot exits)", sel2, "max",
             host_mode=2, extra=["-no-reboot"],
             normal=[re.escape("[host] calling PSCI SYSTEM_RESET")],
             secure=[r"\[EL3\] PSCI SYSTEM_RESET from the normal world: resetting"]),
    ]


def check(test, result):
    """Returns the reason the test failed, or None."""
    if not result.exited:
        return f"QEMU did not exit by itself within {test.timeout} s"
    for pattern in test.secure:
        if not re.search(pattern, result.secure):
            return f"secure console lacks /{pattern}/"
    for pattern in test.normal:
        if not re.search(pattern, result.normal):
            return f"normal console lacks /{pattern}/"
    if test.normal_absent and result.normal.strip():
        return "the normal world ran, but the firmware should have stopped first"
    for pattern in test.forbidden:
        for name, text in (("normal", result.normal), ("secure", result.secure)):
            m = re.search(r"^.*" + pattern + r".*$", text, re.M)
            if m:
                return f"{name} console reports: {m.group(0).strip()}"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="out")
    parser.add_argument("--payload", default=None, help="normal-world payload (default: OUT/host/host.bin)")
    parser.add_argument("-k", action="append", default=[], help="run only tests whose name contains this")
    opts = parser.parse_args()
    payload = opts.payload or f"{opts.out}/host/host.bin"
    selected = [t for t in tests(opts.out) if not opts.k or any(k in t.name for k in opts.k)]
    passed = failed = 0
    for index, test in enumerate(selected):
        started = time.monotonic()
        result = run_qemu.run(test.image, test.cpu, payload, host_mode=test.host_mode, extra=test.extra,
                              timeout=test.timeout, out=f"{opts.out}/systest/{index}", echo=False)
        reason = check(test, result)
        took = time.monotonic() - started
        if reason is None:
            passed += 1
            print(f"PASS {test.name} ({took:.1f} s)", flush=True)
        else:
            failed += 1
            print(f"FAIL {test.name} ({took:.1f} s): {reason}", flush=True)
            print(result.tail(), flush=True)
    print(f"system tests: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
