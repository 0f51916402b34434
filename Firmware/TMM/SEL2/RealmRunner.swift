import AArch64
import PlatformDefinitions
import RealmRun
import TMMStorage

// One run of a realm at Secure EL1: the hardware side of the contract in
// Firmware/Core/Platform/RealmExecution.swift. Docs/realm-execution.md says why it is built
// this way. The monitor switches the EL1 and EL2 registers between the worlds; the TMM owns
// what the monitor leaves alone (FP/SIMD, the EL1 timers) and the EL2 controls of the realm.

/// HCR_EL2 while a realm runs: stage 2 on (VM), set/way invalidation upgraded (SWIO), SErrors to
/// EL2 (AMO), broadcasts inner shareable (FB, BSU), SMC (RSI) trapped (TSC), feature ID
/// registers trapped so the realm reads the TMM's view of them (TID3), implementation
/// defined and auxiliary control registers and set/way cache maintenance trapped (TIDCP,
/// TACR, TSW), LORegion registers trapped (TLOR), synchronous external aborts to EL2 (TEA),
/// EL1 in AArch64 (RW). IMO/FMO stay clear: with SCR_EL3.IRQ/FIQ set that routes the realm's
/// ICC_* accesses and physical interrupts to EL3, which reflects them here (QEMU 7.2 stops
/// trapping them to EL3 when IMO or FMO is set, so VI/VF cannot be used: InterruptWindow).
/// API/APK stay clear: the realm's pointer-authentication keys are not switched, so their use
/// traps (and the feature ID registers say the CPU has none).
private let realmHCRBase: UInt64 = 1 << 0 | 1 << 1 | 1 << 5 | 1 << 9 | 1 << 10 | 1 << 18 | 1 << 19 | 1 << 20
    | 1 << 21 | 1 << 22 | 1 << 31 | 1 << 35 | 1 << 37
private let hcrTWI: UInt64 = 1 << 13
private let hcrTWE: UInt64 = 1 << 14
/// How often a realm with a masked pending interrupt is stopped to look whether it has
/// unmasked it (InterruptWindow): every 100 us.
private let interruptWindowsPerSecond: UInt64 = 10_000

/// CPTR_EL2 (E2H = 0) while a realm runs: FP/SIMD allowed (the TMM switches it), SVE (TZ) and
/// SME (TSM) trapped whatever CPACR_EL1 says, trace (TTA) and activity monitors (TAM) trapped,
/// and CPACR_EL1 accesses (TCPAC) trapped: the core emulates the register so that the realm
/// owns FPEN and nothing else reaches the hardware (Firmware/Core/REC/RealmCPACR.swift).
private let realmCPTR: UInt64 = 0x33FF | 1 << 20 | 1 << 30 | 1 << 31

/// MDCR_EL2: PMU (TPM, TPMCR) and debug registers (TDA, TDOSA, TDRA) trapped: realms are
/// given neither.
private let realmMDCR: UInt64 = 1 << 5 | 1 << 6 | 1 << 9 | 1 << 10 | 1 << 11

/// CNTHCTL_EL2 (E2H = 0): the EL1 physical counter and timer are the realm's to use.
private let realmCNTHCTL: UInt64 = 1 << 0 | 1 << 1


