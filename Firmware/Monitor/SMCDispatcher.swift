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
    guard kind == LowerELExceptionKind.synchronous.rawValue, esr >> 26 == exceptionClassSMC64 else {
        reportUnexpectedException(kind: kind, lowerEL: true)
    }
    let cpu = read_tpidr_el3()
    // SMCCC: the function ID is W0; the upper half of X0 is ignored.
    let fid = UInt32(truncatingIfNeeded: context.pointee.x.0)
    let fromSecure = context.pointee.scr_el3 & 1 == 0
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
