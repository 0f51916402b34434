import AArch64
import MonitorStorage
import PlatformDefinitions
import RealmRun
import TMMStorage

// One run of a realm at Secure EL1 straight from EL3, on a CPU without Secure EL2: the hardware
// side of the contract in Firmware/Core/Platform/RealmExecution.swift, as SEL2/RealmRunner.swift
// is on the S-EL2 image. Docs/el3-realms.md explains the choices. There is no stage 2 and no
// EL2 in the Secure state: the realm's stage 1 outputs physical addresses (identity placement),
// and everything the S-EL2 image traps to EL2 either traps to EL3 through SCR_EL3, CPTR_EL3,
// MDCR_EL3 and ICC_SRE_EL3, or cannot be trapped at all (Docs/el3-realms.md, "What a realm on
// this image can do").

/// SCR_EL3 while a realm runs: Secure state (NS = 0), lower ELs AArch64 (RW), HVC undefined
/// (HCE = 0: realms have no hypervisor), physical IRQ and FIQ to EL3 (IRQ, FIQ: the host's
/// interrupts end the run, and the realm's ICC_* accesses trap to EL3, GICv3 "Traps of
/// System register accesses"), external aborts and SErrors to EL3 (EA: MMIO emulation), Secure
/// instruction fetch from Non-secure memory faults (SIF: the realm cannot execute the host's
/// pages, which it maps with NS = 1), the Secure EL1 physical timer trapped (ST = 0).
private let realmSCRBase: UInt64 = 1 << 1 | 1 << 2 | 1 << 3 | 1 << 9 | 1 << 10
private let scrTWI: UInt64 = 1 << 12
private let scrTWE: UInt64 = 1 << 13

/// CPTR_EL3.TCPAC: the realm's CPACR_EL1 accesses trap to EL3, and the core emulates the
/// register (the realm owns FPEN only: RealmCPACR). FP/SIMD itself is not trapped (TFP = 0).
private let cptrTCPAC: UInt64 = 1 << 31

/// MDCR_EL3 while a realm runs: PMU (TPM) and debug registers (TDA, TDOSA) trap to EL3 and the
/// core treats them as RAZ/WI, as on the S-EL2 image (MDCR_EL2 there). Set only for the run:
/// the normal world keeps its cycle counter.
private let mdcrRealmTraps: UInt64 = 1 << 6 | 1 << 9 | 1 << 10

/// ICC_SRE_EL3.Enable (bit 3): clear while a realm runs, so that its ICC_SRE_EL1 accesses trap
/// to EL3 on hardware (GICv3 ICC_SRE_EL3). QEMU 7.2 does not implement this trap.
private let iccSREEnable: UInt64 = 1 << 3

/// How often a realm with a masked pending interrupt is stopped to look whether it has
/// unmasked it (InterruptWindow): every 100 us, as on the S-EL2 image.
private let interruptWindowsPerSecond: UInt64 = 10_000

/// PAR_EL1 after an address translation: F (failed), NS, PA[47:12].
private let parFailed: UInt64 = 1
private let parNonSecure: UInt64 = 1 << 9
private let parAddress: UInt64 = 0xFFFF_FFFF_F000

