#!/usr/bin/env python3
"""System tests: boot the built images under QEMU and check what each console prints.

Every run is bounded in time; a failing test prints why and the tail of both consoles.
Usage: systest.py --out OUT [-k NAME_SUBSTRING]...
"""
import argparse
import hashlib
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tools"))
import run_qemu  # noqa: E402
import attestation_checks  # noqa: E402
from attestation_checks import swift_tool  # noqa: E402

# Checks the project's host reports on the normal console (Firmware/Host): the firmware's
# interfaces and every bad-input case of the boot-chain issue, each by name.
HOST_CHECKS = [
    "device tree: valid FDT header at x0",
    "device tree: console UART (/chosen stdout-path), the one the host prints on",
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
    "RMI_FEATURES(0): NUM_BPS and NUM_WPS at least 1",
    "RMI_FEATURES(0): no PMU for realms (PMU_EN 0, PMU_NUM_CTRS 0)",
    "GRANULE_DELEGATE of a device address (the normal world's UART): RMI_ERROR_INPUT",
    "GRANULE_DELEGATE of TMM memory: RMI_ERROR_INPUT",
    "RMI_FEATURES(0): MAX_RECS_ORDER at least 1",
    "unassigned RMI FID 0xC4000156: NOT_SUPPORTED",
    "RMI FID beyond RMI 1.0 (0xC400016A): NOT_SUPPORTED",
    "last FID of the RMI range (0xC400018F): NOT_SUPPORTED",
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
    "lifecycle: REALM_CREATE with num_bps 0: RMI_ERROR_INPUT",
    "lifecycle: REALM_CREATE with num_bps above RMI_FEATURES NUM_BPS: RMI_ERROR_INPUT",
    "lifecycle: REALM_CREATE with num_wps 0: RMI_ERROR_INPUT",
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
# A realm built of the host's own scattered DRAM pages (Firmware/Host/RMI/
# NormalPageDelegationChecks.swift, Docs/delegation.md); on every image.
NORMAL_PAGE_CHECKS = [
    "normal pages: GRANULE_DELEGATE of 12 of the host's own DRAM pages, scattered",
    "normal pages: GRANULE_DELEGATE of a page delegated already: RMI_ERROR_INPUT",
    "normal pages: a delegated page still reads as what the host wrote",
    "normal pages: a realm parameter page that is delegated: RMI_ERROR_INPUT",
    "normal pages: REALM_CREATE with an RD and starting RTTs of host pages",
    "normal pages: RTT_CREATE x2, RTT_INIT_RIPAS, DATA_CREATE x2 into host pages",
    "normal pages: RTT_READ_ENTRY reports the host's page as the DATA address",
    "normal pages: RTT_READ_ENTRY reports the host's page as the next-level RTT",
    "normal pages: REC_CREATE with a REC and aux granules of host pages, REALM_ACTIVATE",
    "normal pages: DATA_DESTROY and RTT_DESTROY report the host's pages",
    "normal pages: the realm is torn down and every page undelegated",
    "normal pages: no page holds anything of the realm's; each holds what the host wrote",
]
# Realms at Secure EL1 (S-EL2 image only; Firmware/Host/RMI/RealmPreemptionChecks.swift).
REALM_EXECUTION_CHECKS = [
    "normal pages: the realm runs from them and reads its DATA (MMIO exit carries the value)",
    "realm execution: a realm of three RECs is built",
    "realm execution: a store to an unprotected IPA exits with a data abort (SYNC, EC 0x24, HPFAR of the IPA)",
    "realm execution: a spinning realm is preempted by the host's timer (exit IRQ)",
    "realm execution: a realm that writes ICC_PMR_EL1 = 0 is still preempted by the host's timer",
    "realm execution: the host's GIC priority mask is untouched",
    "realm execution: the realm's IAR1/EOIR1/DIR/IGRPEN1 accesses leave the host's interrupt pending for the host",
    "realm execution: the realm is torn down and its granules undelegated",
]
REALMS_SKIPPED = re.escape("[host] SKIP normal pages: the realm run (no DATA in host pages without stage 2: identity placement)")
# What of REALM_EXECUTION_CHECKS the EL3 image runs: its realms are identity-placed, and REC 0's
# MMIO store needs a CPU that takes the realm's external abort to EL3 (Docs/el3-realms.md).
EL3_REALM_EXECUTION_CHECKS = [c for c in REALM_EXECUTION_CHECKS
                              if not c.startswith("normal pages") and "unprotected IPA exits" not in c]
# The normal-page realm on the EL3 image: no DATA into host pages without stage 2 (identity
# placement, Docs/el3-realms.md); the rest of NORMAL_PAGE_CHECKS as on the S-EL2 image.
NORMAL_PAGE_DATA_CHECKS = [
    "normal pages: RTT_CREATE x2, RTT_INIT_RIPAS, DATA_CREATE x2 into host pages",
    "normal pages: RTT_READ_ENTRY reports the host's page as the DATA address",
    "normal pages: DATA_DESTROY and RTT_DESTROY report the host's pages",
]
NORMAL_PAGE_IDENTITY_CHECKS = [
    "normal pages: RTT_CREATE x2, RTT_INIT_RIPAS with RTTs of host pages",
    "normal pages: DATA_CREATE into a host page without stage 2 (identity placement): RMI_ERROR_INPUT",
    "normal pages: RTT_DESTROY reports the host's pages",
]
# The host's VMM (Firmware/Host/VMM): building two realms, what the second cannot be given,
# teardown. These pass whether or not the firmware runs realms.
VMM_BUILD_CHECKS = [
    "vmm: a second realm (VMID 2) created beside the first",
    "vmm: after both realms every pool granule delegates and undelegates again",
    "vmm: GRANULE_DELEGATE, REALM_CREATE (IPA width 40, SHA-256, RPV, VMID 1), RTT_CREATE x4",
    "vmm: RTT_INIT_RIPAS of realm RAM, DATA_CREATE of the image from normal-world pages, DATA_CREATE_UNKNOWN of the rest",
    "vmm: second realm: RAM on the first realm's former data granules",
    "vmm: second realm: shared pages, two RECs, REALM_ACTIVATE",
    "vmm: RTT_MAP_UNPROTECTED of the shared pages, REC_CREATE x2 with REC_AUX_COUNT aux granules, REALM_ACTIVATE",
    "vmm: REC_ENTER with gicv3_hcr.En set (the TMM's to set): RMI_ERROR_REC",
    "vmm: REC_ENTER of REC 1 before the realm's CPU_ON (not runnable): RMI_ERROR_REC",
    "vmm isolation: DATA_CREATE into the second realm with the first realm's DATA granule: RMI_ERROR_INPUT",
    "vmm isolation: DATA_CREATE_UNKNOWN into the second realm with the first realm's RD: RMI_ERROR_INPUT",
    "vmm isolation: RTT_CREATE in the second realm with the first realm's RTT: RMI_ERROR_INPUT",
    "vmm isolation: RTT_MAP_UNPROTECTED of the first realm's DATA granule: RMI_ERROR_INPUT",
    "vmm isolation: REC_CREATE in the second realm on the first realm's REC granule: RMI_ERROR_INPUT",
    "vmm isolation: REALM_CREATE on the first realm's RD: RMI_ERROR_INPUT",
    "vmm: second realm torn down in the specification's order",
    "vmm: teardown: REC_DESTROY, DATA_DESTROY, RTT_UNMAP_UNPROTECTED, RTT_DESTROY leaves first, REALM_DESTROY",
    "vmm: every granule of the second realm undelegated",
    "vmm: every granule of the realm undelegated",
]
# Normal-world probes of delegated granules: only where the pool is secure-only RAM.
VMM_PROBE_CHECKS = [
    "vmm isolation: normal-world read of the realm's RD faults",
    "vmm isolation: normal-world read of the realm's first DATA granule faults",
    "vmm isolation: normal-world write of the realm's first DATA granule faults",
    "vmm isolation: normal-world reads of every granule of the realm fault (RD, RTTs, DATA, RECs, aux)",
]
# What the VMM sees while the realms run (needs REC_ENTER to run realms).
VMM_RUN_CHECKS = [
    "vmm: second realm runs to PSCI SYSTEM_OFF",
    "vmm: second realm reports its own checks, none failed",
    "vmm: realm runs to PSCI SYSTEM_OFF within the exit budget",
    "vmm: realm console through the emulated PL011 (MMIO exits, EMUL_MMIO)",
    "vmm: RSI_HOST_CALL: the realm's 31 registers arrived, the host's answer returned",
    "vmm: shared page: the realm's reply is in the host's page",
    "vmm: RIPAS_CHANGE to EMPTY applied with RTT_SET_RIPAS and accepted",
    "vmm: RIPAS_CHANGE to RAM beyond realm RAM rejected (RIPAS_RESPONSE)",
    "vmm: second vCPU: CPU_ON completed with PSCI_COMPLETE, REC 1 ran and called CPU_OFF",
    "vmm: PSCI AFFINITY_INFO exits completed with PSCI_COMPLETE",
    "vmm: virtual timer: INTID 27 injected once through a list register (RecExit.cntv_ctl asserted)",
    "vmm: virtual timer: the list register came back inactive after the realm's EOI",
    "vmm: realm SGI: an ICC_SGI1R_EL1 write exits SYNC with its syndrome (EC 0x18) and the value in gprs[0]",
    "vmm: realm SGI: delivered to REC 0 through a list register, which came back inactive after the realm's EOI",
    "vmm: unemulated unprotected MMIO answered with INJECT_SEA",
    "vmm: attestation token handed over through the shared pages and printed",
    "vmm: realm reports its own checks, none failed",
    "vmm: REC_ENTER after the realm's SYSTEM_OFF: RMI_ERROR_REALM",
]
# What the test realm checks from the inside (Firmware/Realm), printed through the emulated UART.
REALM_CHECKS = [
    "ID registers: ID_AA64PFR0_EL1.SVE, MPAM and AMU are 0",
    "ID registers: ID_AA64PFR1_EL1.MTE and SME are 0",
    "ID registers: no pointer authentication (ID_AA64ISAR1_EL1 APA/API/GPA/GPI, ID_AA64ISAR2_EL1 APA3/GPA3)",
    "ID registers: ID_AA64ZFR0_EL1 and ID_AA64SMFR0_EL1 read as 0",
    "ID registers: ID_AA64DFR0_EL1 says Armv8 debug, 2 breakpoints, 2 watchpoints, no PMU or trace",
    "ID registers: ID_AA64MMFR0_EL1.PARange gives at least the realm's 40-bit IPA space",
    "debug registers: MDSCR_EL1 is RAZ/WI (no exception)",
    "PMU registers: PMCR_EL0 is RAZ/WI (no exception)",
    "CPACR_EL1: the realm enables FP/SIMD (FPEN 0b11); the SVE and SME enables stay 0",
    "FP/SIMD: an addition on V registers at EL1",
    "FP/SIMD: V0-V31, FPCR and FPSR survive an exit to the host",
    "RSI_ATTESTATION_TOKEN_CONTINUE before INIT: RSI_ERROR_STATE",
    "RSI_ATTESTATION_TOKEN_INIT: RSI_SUCCESS with a token size bound that fits two pages",
    "RSI_ATTESTATION_TOKEN_CONTINUE(unaligned buffer): RSI_ERROR_INPUT",
    "RSI_ATTESTATION_TOKEN_CONTINUE(offset + size past the granule): RSI_ERROR_INPUT",
    "RSI_ATTESTATION_TOKEN_CONTINUE(unprotected buffer): RSI_ERROR_INPUT",
    "RSI_ATTESTATION_TOKEN_CONTINUE(buffer whose RIPAS is EMPTY): RSI_ERROR_INPUT",
    "RSI_ATTESTATION_TOKEN_CONTINUE: the whole token, within the bound",
    "attestation token: a CBOR tag 399 (CCA token collection)",
    "RSI_ATTESTATION_TOKEN_CONTINUE after the last byte: RSI_ERROR_STATE",
    "attestation token: handed to the host through the shared pages (RSI_HOST_CALL)",
    "RSI_HOST_CALL(echo): RSI_SUCCESS",
    "RSI_HOST_CALL(echo): the host's answer in all 31 registers",
    "RSI_HOST_CALL(unaligned structure): RSI_ERROR_INPUT",
    "RSI_HOST_CALL(unprotected IPA): RSI_ERROR_INPUT",
    "RSI_HOST_CALL(IPA whose RIPAS is EMPTY): RSI_ERROR_INPUT",
    "shared page: the host's mailbox is visible at the unprotected IPA",
    "shared page: the realm reads the host's message",
    "shared page: the host reads the realm's reply (RSI_HOST_CALL answer 1)",
    "RSI_VERSION(1.0): RSI_SUCCESS",
    "RSI_VERSION(1.0): lower revision 1.0",
    "RSI_VERSION(1.0): higher revision 1.0",
    "RSI_VERSION(2.0): RSI_ERROR_INPUT",
    "RSI_VERSION(2.0): still reports higher revision 1.0",
    "RSI_FEATURES(0): RSI_SUCCESS, no optional feature",
    "RSI_REALM_CONFIG: RSI_SUCCESS",
    "RSI_REALM_CONFIG: ipa_width is 40",
    "RSI_REALM_CONFIG: hash algorithm SHA-256 (0)",
    "RSI_REALM_CONFIG: the personalization value the host set",
    "RSI_REALM_CONFIG of an unaligned IPA: RSI_ERROR_INPUT",
    "RSI_REALM_CONFIG of an unprotected IPA: RSI_ERROR_INPUT",
    "RSI_REALM_CONFIG beyond the IPA space: RSI_ERROR_INPUT",
    "RSI_REALM_CONFIG of an IPA whose RIPAS is EMPTY: RSI_ERROR_INPUT",
    "isolation: a load from a protected IPA whose RIPAS is now EMPTY takes a synchronous external abort",
    "isolation: a load from a protected IPA that was never RAM takes a synchronous external abort",
    "isolation: a store to a protected IPA whose RIPAS is EMPTY takes a synchronous external abort",
    "isolation: a load beyond the realm's IPA space takes a synchronous external abort",
    "isolation: an unprotected IPA the host does not emulate: the host injects a synchronous external abort",
    "isolation: stage-1 NS=0 mapping of the TMM's PA faults (data abort, nothing read)",
    "isolation: stage-1 NS=1 mapping of the TMM's PA faults (data abort, nothing read)",
    "isolation: the second realm's memory holds none of the first realm's secret",
    "stage-1 NS=1: the realm runs from and reads its protected RAM through mappings with NS = 1",
    "stage-1 NS=1: a store through an NS = 1 mapping lands in the realm's protected RAM",
    "stage-1 NS=1: the shared page at an unprotected IPA holds the host's mailbox through an NS = 1 mapping",
    "stage-1 NS=1: an emulated device at an unprotected IPA answers through an NS = 1 mapping (UARTFR)",
    "RSI_MEASUREMENT_READ(RIM): non-zero, zero past the digest",
    "RSI_MEASUREMENT_READ(REM0-REM3): zero before any extension",
    "RSI_MEASUREMENT_READ(slot 5): RSI_ERROR_INPUT",
    "RSI_MEASUREMENT_EXTEND(REM0, 64 bytes): RSI_SUCCESS",
    "RSI_MEASUREMENT_EXTEND: REM0 is the hash the realm computes",
    "RSI_MEASUREMENT_EXTEND(REM1, 10 bytes): RSI_SUCCESS",
    "RSI_MEASUREMENT_EXTEND: REM1 hashes only the first 10 bytes",
    "RSI_MEASUREMENT_EXTEND(RIM): RSI_ERROR_INPUT",
    "RSI_MEASUREMENT_EXTEND(slot 5): RSI_ERROR_INPUT",
    "RSI_MEASUREMENT_EXTEND(65 bytes): RSI_ERROR_INPUT",
    "RSI_MEASUREMENT_EXTEND: refused extensions leave REM0 unchanged",
    "RSI_IPA_STATE_GET(realm RAM): RAM up to the end of the range",
    "RSI_IPA_STATE_GET(beyond realm RAM): EMPTY",
    "RSI_IPA_STATE_GET(unaligned base): RSI_ERROR_INPUT",
    "RSI_IPA_STATE_GET(end not above base): RSI_ERROR_INPUT",
    "RSI_IPA_STATE_GET(unprotected IPA): RSI_ERROR_INPUT",
    "RSI_IPA_STATE_SET(scratch pages, EMPTY): the host accepts, whole range",
    "RSI_IPA_STATE_GET(scratch pages): EMPTY after the change",
    "RSI_IPA_STATE_SET(beyond realm RAM, RAM): the host rejects, nothing changed",
    "RSI_IPA_STATE_GET: still EMPTY after the rejected change",
    "RSI_IPA_STATE_SET(unaligned base): RSI_ERROR_INPUT",
    "RSI_IPA_STATE_SET(top not above base): RSI_ERROR_INPUT",
    "RSI_IPA_STATE_SET(top beyond the protected range): RSI_ERROR_INPUT",
    "RSI_IPA_STATE_SET(RIPAS DESTROYED): RSI_ERROR_INPUT",
    "PSCI_VERSION: 1.1",
    "PSCI_FEATURES(CPU_ON): implemented",
    "PSCI_FEATURES(unknown function): NOT_SUPPORTED",
    "PSCI CPU_ON(REC 0, the caller): ALREADY_ON",
    "PSCI CPU_ON(MPIDR 5, no such REC): INVALID_PARAMETERS",
    "PSCI CPU_ON(entry at an unprotected IPA): INVALID_ADDRESS",
    "PSCI AFFINITY_INFO(REC 0, the caller): ON",
    "PSCI AFFINITY_INFO(lowest level 1): INVALID_PARAMETERS",
    "PSCI AFFINITY_INFO(REC 1) before CPU_ON: OFF",
    "PSCI CPU_ON(REC 1): SUCCESS",
    "PSCI CPU_ON(REC 1) again while it runs: ALREADY_ON",
    "PSCI AFFINITY_INFO(REC 1): OFF once REC 1 called CPU_OFF",
    "second vCPU: REC 1 ran with the context id from CPU_ON",
    "GIC: interrupts pending while IRQs are masked wait; ICC_HPPIR1_EL1 names the higher-priority one (the SGI)",
    "GIC: WFI with IRQs masked completes on a pending virtual interrupt, which stays pending",
    "GIC: unmasking takes both pending interrupts without a trap of the realm's, the higher priority first, one per ICC_IAR1_EL1",
    "virtual timer: the IRQ handler takes INTID 27 with the timer condition met",
    "virtual timer: off after the handler (CNTV_CTL_EL0)",
    "GIC: ICC_IAR1_EL1 with nothing pending reads 1023",
    "GIC: an SGI to itself (ICC_SGI1R_EL1) arrives as a virtual IRQ with its INTID, acknowledged and ended",
]
SECURE_RAM_FAULT = "normal-world read of secure-only RAM faults"
POOL_FAULT = "normal-world read of the secure granule pool faults"
NO_FAILURES = [r"\[host\] checks: \d+ passed, 0 failed"]
FORBIDDEN = [r"\bFAIL\b", r"UNEXPECTED EXCEPTION", r"instructions REFUSED"]
# Host mode 3 (HostMode.swift): every check, but the VMM builds and destroys its realms without
# running them; the test realm runs in sel2-realm (host mode 0, as `make run`).
# On the EL3 image the test realm runs identity-placed in el3-realm (Docs/el3-realms.md).
NO_REALM_RUNS = 3
# The EL3 image (Docs/el3-realms.md): what the test realm reports as not applicable there, and
# the VMM's MMIO checks, which need the CPU to take a realm's external abort to EL3 (QEMU 7.2 does
# not: the realm prints through RSI_HOST_CALL instead).
EL3_NOT_APPLICABLE = [
    "feature ID registers: the realm's view",
    "MMIO: the emulated UART and the unemulated page through the host",
    "isolation: RIPAS EMPTY, beyond the IPA space and the TMM's memory abort",
    "stage-1 NS = 1 reaches what NS = 0 reaches",
    "second realm: the first realm's secret is not visible",
]
VMM_MMIO_CHECKS = [
    "vmm: realm console through the emulated PL011 (MMIO exits, EMUL_MMIO)",
    "vmm: unemulated unprotected MMIO answered with INJECT_SEA",
]
REALM_CONSOLE_BY_HOST_CALL = "vmm: realm console through RSI_HOST_CALL (identity-placed realm whose MMIO aborts at EL1)"
# Host mode 5: the Linux guest of `make guest` as an ordinary VM (Firmware/Host/NormalVM).
NORMAL_VM_MODE = 5
# The host's line when every REC_ENTER ends in RMI_EXIT_IRQ: the firmware does not run realms.
REALM_SKIPPED = r"\[host\] SKIP realm execution"
# Key lines of a realm's life on the normal console.
REALM_LINES = [
    r"\[host\] vmm: attestation challenge seed 0x[0-9a-f]{16}",
    r"\[realm\] test realm at EL1: REC 0, MPIDR affinity 0x0, full run",
    r"\[realm\] measurement RIM: [0-9a-f]{64}",
    r"\[realm\] REC 1 online at EL1 \(second vCPU\): MPIDR affinity 0x1, context id 0xc0ffee01",
    r"\[realm\] attestation challenge: [0-9a-f]{128}",
    r"\[host\] attestation-token-begin",
    r"\[host\] attestation-token-end",
    r"\[realm\] secret page written",
    r"\[realm\] checks: \d+ passed, 0 failed",
    r"\[realm\] done: PSCI SYSTEM_OFF",
    r"\[host\] vmm: realm destroyed, its memory back in the normal world",
    r"\[realm\] test realm at EL1: REC 0, MPIDR affinity 0x0, second realm",
    r"\[host\] vmm: second realm destroyed",
]
# The personalization value the VMM gives the realm (realm_layout.h: REALM_RPV_PATTERN | i).
REALM_RPV = b"".join((0x7670722D6D6D7400 | i).to_bytes(8, "little") for i in range(8))
# The realm's RAM, its image loaded at the start (realm_layout.h).
REALM_RAM_BASE, REALM_RAM_SIZE = 0x4000_0000, 0x80000


class Test:
    def __init__(self, name, image, cpu, normal=(), secure=(), normal_absent=False, host_mode=None,
                 extra=(), forbidden=FORBIDDEN, timeout=120, post=None, realm=False, payload=None, initrd=None,
                 platform=run_qemu.DEFAULT_PLATFORM):
        self.name, self.image, self.cpu = name, image, cpu
        # The machine it boots on (Platform/<name>/qemu.json) and whose addresses it uses.
        self.platform = platform
        self.normal, self.secure = list(normal), list(secure)
        self.normal_absent = normal_absent
        self.host_mode, self.extra = host_mode, list(extra)
        self.forbidden, self.timeout = forbidden, timeout
        # post(result, out_dir): a further check on the run, returning why it failed or None.
        self.post = post
        # A realm test fails with a clear reason when the firmware does not run realms.
        self.realm = realm
        # The normal-world payload, when not the project's host, and an initramfs for it.
        self.payload = payload
        self.initrd = initrd


def host_check_lines(*extra, identity=False):
    """`identity`: the EL3 image, whose realms are identity-placed (Docs/el3-realms.md)."""
    normal_pages = ([c for c in NORMAL_PAGE_CHECKS if c not in NORMAL_PAGE_DATA_CHECKS] + NORMAL_PAGE_IDENTITY_CHECKS
                    if identity else NORMAL_PAGE_CHECKS)
    names = HOST_CHECKS + LIFECYCLE_CHECKS + normal_pages + VMM_BUILD_CHECKS + list(extra)
    return [re.escape(f"[host] PASS {name}") for name in names] + NO_FAILURES


# The threat-model line each image prints at every boot, whole (IsolationModel.bootStatement,
# Docs/el3-threat-model.md).
THREAT_MODEL = {
    "sel2": "(?m)^" + re.escape("[EL3] threat model, S-EL2 image: Secure stage 2 keeps each realm to its own memory, away from "
                      "other realms, the TMM and the attestation keys") + "$",
    "el3": "(?m)^" + re.escape("[EL3] threat model, EL3 image (no Secure EL2): TrustZone keeps realms from the normal world; "
                     "a realm kernel controls its own translation, so nothing isolates realms from each other, the "
                     "TMM or the attestation keys") + "$",
}


def attestation_secure(variant):
    """What both images print about attestation at boot (README: Attestation), with the image's
    threat-model line."""
    components = attestation_checks.SEL2_COMPONENTS if variant == "sel2" else [attestation_checks.EL3_COMPONENT]
    return [THREAT_MODEL[variant], r"\[EL3\] attestation: crypto self-test passed",
            r"\[EL3\] attestation: device secret, 32 bytes in secure flash"] + \
        [rf"\[EL3\] measurement {re.escape(c)} sha-256 [0-9a-f]{{64}}" for c in components] + \
        [r"\[EL3\] attestation ready: ", r"\[EL3\] platform token signed \(ES384\) in \d+ cycles",
         r"\[TMM\] RAK from EL3 \(P-384\); binding hash sha-256\(COSE_Key\) [0-9a-f]{64}",
         r"\[TMM\] platform token from EL3: \d+ bytes; CCA token storage per REC: \d+ bytes"]


def sha_instructions(variant):
    """The SHA block functions the boot self-test accepted (README: Benchmark): -cpu max has
    FEAT_SHA256 and FEAT_SHA512, cortex-a72 FEAT_SHA256 only; SHA-512's instructions are only in
    the S-EL2 TMM."""
    passed = r"instructions, self-test passed in \d+ cycles; 4 KiB in \d+ cycles \(portable code: \d+\)"
    lines = [rf"\[EL3\] SHA-256: FEAT_SHA256 {passed}"]
    if variant == "sel2":
        lines += [r"\[EL3\] SHA-512: portable code \(FEAT_SHA512 is Armv8\.2; this code is Armv8\.0\)",
                  rf"\[TMM\] SHA-256: FEAT_SHA256 {passed}", rf"\[TMM\] SHA-512: FEAT_SHA512 {passed}"]
    else:
        lines += [r"\[EL3\] SHA-512: portable code \(the CPU has no FEAT_SHA512\)"]
    return lines


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


def seed_loader(seed):
    """QEMU arguments that hand the host a realm's challenge seed (8 bytes after its mode word)."""
    return ["-device", f"loader,addr={run_qemu.platform_define('PLAT_HOST_CHALLENGE_SEED_ADDR'):#x},data={seed},data-len=8"]


def realm_challenge(seed):
    """The challenge the realm asks its token for: SHA-512 of the seed's 8 little-endian bytes."""
    return hashlib.sha512(seed.to_bytes(8, "little")).hexdigest()


def tampered_realm_test(out, sel2):
    """The same host with a realm image changed in one byte: the realm runs, but its token fails
    the RIM check against what the unchanged image should measure."""
    seed = random.getrandbits(63) | 1
    return Test("sel2-realm-tampered: a realm image changed in one byte fails the RIM check of its token",
                sel2, "max", payload=f"{out}/host-tampered/host.bin",
                normal=[re.escape("[realm] Test realm at EL1: REC 0"), re.escape("[host] attestation-token-end")],
                extra=seed_loader(seed),
                forbidden=[r"UNEXPECTED EXCEPTION"], timeout=600, realm=True,
                post=lambda result, directory: verify_tampered(result, directory, seed, f"{out}/realm/realm.bin",
                                                              f"{out}/host-tampered/realm.bin"))


def realm_test(out, sel2):
    """The S-EL2 image runs the test realm: every realm and VMM check by name, the key lines,
    then the attestation token the realm obtained, verified with tmm-verify against the
    challenge this run chose (a fresh random seed per boot, passed to the host by QEMU's
    loader; the realm's challenge is SHA-512 of its 8 little-endian bytes)."""
    seed = random.getrandbits(63) | 1
    normal = (host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *VMM_PROBE_CHECKS, *VMM_RUN_CHECKS)
              + [re.escape(f"[realm] PASS {name}") for name in REALM_CHECKS] + REALM_LINES
              + [re.escape(f"[host] vmm: attestation challenge seed 0x{seed:016x}")])
    return Test("sel2-realm: a confidential VM boots, prints, shares memory, uses two vCPUs and a timer, attests, "
                "is isolated and destroyed", sel2, "max", normal=normal,
                secure=[r"\[EL3\] PSCI SYSTEM_OFF from the normal world"],
                extra=seed_loader(seed),
                forbidden=FORBIDDEN + [REALM_SKIPPED], timeout=600, realm=True,
                post=lambda result, directory: verify_token(result, directory, seed, f"{out}/realm/realm.bin"))