func runREC(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls)
    -> RealmHardwareExit
{
    let area = UnsafeMutablePointer<tmm_cpu>(bitPattern: UInt(read_tpidr_el2()))!
    let hostTimers = RealmTimerRegisters.current()
    saveFPSIMD(into: area)

    state.el1.load()
    state.timers.load()
    withFPSIMDWords(&state.fpsimd) { fpsimd_restore_state($0) }
    configureStage2(realm)
    var hcr = realmHCRBase
    if controls.trapWFI { hcr |= hcrTWI }
    if controls.trapWFE { hcr |= hcrTWE }
    write_hcr_el2(hcr)
    write_cptr_el2(realmCPTR)
    write_mdcr_el2(realmMDCR)
    write_cnthctl_el2(realmCNTHCTL)
    write_cntvoff_el2(0)
    write_vmpidr_el2(realm.mpidrEL1)
    isb()
    let masked = TimerInterruptMask(cpu: area.pointee.cpu, controls: controls)
    let window = controls.interruptWindow
        ? InterruptWindow(cpu: area.pointee.cpu, periodsPerSecond: interruptWindowsPerSecond,
                          afterWFI: controls.interruptWindowAfterWFI, phase: &area.pointee.window_phase) : nil

    var run = realm_run()
    withUnsafeMutableBytes(of: &run.x) { raw in
        for i in 0..<31 { raw.storeBytes(of: state.gprs[i], toByteOffset: 8 * i, as: UInt64.self) }
    }
    run.pc = state.pc
    run.pstate = state.pstate
    let kind = tmm_run_realm(&run)

    withUnsafeBytes(of: &run.x) { raw in
        for i in 0..<31 { state.gprs[i] = raw.load(fromByteOffset: 8 * i, as: UInt64.self) }
    }
    state.pc = run.pc
    state.pstate = run.pstate
    let esr = read_esr_el2(), far = read_far_el2(), hpfar = read_hpfar_el2()
    state.el1 = RealmEL1Registers.current()
    state.timers = RealmTimerRegisters.current()
    withFPSIMDWords(&state.fpsimd) { fpsimd_save_state($0) }

    let windowEnded = window?.ended(now: read_cntpct_el0()) ?? false
    window?.restore()
    masked.restore()
    hostTimers.load()
    restoreFPSIMD(from: area)

    switch kind {
    case Int64(REALM_EXIT_SYNC): return .synchronous(esr: esr, far: far, hpfar: hpfar)
    // A physical interrupt, named as the host would have taken it (RMI_EXIT_IRQ/FIQ): in Secure
    // state the GIC signals the other security state's Group 1, the host's interrupts, as FIQ,
    // and Secure Group 1 as IRQ; in the normal world, or in the Realm state of an RME CPU,
    // the host's are IRQs and Secure Group 1 is FIQ (GICv3, "Interrupt grouping"). Group 0
    // (EL3's, FIQ in both) is not used on this platform.
    case Int64(REALM_EXIT_FIQ): return windowEnded ? .interruptWindow : .irq
    case Int64(REALM_EXIT_IRQ): return windowEnded ? .interruptWindow : .fiq
    case Int64(REALM_EXIT_SERROR): return .serror(esr: esr)
    default:
        // The monitor refused the entry: the core never asks for a PSTATE other than EL1/EL0
        // AArch64, so this is a TMM bug; report it to the host as an interrupt-like exit.
        return .irq
    }
}

/// VTCR_EL2 fields every realm shares: 4 KiB granule (TG0 0), inner-shareable write-back walks
/// (SH0, IRGN0, ORGN0), this CPU's PA size (PS), VMID width (VS), RES1 bit 31; NSW = NSA = 0:
/// walks and output of the Non-secure IPA space in the Secure PA space (Arm ARM VTCR_EL2, with
/// FEAT_SEL2). VSTCR_EL2 takes TG0, SH0, IRGN0, ORGN0 and PS from VTCR_EL2 too. Computed once at
/// cold boot (`prepareRealmExecution`), before any REC runs.
nonisolated(unsafe) private var stage2ControlBase: UInt64 = 0

func prepareRealmExecution() {
    let ps = min(read_id_aa64mmfr0_el1() & 0xF, 5)
    let vmid16: UInt64 = CPUFeatures.vmidBits == 16 ? 1 << 19 : 0
    stage2ControlBase = 1 << 8 | 1 << 10 | 3 << 12 | ps << 16 | vmid16 | 1 << 31
}

/// Stage 2 of the realm. Its RTTs translate both IPA spaces of the Secure EL1&0 regime, so the
/// realm's stage-1 NS bit changes nothing (a realm tells protected from unprotected memory by
/// the top IPA bit): VSTTBR_EL2 and VTTBR_EL2 name the same starting-level RTTs, VSTCR_EL2 and
/// VTCR_EL2 give them the same geometry (T0SZ, SL0), and both IPA spaces walk and output to the
/// Secure PA space (VSTCR_EL2.SW/SA = 0, VTCR_EL2.NSW/NSA = 0). The VMID in VTTBR_EL2 tags
/// both. Checked on QEMU 7.2: it walks VTTBR_EL2 for the Non-secure IPA space (a VTTBR_EL2
/// naming other memory made the realm's NS = 1 accesses fault), in the Secure PA space (the
/// RTTs are in secure-only RAM) and outputs Secure addresses (the realm reads its protected
/// RAM, which is secure-only, through NS = 1). The caller's ISB makes these writes take effect.
private func configureStage2(_ realm: RealmExecutionInfo) {
    // SL0 for a 4 KiB granule: 2 = start at level 0, 1 = level 1, 0 = level 2.
    let sl0 = UInt64(2 - Int(realm.startLevel)) & 3
    let geometry = (64 - UInt64(realm.ipaWidth)) | sl0 << 6
    write_vtcr_el2(stage2ControlBase | geometry)
    write_vstcr_el2(geometry)
    write_vsttbr_el2(realm.rttBase.value)
    write_vttbr_el2(realm.rttBase.value | UInt64(realm.vmid) << 48)
}
