import AArch64
import MonitorStorage

// Every exception from a lower EL arrives here with that world's registers saved in `context`.
// SMCs are routed by function ID; the returned context is the one el3_exit resumes.

/// ESR_ELx.EC of an SMC executed in AArch64 state.
private let exceptionClassSMC64: UInt64 = 0x17

/// Exception kinds as numbered by el3_vectors.S.
private enum LowerELExceptionKind: UInt64 {
    case synchronous = 8, irq = 9, fiq = 10, serror = 11, aarch32 = 12
}

@_cdecl("monitor_lower_el_exception")
func monitorLowerELException(_ raw: UnsafeMutableRawPointer, _ kind: UInt64) -> UnsafeMutableRawPointer {
    let context = raw.assumingMemoryBound(to: world_context.self)
    let esr = read_esr_el3()
    let fromSecure = context.pointee.scr_el3 & 1 == 0
    if fromSecure {
        // Exception level the exception came from: SPSR_EL3.M[3:2].
        let sourceEL = context.pointee.spsr_el3 >> 2 & 3
        if sourceEL <= 1 {
            // A realm: its interrupts and GIC system-register accesses are routed here while it
            // runs (Docs/realm-execution.md); the TMM handles them.
            return UnsafeMutableRawPointer(reflectRealmException(kind: kind, esr: esr, context: context))
        }
        // The TMM itself: while it runs, interrupts are not the secure world's to take.
        context.pointee.scr_el3 = secureSCR(context.pointee.scr_el3, realmRunning: false)
        if kind == LowerELExceptionKind.irq.rawValue || kind == LowerELExceptionKind.fiq.rawValue {
            return raw
        }
    }
    guard kind == LowerELExceptionKind.synchronous.rawValue, esr >> 26 == exceptionClassSMC64 else {
        reportUnexpectedException(kind: kind, lowerEL: true)
    }
    let cpu = read_tpidr_el3()
    // SMCCC: the function ID is W0; the upper half of X0 is ignored.
    let fid = UInt32(truncatingIfNeeded: context.pointee.x.0)
    let resume = fromSecure
        ? handleSecureSMC(cpu: cpu, fid: fid, context: context)
        : handleNonSecureSMC(cpu: cpu, fid: fid, context: context)
    return UnsafeMutableRawPointer(resume)
}

private func handleNonSecureSMC(cpu: UInt64, fid: UInt32, context: UnsafeMutablePointer<world_context>)
    -> UnsafeMutablePointer<world_context>
{
    if UInt64(fid) >= TMMForwarding.rmiFirst && UInt64(fid) <= TMMForwarding.rmiLast {
        return forwardRMI(cpu: cpu, context: context)
    }
    switch fid {
    case SMCCC.version:
        context.pointee.x.0 = SMCCC.implementedVersion
    case SMCCC.archFeatures:
        context.pointee.x.0 = smcccArchFeatures(UInt32(truncatingIfNeeded: context.pointee.x.1))
    case PSCI.version, PSCI.cpuSuspend32, PSCI.cpuSuspend64, PSCI.cpuOff, PSCI.cpuOn32, PSCI.cpuOn64,
         PSCI.affinityInfo32, PSCI.affinityInfo64, PSCI.migrateInfoType, PSCI.systemOff, PSCI.systemReset,
         PSCI.features:
        return PSCIService.handle(cpu: cpu, fid: fid, context: context)
    default:
        context.pointee.x.0 = SMCCC.returnValue(SMCCC.notSupported)
    }
    return context
}

/// SCR_EL3.IRQ and FIQ: set in the secure world's SCR only while a realm runs.
let secureRealmRouting: UInt64 = 1 << 1 | 1 << 2

/// SCR_EL3.SIF: Secure instruction fetches from Non-secure memory fault. Kept for the TMM, lifted
/// while a realm runs: a realm's stage-1 NS bit must have no effect (it selects the Non-secure
/// IPA space, which the TMM translates with the realm's own RTTs into Secure memory), and with
/// SIF set the CPU refuses to execute through an NS = 1 stage-1 mapping whatever stage 2 says.
/// Nothing Non-secure becomes executable: unprotected RTT mappings are stage-2 execute-never.
let secureInstructionFetchOnly: UInt64 = 1 << 9

/// SCR_EL3 of the secure world while a realm runs (`entering`) or the TMM does.
func secureSCR(_ scr: UInt64, realmRunning entering: Bool) -> UInt64 {
    entering ? scr & ~secureInstructionFetchOnly | secureRealmRouting
        : scr & ~secureRealmRouting | secureInstructionFetchOnly
}

/// Hands an exception the monitor took from a realm to the TMM as if it had been taken to
/// Secure EL2 (VBAR_EL2 + 0x400 + 0x80 * kind for a lower EL in AArch64), with ELR_EL2,
/// SPSR_EL2 and, for a synchronous exception, ESR_EL2 and FAR_EL2 as the architecture would
/// set them. Interrupt routing goes back to the TMM's.
private func reflectRealmException(kind: UInt64, esr: UInt64, context: UnsafeMutablePointer<world_context>)
    -> UnsafeMutablePointer<world_context>
{
    guard kind >= LowerELExceptionKind.synchronous.rawValue && kind <= LowerELExceptionKind.serror.rawValue else {
        reportUnexpectedException(kind: kind, lowerEL: true)
    }
    write_elr_el2(context.pointee.elr_el3)
    write_spsr_el2(context.pointee.spsr_el3)
    if kind == LowerELExceptionKind.synchronous.rawValue {
        write_esr_el2(esr)
        write_far_el2(read_far_el3())
    }
    context.pointee.elr_el3 = read_vbar_el2() + 0x400 + 0x80 * (kind - LowerELExceptionKind.synchronous.rawValue)
    context.pointee.spsr_el3 = spsrEL2hMasked
    context.pointee.scr_el3 = secureSCR(context.pointee.scr_el3, realmRunning: false)
    return context
}

/// SMCCC_ARCH_FEATURES: SMCCC_VERSION and ARCH_FEATURES itself exist; no workaround
/// (ARCH_WORKAROUND_1/2/3) or SoC-ID function is implemented or needed on this platform.
private func smcccArchFeatures(_ queried: UInt32) -> UInt64 {
    switch queried {
    case SMCCC.version, SMCCC.archFeatures: 0
    default: SMCCC.returnValue(SMCCC.notSupported)
    }
}

/// The RMI function range the monitor forwards: TF-A's RMMD reserves the SMC64 Standard Secure
/// Service function numbers 0x150-0x18F for RMI.
enum TMMForwarding {
    static let rmiFirst: UInt64 = 0xC400_0150
    static let rmiLast: UInt64 = 0xC400_018F
}