func runREC(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
    // Only AArch64 EL1h, EL1t or EL0t (as the S-EL2 monitor checks): the core never asks for
    // another mode; a run that would is reported as an interrupt-like exit.
    let mode = state.pstate & 0x1F
    guard mode == 0b00101 || mode == 0b00100 || mode == 0b00000 else { return .irq }

    let cpu = read_tpidr_el3()
    let area = tmm_cpu_area(cpu)
    area.pointee.cpu = cpu
    let normal = monitor_context(cpu, UInt64(WORLD_NONSECURE))
    let context = monitor_context(cpu, UInt64(WORLD_SECURE))

    // The normal world's EL1 registers, timers, virtual offset and FP/SIMD: the realm's replace
    // them for the run. The EL2 registers stay the host's: with no Secure EL2 they do not
    // apply to Secure EL1.
    saveEL1Registers(normal)
    let hostTimers = RealmTimerRegisters.current()
    let hostCNTVOFF = read_cntvoff_el2()
    saveFPSIMD(into: area)
    let hostSCR = read_scr_el3(), hostCPTR = read_cptr_el3(), hostMDCR = read_mdcr_el3(), hostSRE = read_icc_sre_el3()

    var scr = realmSCRBase
    if controls.trapWFI { scr |= scrTWI }
    if controls.trapWFE { scr |= scrTWE }
    // From here EL1 system-register writes, TLB maintenance and address translations reach the
    // Secure EL1&0 regime.
    write_scr_el3(scr)
    isb()
    state.el1.load()
    state.timers.load()
    withFPSIMDWords(&state.fpsimd) { fpsimd_restore_state($0) }
    // The realm reads the counter as the host does (the contract's CVALs are in the host's view).
    write_cntvoff_el2(0)
    write_cptr_el3(hostCPTR | cptrTCPAC)
    write_mdcr_el3(hostMDCR | mdcrRealmTraps)
    write_icc_sre_el3(hostSRE & ~iccSREEnable)
    // Secure EL1 has no VMID: another realm's (or this one's earlier) stage-1 translations must
    // not survive into this run.
    tlbi_vmalle1()
    dsb_sy()
    isb()
    let masked = TimerInterruptMask(cpu: cpu, controls: controls)
    let window = controls.interruptWindow
        ? InterruptWindow(cpu: cpu, periodsPerSecond: interruptWindowsPerSecond,
                          afterWFI: controls.interruptWindowAfterWFI, phase: &area.pointee.window_phase) : nil

    withUnsafeMutableBytes(of: &context.pointee.x) { raw in
        for i in 0..<31 { raw.storeBytes(of: state.gprs[i], toByteOffset: 8 * i, as: UInt64.self) }
    }
    context.pointee.elr_el3 = state.pc
    context.pointee.spsr_el3 = state.pstate
    context.pointee.scr_el3 = scr
    let kind = el3_run_realm(context, UnsafeMutableRawPointer(area))
    context.pointee.realm_cpu = 0

    withUnsafeBytes(of: &context.pointee.x) { raw in
        for i in 0..<31 { state.gprs[i] = raw.load(fromByteOffset: 8 * i, as: UInt64.self) }
    }
    state.pc = context.pointee.elr_el3
    state.pstate = context.pointee.spsr_el3
    let esr = read_esr_el3(), far = read_far_el3()
    state.el1 = RealmEL1Registers.current()
    state.timers = RealmTimerRegisters.current()
    withFPSIMDWords(&state.fpsimd) { fpsimd_save_state($0) }
    // Translate while the realm's stage 1 is still loaded (PAR_EL1 is the realm's, saved above).
    var exit = RealmHardwareExit.irq
    if kind == Int64(REALM_EXIT_SYNC) {
        exit = synchronousExit(esr: esr, far: far, state: &state, realm: realm)
    }

    let windowEnded = window?.ended(now: read_cntpct_el0()) ?? false
    window?.restore()
    masked.restore()
    write_icc_sre_el3(hostSRE)
    write_mdcr_el3(hostMDCR)
    write_cptr_el3(hostCPTR)
    write_cntvoff_el2(hostCNTVOFF)
    hostTimers.load()
    restoreFPSIMD(from: area)
    write_scr_el3(hostSCR)
    isb()
    restoreEL1Registers(normal)
    isb()

    switch kind {
    case Int64(REALM_EXIT_SYNC): return exit
    // Named as the host would have taken it, as on the S-EL2 image (SEL2/RealmRunner.swift): in
    // Secure state the host's Group 1 interrupts are signalled as FIQ.
    case Int64(REALM_EXIT_FIQ): return windowEnded ? .interruptWindow : .irq
    case Int64(REALM_EXIT_IRQ): return windowEnded ? .interruptWindow : .fiq
    default: return .serror(esr: esr)
    }
}

/// A synchronous exception taken to EL3 from the realm, in the terms of the contract:
/// `pc` at the SMC for an SMC (ELR_EL3 is the next instruction, ELR_EL2 of a trapped SMC the SMC
/// itself), and an external abort on a data access presented as the stage-2 abort the S-EL2
/// image would have reported when the instruction can be emulated (MMIO).
private func synchronousExit(esr: UInt64, far: UInt64, state: inout RealmCPUState, realm: RealmExecutionInfo)
    -> RealmHardwareExit
{
    let ec = esr >> 26 & 0x3F
    if ec == 0x17 { state.pc &-= 4 }
    guard ec == 0x24, esr & 0x3F == 0x10 else { return .synchronous(esr: esr, far: far, hpfar: 0) }
    let data = at_s1e1r(far)
    let code = at_s1e1r(state.pc)
    guard data & parFailed == 0, code & parFailed == 0, code & parNonSecure == 0,
          let instruction = readRealmInstruction(at: code & parAddress | state.pc & 0xFFF) else {
        return .synchronous(esr: esr, far: far, hpfar: 0)
    }
    let pa = data & parAddress | far & 0xFFF
    guard let abort = IdentityPlacedAccess.stage2Abort(instruction: instruction, physicalAddress: pa,
                                                       nonSecure: data & parNonSecure != 0, ipaWidth: realm.ipaWidth)
    else { return .synchronous(esr: esr, far: far, hpfar: 0) }
    return .synchronous(esr: abort.esr, far: far, hpfar: abort.hpfar)
}

/// The instruction at secure physical address `pa`, if it lies in the secure pool (where a
/// realm's memory is and what EL3 maps); nil otherwise.
private func readRealmInstruction(at pa: UInt64) -> UInt32? {
    guard pa & 3 == 0, pa >= securePool.base, pa - securePool.base < securePool.size else { return nil }
    return UnsafePointer<UInt32>(bitPattern: UInt(pa))!.pointee
}