def el3_realm_test(out, el3):
    """The EL3 image (-cpu cortex-a72, no FEAT_SEL2) runs the test realm identity-placed
    (Docs/el3-realms.md): RSI, FP/SIMD, shared pages, PSCI with two RECs, the timer, an SGI and
    attestation pass; what the image cannot provide is reported N/A with its reason, never passed;
    the token is verified as on the S-EL2 image, with the RIM predicted for where the host placed
    the realm."""
    seed = random.getrandbits(63) | 1
    not_here = ("ID registers", "isolation:", "stage-1 NS=1")
    checks = [c for c in REALM_CHECKS if not c.startswith(not_here)]
    normal = (host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *VMM_PROBE_CHECKS, REALM_CONSOLE_BY_HOST_CALL,
                               *EL3_REALM_EXECUTION_CHECKS,
                               *[c for c in VMM_RUN_CHECKS if c not in VMM_MMIO_CHECKS], identity=True)
              + [re.escape(f"[realm] PASS {name}") for name in checks]
              + [re.escape(f"[realm] N/A {name}") for name in EL3_NOT_APPLICABLE]
              + [r"\[realm\] identity-placed \(EL3 image, no stage 2\): RAM at 0x[0-9a-f]+",
                 r"\[realm\] test realm at EL1: REC 0, MPIDR affinity 0x0, full run",
                 r"\[realm\] REC 1 online at EL1 \(second vCPU\)",
                 r"\[realm\] checks: \d+ passed, 0 failed, \d+ not applicable",
                 r"\[realm\] test realm at EL1: REC 0, MPIDR affinity 0x0, second realm",
                 r"\[host\] vmm: second realm destroyed",
                 re.escape(f"[host] vmm: attestation challenge seed 0x{seed:016x}")])
    return Test("el3-realm: the EL3 image on -cpu cortex-a72 runs the test realm from EL3 (identity-placed, no stage 2): "
                "RSI, PSCI with two RECs, timer, SGI, attestation; what it cannot isolate is N/A", el3, "cortex-a72",
                normal=normal, secure=[r"\[EL3\] PSCI SYSTEM_OFF from the normal world"], extra=seed_loader(seed),
                forbidden=FORBIDDEN + [REALM_SKIPPED, r"\[realm\] FAIL"], timeout=600, realm=True,
                post=lambda result, directory: verify_token(result, directory, seed, f"{out}/realm/realm.bin",
                                                            identity=True,
                                                            isolation=attestation_checks.EL3_MODEL))


def expected_rim(realm_bin, num_bps, num_wps, ram_base=None, gprs=(0,)):
    """The RIM of the first realm the VMM builds, replayed from the specification's recipe
    (DEN0137 A7.1, RMM 1.0-rel0 as TF-RMM applies it) over the realm image and the parameters
    the host passes: REALM_CREATE hashes a 4 KiB RmiRealmParams image holding only the measured
    fields; RTT_INIT_RIPAS, DATA_CREATE and REC_CREATE each hash a 256-byte descriptor that
    carries the current RIM. SHA-256, digests zero-padded to 64 bytes."""
    def h(data):
        return hashlib.sha256(data).digest() + bytes(32)

    def u64(v):
        return v.to_bytes(8, "little")

    ram_base = REALM_RAM_BASE if ram_base is None else ram_base
    params = bytearray(4096)
    params[0x008:0x010] = u64(40)
    params[0x018:0x020] = u64(num_bps)
    params[0x020:0x028] = u64(num_wps)
    rim = h(bytes(params))

    def descriptor(kind, fields):
        d = bytearray(0x100)
        d[0x00] = kind
        d[0x08:0x10] = u64(0x100)
        d[0x10:0x50] = rim
        for offset, value in fields:
            d[offset:offset + len(value)] = value
        return h(bytes(d))

    for page in range(REALM_RAM_SIZE // 4096):   # one descriptor per level-3 entry, as TF-RMM rel0 does
        base = ram_base + page * 4096
        rim = descriptor(2, [(0x50, u64(base)), (0x58, u64(base + 4096))])
    with open(realm_bin, "rb") as f:
        image = f.read()
    image += bytes(-len(image) % 4096)
    for page in range(len(image) // 4096):
        content = h(image[page * 4096:(page + 1) * 4096])
        rim = descriptor(0, [(0x50, u64(ram_base + page * 4096)), (0x58, u64(1)), (0x60, content)])
    # REC_CREATE extends the RIM for a runnable REC only (TF-RMM rel0 runtime/rmi/rec.c): REC 0,
    # runnable at the entry with x0 = 0. REC 1 starts not runnable and is not measured.
    rec = bytearray(4096)
    rec[0x000:0x008] = u64(1)
    rec[0x200:0x208] = u64(ram_base)
    for i, value in enumerate(gprs):
        rec[0x300 + 8 * i:0x308 + 8 * i] = u64(value)
    rim = descriptor(1, [(0x50, h(bytes(rec)))])
    return rim[:32].hex()


def hex_line(pattern, text):
    m = re.search(pattern, text)
    return m.group(1) if m else None


def realm_manifest(realm_bin, num_bps, num_wps, ram_base=None, gprs=(0,)):
    """The test realm as a realm owner describes it to `tmm-measure` (README: Measuring and verifying a realm):
    the parameters and, in the order the VMM performs them (Firmware/Host/VMM/RealmVM.swift), the
    measured steps: RTT_INIT_RIPAS of its RAM, whose entries are at level 3; DATA_CREATE of the
    image at the start of RAM, contents measured; REC 0, runnable at the entry with x0 = 0;
    REC 1, not runnable, so not measured. On the EL3 image RAM is where the host placed it and
    REC 0's x1-x3 carry the identity-placed convention (Docs/el3-realms.md)."""
    ram_base = REALM_RAM_BASE if ram_base is None else ram_base
    return {
        "hash_algorithm": "sha-256",
        "realm": {"s2sz": 40, "num_bps": num_bps, "num_wps": num_wps},
        "steps": [
            {"init_ripas": {"base": hex(ram_base), "top": hex(ram_base + REALM_RAM_SIZE), "level": 3}},
            {"data": {"ipa": hex(ram_base), "file": os.path.abspath(realm_bin), "measure_content": True}},
            {"rec": {"runnable": True, "pc": hex(ram_base), "gprs": list(gprs)}},
            {"rec": {"runnable": False, "pc": "0x0"}},
        ],
    }


def measure(directory, name, realm_bin, num_bps, num_wps, ram_base=None, gprs=(0,)):
    """The RIM `tmm-measure` predicts for `realm_bin` (the manifest is kept beside the run's logs)."""
    path = os.path.join(directory, f"{name}.manifest.json")
    with open(path, "w") as f:
        json.dump(realm_manifest(realm_bin, num_bps, num_wps, ram_base, gprs), f, indent=2)
    predicted = subprocess.run([swift_tool("tmm-measure"), path], capture_output=True, text=True)
    if predicted.returncode != 0:
        raise RuntimeError("tmm-measure failed: " + predicted.stderr.strip())
    return predicted.stdout.strip()


def realm_token(result, directory):
    """The token the host printed between its markers, written to a file; or None."""
    m = re.search(r"^\[host\] attestation-token-begin\n(.*?)^\[host\] attestation-token-end$", result.normal, re.M | re.S)
    if not m:
        return None
    token = bytes.fromhex("".join(line.replace("[host] ", "").strip() for line in m.group(1).splitlines()))
    path = os.path.join(directory, "realm-token.cbor")
    with open(path, "wb") as f:
        f.write(token)
    return path


def debug_params(result):
    """The realm parameters' num_bps and num_wps: RMI_FEATURES' NUM_BPS and NUM_WPS (the number
    available minus one), which the host passes as they are."""
    features = re.search(r"\[host\] RMI features: .* NUM_BPS (\d+) NUM_WPS (\d+)", result.normal)
    return (int(features.group(1)), int(features.group(2))) if features else None


def realm_outputs(result):
    """What the run printed for checking a realm's token, each None when missing: the realm's
    RIM, its REM0-REM3, the host's num_bps and num_wps and the platform key."""
    rim = hex_line(r"\[realm\] measurement RIM: ([0-9a-f]+)", result.normal)
    rems = [hex_line(rf"\[realm\] measurement REM{i}: ([0-9a-f]+)", result.normal) for i in range(4)]
    return rim, rems, debug_params(result), attestation_checks.platform_key(result.secure)


def verify_command(token_path, challenge, rim, rems, key):
    command = [swift_tool("tmm-verify"), "verify", token_path, "--challenge", challenge, "--rpv", REALM_RPV.hex(),
               "--rim", rim, "--platform-key", key]
    for rem in rems:
        command += ["--rem", rem]
    return command


def identity_layout(result):
    """On the EL3 image: the realm's RAM base and REC 0's x0-x3 from the line the realm prints
    (x1 = REALM_LAYOUT_IDENTITY, x2 = shared pages, x3 = device window), or None."""
    m = re.search(r"\[realm\] identity-placed \(EL3 image, no stage 2\): RAM at 0x([0-9a-f]+), shared pages at "
                  r"0x([0-9a-f]+), devices at 0x([0-9a-f]+)", result.normal)
    if not m:
        return None
    ram, shared, devices = (int(g, 16) for g in m.groups())
    return ram, (0, 1, shared, devices)


def verify_token(result, directory, seed, realm_bin, identity=False, isolation=attestation_checks.SEL2_MODEL):
    """The realm's challenge, its RIM against tmm-measure's prediction and against an independent
    replay of the specification's recipe, then the whole token with tmm-verify, which must
    report the isolation model of the image the realm ran on (and refuse the EL3 image's under
    --require-realm-isolation)."""
    ram_base, gprs = None, (0,)
    if identity:
        layout = identity_layout(result)
        if layout is None:
            return "the identity-placed realm did not print where its RAM, shared pages and devices are"
        ram_base, gprs = layout
    challenge = realm_challenge(seed)
    printed = hex_line(r"\[realm\] attestation challenge: ([0-9a-f]{128})", result.normal)
    if printed != challenge:
        return f"the realm's challenge {printed} is not SHA-512 of this run's seed ({challenge})"
    token_path = realm_token(result, directory)
    if token_path is None:
        return "no attestation token between the markers on the normal console"
    rim, rems, debug, key = realm_outputs(result)
    if rim is None or None in rems:
        return "the realm did not print its RIM and REMs"
    if debug is None:
        return "the host did not print the RMI features it builds the realm with"
    predicted = measure(directory, "realm", realm_bin, *debug, ram_base, gprs)
    if rim != predicted:
        return f"the realm's RIM {rim} is not tmm-measure's prediction ({predicted})"
    replayed = expected_rim(realm_bin, *debug, ram_base, gprs)
    if predicted != replayed:
        return f"tmm-measure's prediction {predicted} differs from the replay of the specification's recipe ({replayed})"
    if key is None:
        return "the monitor did not print its platform attestation key"
    problem, claims = attestation_checks.check_isolation(verify_command(token_path, challenge, predicted, rems, key),
                                                         isolation)
    if claims is not None:
        with open(os.path.join(directory, "realm-token.json"), "w") as f:
            json.dump(claims, f, indent=2, sort_keys=True)
    if problem:
        return "the realm's token: " + problem
    print(f"    token: {os.path.getsize(token_path)} bytes, verified by tmm-verify (challenge, RPV, RIM predicted by "
          f"tmm-measure, REMs, platform and realm signatures, binding; isolation model {isolation})", flush=True)
    return None


def verify_tampered(result, directory, seed, original_bin, tampered_bin):
    """A realm whose image differs from the expected one in one byte: its token carries that
    image's RIM, which tmm-measure predicts, and tmm-verify refuses it against the prediction
    for the expected image."""
    token_path = realm_token(result, directory)
    if token_path is None:
        return "no attestation token between the markers on the normal console"
    rim, rems, debug, key = realm_outputs(result)
    if rim is None or None in rems or debug is None or key is None:
        return "the run did not print the realm's measurements, the RMI features or the platform key"
    expected = measure(directory, "expected", original_bin, *debug)
    actual = measure(directory, "tampered", tampered_bin, *debug)
    if rim != actual:
        return f"the changed realm's RIM {rim} is not tmm-measure's prediction for its image ({actual})"
    if actual == expected:
        return "one changed byte of the realm image did not change the predicted RIM"
    refused = subprocess.run(verify_command(token_path, realm_challenge(seed), expected, rems, key),
                             capture_output=True, text=True)
    if refused.returncode == 0:
        return "tmm-verify accepted a token from a changed realm image against the expected RIM"
    if "RIM" not in refused.stderr:
        return "tmm-verify refused the token, but not for its RIM: " + refused.stderr.strip()
    print(f"    tmm-verify refuses the changed realm's token: {refused.stderr.strip()}", flush=True)
    return None


# Debian's stock arm64 Linux as the normal-world host (Docs/guest.md): what it must print on
# the way from the firmware's hand-off to its own /init and PSCI SYSTEM_OFF.
LINUX_HOST_LINES = [
    r"Machine model: QEMU virt with TMM firmware",
    r"(?m)Kernel command line: console=ttyAMA0 earlycon$",
    r"psci: PSCIv1\.1 detected in firmware\.",
    r"psci: SMC Calling Convention v1\.2",
    r"GICv3: CPU0: found redistributor 0 ",
    *[rf"CPU{i}: Booted secondary processor 0x000000000{i} " for i in (1, 2, 3)],
    r"smp: Brought up 1 node, 4 CPUs",
    r"Trying to unpack rootfs image as initramfs",
    r"Freeing initrd memory",
    r"(?m)^TMM-HOST: init reached$",
    r"(?m)^TMM-HOST: cpus online 0-3, 4 in /proc/cpuinfo$",
    r"(?m)^TMM-HOST: /dev/kvm present$",
    r"(?m)^TMM-HOST: powering off$",
    r"reboot: Power down",
]
LINUX_HOST_SECURE = [r"\[TMM\] CPU 1 online", r"\[TMM\] CPU 2 online", r"\[TMM\] CPU 3 online",
                     r"\[EL3\] PSCI SYSTEM_OFF from the normal world: powering off"]
# What Linux says when something is wrong: firmware complaints, warnings, oopses, a failed
# initramfs, words of the command line it does not know. The [Firmware Bug] lines are judged
# in linux_timer_check against what the monitor found.
LINUX_FORBIDDEN = FORBIDDEN + [r"\[Firmware Warn\]", r"\[Firmware Info\]", r"WARNING:", r"\bOops\b",
                               r"Kernel panic", r"\bBUG:", r"Call trace:", r"Initramfs unpacking failed",
                               r"Unknown kernel command line", r"TMM-HOST: (no /dev/kvm|poweroff failed)"]
EL2_VTIMER_MONITOR = r"\[EL3\] EL2 virtual timer interrupt \(PPI 12\): (.*)"
EL2_VTIMER_LINUX_BUG = "arch_timer: [Firmware Bug]: VHE-capable CPU without EL2 virtual timer interrupt"


def linux_timer_check(vhe):
    """The device tree's timer node against what the board wires (the monitor probes the EL2
    virtual timer's PPI and says what it described) and what Linux made of it: a VHE kernel
    runs on the EL2 virtual timer where it is described (hyp-virt), otherwise on the EL2
    physical one (hyp-phys), and names the missing interrupt as a firmware bug, the one such
    line allowed, and only where the monitor found the line not wired (QEMU 7.2's virt). A
    kernel without VHE runs at EL1 on the physical timer."""
    def check(result, _out):
        found = re.search(EL2_VTIMER_MONITOR, result.secure)
        if not found:
            return "the monitor did not say whether it describes the EL2 virtual timer"
        verdict = found.group(1)
        timer = re.search(r"arch_timer: cp15 timer running at [0-9.]+MHz \(([a-z-]+)\)", result.normal)
        if not timer:
            return "Linux did not say which timer it runs on"
        bugs = [line for line in result.normal.splitlines() if "[Firmware Bug]" in line]
        if not vhe:
            expected, allowed = ("no FEAT_VHE, not described", "phys"), []
        elif verdict.startswith("wired"):
            expected, allowed = ("wired, described to the normal world", "hyp-virt"), []
        else:
            expected = ("not wired on this board, left out of the normal world's device tree", "hyp-phys")
            allowed = [EL2_VTIMER_LINUX_BUG]
        if verdict != expected[0]:
            return f"the monitor says '{verdict}', expected '{expected[0]}' on this CPU"
        if timer.group(1) != expected[1]:
            return f"Linux runs on the {timer.group(1)} timer, expected {expected[1]} ({verdict})"
        for line in bugs:
            if not any(line.rstrip().endswith(a) for a in allowed):
                return "Linux reports a firmware bug: " + line.strip()
        return None
    return check


def linux_host_tests(out):
    """Debian's arm64 kernel (flavour arm64, fetched by `make guest`) on both images, with the
    tiny initramfs: every CPU through PSCI, KVM as VHE or nVHE, userspace, PSCI SYSTEM_OFF."""
    kernel, initrd = f"{out}/guest/arm64/Image", f"{out}/guest/host-initramfs.cpio.gz"
    sel2, el3 = f"{out}/tmm-sel2-sram/tmm-sel2.bin", f"{out}/tmm-el3-sram/tmm-el3.bin"
    return [
        Test("linux-host-sel2: Debian's arm64 Linux as the S-EL2 image's payload on -cpu max: 4 CPUs, KVM (VHE), "
             "userspace, PSCI SYSTEM_OFF", sel2, "max", payload=kernel, initrd=initrd,
             normal=LINUX_HOST_LINES + [r"CPU features: detected: Virtualization Host Extensions",
                                        r"kvm \[1\]: VHE mode initialized successfully"],
             secure=LINUX_HOST_SECURE, forbidden=LINUX_FORBIDDEN, timeout=300, post=linux_timer_check(vhe=True)),
        Test("linux-host-el3: Debian's arm64 Linux as the EL3 image's payload on -cpu cortex-a72: 4 CPUs, KVM (nVHE), "
             "userspace, PSCI SYSTEM_OFF", el3, "cortex-a72", payload=kernel, initrd=initrd,
             normal=LINUX_HOST_LINES + [r"kvm \[1\]: Hyp nVHE mode initialized successfully"],
             secure=LINUX_HOST_SECURE, forbidden=LINUX_FORBIDDEN, timeout=300, post=linux_timer_check(vhe=False)),
    ]


def normal_vm_test(out, sel2):
    """Debian's kernel and the realm guest's initramfs of `make guest`, booted as an ordinary VM
    at NS-EL1 under the host's stage 2 (host mode 5) to the init marker and PSCI SYSTEM_OFF."""
    name = "linux-normal-vm: Debian's Linux as an ordinary VM at NS-EL1 reaches /init and powers off"
    kernel = f"{out}/guest/cloud-arm64/Image"
    initrd = f"{out}/guest/cloud-arm64/realm-initramfs.cpio.gz"
    if not (os.path.exists(kernel) and os.path.exists(initrd)):
        return Test(name, sel2, "max", host_mode=NORMAL_VM_MODE,
                    normal=[re.escape(f"(the guest is not built: run make guest; no {kernel} or {initrd})")])
    devices = run_qemu.linux_realm_devices(f"{out}/systest/normal-vm-manifest", kernel, initrd, None,
                                           "console=ttyAMA0", 128, 1)
    return Test(name, sel2, "max", host_mode=NORMAL_VM_MODE, extra=devices, timeout=900,
                normal=[re.escape("[nvm] Linux as an ordinary VM at NS-EL1: 128 MiB RAM at IPA 0x80000000"),
                        r"Booting Linux on physical CPU 0x0+ ",
                        r"Machine model: TMM realm",
                        r"earlycon: pl11 at MMIO32 0x0*9000000 ",
                        r"(?m)^TMM-GUEST: init reached\s*$",
                        r"(?m)^TMM-GUEST: powering off\s*$",
                        r"\[bench\] normal-vm: boot to init marker: \d+ instructions",
                        re.escape("[nvm] guest powered off (PSCI SYSTEM_OFF)"),
                        r"\[nvm\] \d+ exits \([1-9]\d* MMIO, .* 0 SEAs injected"],
                # Outside a realm the kernel must not think it is in one.
                forbidden=FORBIDDEN + [r"Kernel panic", r"RME: Using RSI", r"\[nvm\] .*run stopped"])


def linux_realm_cpus():
    """vCPUs of the linux-realm test's realm: LINUX_REALM_CPUS from the environment, 1-4, default 2
    (real confidential VMs are SMP; Docs/linux-realm.md has the 2-vCPU hang the VMM's time slices
    fixed)."""
    value = os.environ.get("LINUX_REALM_CPUS", "2")
    if value not in ("1", "2", "3", "4"):
        raise SystemExit(f"systest: LINUX_REALM_CPUS must be 1 to 4, not {value!r}")
    return int(value)


def linux_realm_test(out, sel2_dram, payload, tag="linux-realm"):
    """Debian's cloud kernel with the guest initramfs (make guest) as a realm under the project's
    VMM (host mode 4, Tools/linux_realm.py): Linux finds RSI 1.0, the guest's /init runs and
    asks for a token with this run's fresh challenge; the token passes tmm-verify with the RIM
    tmm-measure predicts, and the prediction for the initramfs changed in one byte is refused.
    With LINUX_REALM_CPUS=2 or more, the other RECs start through the realm's PSCI CPU_ON, Linux
    must bring every one online, and the RIM prediction covers every REC."""
    import linux_realm
    kernel = f"{out}/guest/cloud-arm64/Image"
    initrd = f"{out}/guest/cloud-arm64/realm-initramfs.cpio.gz"
    directory = f"{out}/systest/{tag}"
    challenge = secrets.token_hex(64)
    append = f"{linux_realm.DEFAULT_APPEND} tmm.challenge={challenge}"
    cpus = linux_realm_cpus()
    extra = (run_qemu.linux_realm_devices(directory, kernel, initrd, None, append, 128, cpus)
             if os.path.exists(kernel) and os.path.exists(initrd) else [])

    def post(result, directory):
        if not extra:
            return f"no guest kernel and initramfs in {out}/guest/cloud-arm64 (make guest)"
        outcome = linux_realm.check_run(result, directory, kernel, initrd, 128, cpus, append, challenge)
        for note in outcome.notes:
            print(f"    {note}", flush=True)
        return outcome.reasons[0] if outcome.reasons else None

    return Test(f"{tag}: Debian's arm64 cloud kernel boots in a realm with {cpus} vCPU(s), attests through "
                "arm-cca-guest; token verified, RIM predicted", sel2_dram, "max",
                host_mode=run_qemu.LINUX_REALM_HOST_MODE, extra=extra,
                normal=[re.escape(f"[vmm] Linux realm: 128 MiB RAM at IPA 0x80000000, {cpus} vCPU(s)"),
                        rf"\[vmm\] realm built and activated in \d+ ms: .* {cpus} RECs with ",
                        re.escape("RME: Using RSI version 1.0"),
                        # Linux's own line once every CPU in the device tree is online (kernel/smp.c).
                        "(?m)" + re.escape(f"smp: Brought up 1 node, {cpus} CPU{'s' if cpus > 1 else ''}") + r"\s*$",
                        re.escape("TMM-GUEST: init reached"),
                        re.escape("TMM-GUEST: TOKEN END"), re.escape("[vmm] realm powered off (PSCI SYSTEM_OFF)"),
                        re.escape("[vmm] realm destroyed")],
                forbidden=FORBIDDEN + [r"Kernel panic", r"Oops"],
                timeout=900, post=post)


def tests(out, payload):
    sel2, el3 = f"{out}/tmm-sel2-sram/tmm-sel2.bin", f"{out}/tmm-el3-sram/tmm-el3.bin"
    sel2_dram, el3_dram = f"{out}/tmm-sel2-dram/tmm-sel2.bin", f"{out}/tmm-el3-dram/tmm-el3.bin"
    boot_secure = [r"\[EL3\] TMM monitor v\d+\.\d+", r"SMCCC 1\.2, PSCI 1\.1"]
    return [
        Test("sel2-boot: S-EL2 image on -cpu max, RMI, PSCI, a realm lifecycle, realm execution and the VMM", sel2, "max",
             host_mode=NO_REALM_RUNS,
             normal=host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *VMM_PROBE_CHECKS, *REALM_EXECUTION_CHECKS),
             secure=boot_secure + [r"\(S-EL2 image\)", r"\[TMM\] TrustZone Management Monitor at Secure EL2, RMI ABI 1\.0",
                                   r"\[EL3\] TMM running at Secure EL2, RMI ABI 1\.0", r"\[TMM\] CPU 1 online",
                                   r"\[TMM\] secure pool 0xe300000-0xeffffff \(3328 granules\)",
                                   r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]
             + attestation_secure("sel2") + sha_instructions("sel2")
             + [r"\[EL3\] attestation: per-boot RAK input from RNDR QEMU-secure-seed CNTPCT"],
             post=attestation_post(sel2, "01010004")),
        Test("el3-boot: EL3 image on -cpu cortex-a72 (no FEAT_SEL2), same RMI answers, lifecycle and realm construction",
             el3, "cortex-a72", host_mode=NO_REALM_RUNS,
             normal=host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *VMM_PROBE_CHECKS, *EL3_REALM_EXECUTION_CHECKS,
                                     identity=True) + [REALMS_SKIPPED],
             secure=boot_secure + [r"\(EL3 image\)", r"\[TMM\] TrustZone Management Monitor at EL3, RMI ABI 1\.0",
                                   r"\[EL3\] TMM running at EL3, RMI ABI 1\.0",
                                   r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]
             + attestation_secure("el3") + sha_instructions("el3")
             + [r"\[EL3\] attestation: per-boot RAK input from QEMU-secure-seed CNTPCT"],
             post=attestation_post(el3, "01020004")),
        Test("attestation-per-boot: two boots of the EL3 image (no RNDR): same platform key, new RAK",
             el3, "cortex-a72", host_mode=1, secure=attestation_secure("el3"),
             post=per_boot_rak(el3, "cortex-a72", payload)),
        Test("sel2-needs-sel2: S-EL2 image on cortex-a72 says why and stops", sel2, "cortex-a72",
             secure=[r"FATAL: this CPU does not implement Secure EL2", r"use the EL3 image", r"Stopping: powering off"],
             normal_absent=True),
        Test("sel2-dram-pool: S-EL2 image with the pool carved out of DRAM", sel2_dram, "max", host_mode=NO_REALM_RUNS,
             normal=host_check_lines(*REALM_EXECUTION_CHECKS)
             + [re.escape("[host] PASS device tree: TMM granule pool: 0x70000000-0x7fffffff")],
             secure=[r"\[TMM\] secure pool 0x70000000-0x7fffffff \(65536 granules\)"] + attestation_secure("sel2"),
             post=attestation_post(sel2_dram, "01010104")),
        Test("el3-dram-pool: EL3 image with the pool carved out of DRAM", el3_dram, "cortex-a72", host_mode=NO_REALM_RUNS,
             normal=host_check_lines(*EL3_REALM_EXECUTION_CHECKS, identity=True) + [REALMS_SKIPPED],
             secure=[r"\[TMM\] secure pool 0x70000000-0x7fffffff \(65536 granules\)"] + attestation_secure("el3"),
             post=attestation_post(el3_dram, "01020104")),
        realm_test(out, sel2),
        el3_realm_test(out, el3),
        tampered_realm_test(out, sel2),
        normal_vm_test(out, sel2),


        linux_realm_test(out, sel2_dram, payload),
        Test("system-reset: PSCI SYSTEM_RESET resets the machine (QEMU -no-reboot exits)", sel2, "max",
             host_mode=2, extra=["-no-reboot"],
             normal=[re.escape("[host] calling PSCI SYSTEM_RESET")],
             secure=[r"\[EL3\] PSCI SYSTEM_RESET from the normal world: resetting"]),
    ] + linux_host_tests(out) + sbsa_tests(out, payload)


SBSA = "sbsa-ref"


def sbsa_tests(out, payload):
    """The same firmware, host and realm built for QEMU sbsa-ref (PLATFORM=sbsa-ref, images in
    OUT/sbsa-ref): both images boot from the secure flash, the host finds its DRAM at 1 TiB and
    the 506 MiB granule pool in secure-only RAM, the test realm and Debian's Linux run as
    realms whose every granule the hardware keeps from the normal world."""
    previous = run_qemu.current_platform()
    run_qemu.select_platform(SBSA)   # the seed and manifest loaders use sbsa-ref's addresses
    try:
        base = f"{out}/{SBSA}"
        sel2, el3 = f"{base}/tmm-sel2-sram/tmm-sel2.bin", f"{base}/tmm-el3-sram/tmm-el3.bin"
        pool = "0x20600000-0x3fffffff"
        boot_secure = [r"\[EL3\] TMM monitor v\d+\.\d+", r"SMCCC 1\.2, PSCI 1\.1",
                       r"\[EL3\] granule pool: secure-only RAM \(sbsa-ref keeps it from the normal world\)",
                       re.escape(f"[TMM] secure pool {pool} (129536 granules)"),
                       re.escape("[EL3] normal world: NS-EL2 payload at 0x10000200000, device tree at 0x10000000000"),
                       r"\[EL3\] PSCI SYSTEM_OFF from the normal world"]
        host_sbsa = [re.escape(f"[host] PASS device tree: TMM granule pool: {pool}"),
                     re.escape("[host] PASS device tree: normal-world memory: 0x10000000000 size 0x40000000"),
                     re.escape("[host] PASS lifecycle: every pool granule delegates and undelegates again: "
                               "129536 granules")]
        # The test realm's run also carries the boot checks (one QEMU run fewer: make test's
        # time): every host check, the secure console's boot lines, the measurements and the
        # platform token, then the realm's token.
        realm = realm_test(base, sel2)
        realm.name = ("sbsa-sel2-realm: S-EL2 image on sbsa-ref (-cpu max), DRAM at 1 TiB, 506 MiB pool in secure-only "
                      "RAM: host checks, the test realm runs, attests, is isolated and destroyed")
        realm.normal += host_sbsa + [re.escape(f"[host] PASS {name}") for name in REALM_EXECUTION_CHECKS]
        realm.secure += boot_secure + [r"\(S-EL2 image\)", r"\[EL3\] TMM running at Secure EL2, RMI ABI 1\.0",
                                       r"\[TMM\] CPU 1 online"] \
            + attestation_secure("sel2") + [r"\[EL3\] attestation: per-boot RAK input from RNDR CNTPCT"]
        boot_post, token_post = attestation_post(sel2, "01010004"), realm.post
        realm.post = lambda result, directory: boot_post(result, directory) or token_post(result, directory)
        # The EL3 image: its realms are identity-placed, so a realm's shared pages need IPAs
        # above their addresses; sbsa-ref's DRAM at 1 TiB lies beyond the test realm's 40-bit IPA
        # space, so the host skips the unprotected mapping and the test realm, and says why
        # (README: Platforms). Everything else it checks as on virt.
        unprotected = ("lifecycle: RTT_CREATE level 2 at the unprotected base",
                       "lifecycle: RTT_CREATE level 3 at the unprotected base", "lifecycle: RTT_MAP_UNPROTECTED",
                       "lifecycle: RTT_READ_ENTRY unprotected", "lifecycle: RTT_MAP_UNPROTECTED of a protected IPA",
                       "lifecycle: RTT_UNMAP_UNPROTECTED", "lifecycle: RTT_DESTROY unprotected")
        el3_normal = [line for line in host_check_lines(SECURE_RAM_FAULT, POOL_FAULT, *EL3_REALM_EXECUTION_CHECKS,
                                                        identity=True)
                      if not any(line.startswith(re.escape(f"[host] PASS {c}")) for c in unprotected + ("vmm",))]
        el3_boot = Test("sbsa-el3-boot: EL3 image on sbsa-ref (-cpu cortex-a72): same RMI answers and lifecycle; the "
                        "test realm's shared pages at 1 TiB do not fit its IPA space under identity placement",
                        el3, "cortex-a72", host_mode=NO_REALM_RUNS,
                        normal=el3_normal + host_sbsa + [
                            REALMS_SKIPPED,
                            r"\[host\] SKIP lifecycle: the unprotected mapping \(identity placement: the shared page at "
                            r"0x100[0-9a-f]{8} lies above this realm's 40-bit IPA space\)",
                            r"\[host\] SKIP vmm: the test realm \(identity placement: its shared pages at "
                            r"0x100[0-9a-f]{8} lie above its 40-bit IPA space\)"],
                        secure=boot_secure + [r"\(EL3 image\)", r"\[EL3\] TMM running at EL3, RMI ABI 1\.0"]
                        + attestation_secure("el3"),
                        post=attestation_post(el3, "01020004"))
        tests = [
            realm,
            el3_boot,
            # The embedded controller's two commands: power off (the S-EL2 image stops on a CPU
            # without Secure EL2) and reboot (QEMU -no-reboot exits on it).
            Test("sbsa-sel2-needs-sel2: S-EL2 image on sbsa-ref with cortex-a72 says why and powers off through the EC",
                 sel2, "cortex-a72", normal_absent=True,
                 secure=[r"FATAL: this CPU does not implement Secure EL2", r"use the EL3 image", r"Stopping: powering off"]),
            Test("sbsa-system-reset: PSCI SYSTEM_RESET resets sbsa-ref through the EC (QEMU -no-reboot exits)", sel2, "max",
                 host_mode=2, extra=["-no-reboot"], normal=[re.escape("[host] calling PSCI SYSTEM_RESET")],
                 secure=[r"\[EL3\] PSCI SYSTEM_RESET from the normal world: resetting"]),
        ]
        linux = linux_realm_test(out, sel2, f"{base}/host/host.bin", tag="sbsa-linux-realm")
        # Its memory is in secure-only RAM: the host reads each of its granules from the
        # normal world, and each read must fault.
        linux.normal.append(r"\[vmm\] isolation: a normal-world read of each of the realm's \d+ granules faults")
        for test in tests + [linux]:
            test.platform = SBSA
            test.payload = test.payload or f"{base}/host/host.bin"   # the host built for sbsa-ref
        return tests + [linux]
    finally:
        run_qemu.select_platform(previous)


def check(test, result):
    """Returns every reason the test failed (empty when it passed): one failure must not hide
    another, e.g. a host check failing for a reason of its own must not hide the secure side."""
    if test.realm and re.search(REALM_SKIPPED, result.normal):
        return ["realm execution is not available in this firmware: every REC_ENTER ended in RMI_EXIT_IRQ"]
    if test.realm:
        stopped = re.search(r"^\[host\] FAIL vmm: realm runs to PSCI SYSTEM_OFF.*$", result.normal, re.M)
        if stopped:
            return ["the realm did not run to its end: " + stopped.group(0)]
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
        run_qemu.select_platform(test.platform)
        result = run_qemu.run(test.image, test.cpu, test.payload or payload, host_mode=test.host_mode, extra=test.extra,
                              timeout=test.timeout, out=f"{opts.out}/systest/{index}", echo=False, initrd=test.initrd)
        reasons = check(test, result)
        if not reasons:
            reasons = check_post(test, result, f"{opts.out}/systest/{index}")
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
