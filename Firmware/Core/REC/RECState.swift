// The content of a REC granule (DEN0137 A2.3 "REC attributes"), written by REC_CREATE into a
// zeroed DELEGATED granule and scrubbed with it at REC_DESTROY.
//
// Layout budget (one 4 KiB granule): the realm's CPU state (about 1 KiB, half of it FP/SIMD),
// the emulated GIC interface (about 170 bytes), the bookkeeping below (about 250 bytes).
// TMM.init refuses to start if RECState outgrows the granule; a test pins the size. The
// attestation token (up to CCAToken.maxSize, about 5 KiB) does not fit and lives in the
// auxiliary granules (RECAuxiliaryStorage.swift).

/// A RIPAS change the realm requested (RSI_IPA_STATE_SET) that the host works through with
/// RTT_SET_RIPAS: [base, top) with `next` the first address not yet done.
struct RIPASChangeRequest {
    var base: UInt64
    var top: UInt64
    var next: UInt64
    var ripas: RIPAS
    var changeDestroyed: Bool

    var isPending: Bool { base != top }

    static let none = RIPASChangeRequest(base: 0, top: 0, next: 0, ripas: .empty, changeDestroyed: false)
}

/// A PSCI request waiting for PSCI_COMPLETE (DEN0137 A4.3.7): the realm's function ID and
/// arguments (target MPIDR, entry point, context ID), kept from the REC exit.
struct PSCIRequest {
    var pending: Bool
    var function: UInt64
    var x1: UInt64
    var x2: UInt64
    var x3: UInt64

    static let none = PSCIRequest(pending: false, function: 0, x1: 0, x2: 0, x3: 0)
}

/// An RSI_HOST_CALL waiting for the host's results: the IPA of the realm's RsiHostCall.
struct HostCallRequest {
    var pending: Bool
    var ipa: UInt64

    static let none = HostCallRequest(pending: false, ipa: 0)
}

/// Whether each EL1 timer's output was asserted in the last state reported to the host.
struct TimerOutputs: Equatable {
    var virtualAsserted: Bool
    var physicalAsserted: Bool

    /// ENABLE = 1, IMASK = 0, ISTATUS = 1 (CNTx_CTL_EL0 bits 0, 1, 2).
    static func isAsserted(_ ctl: UInt64) -> Bool { ctl & 0x7 == 0x5 }

    init(virtualAsserted: Bool, physicalAsserted: Bool) {
        self.virtualAsserted = virtualAsserted
        self.physicalAsserted = physicalAsserted
    }

    init(_ timers: RealmTimerRegisters) {
        virtualAsserted = Self.isAsserted(timers.cntvCTL)
        physicalAsserted = Self.isAsserted(timers.cntpCTL)
    }
}

struct RECState {
    var owner: UInt64
    var index: UInt64
    var mpidr: UInt64
    var runnable: Bool
    var auxCount: UInt8
    var aux: InlineArray<16, UInt64>
    var psci: PSCIRequest
    var ripasChange: RIPASChangeRequest
    var hostCall: HostCallRequest
    /// ESR_EL2 (ISV cleared when the exit was not emulatable), FAR_EL2 and HPFAR_EL2 of the
    /// last REC exit, to check and apply the host's EMUL_MMIO / INJECT_SEA.
    var lastExitESR: UInt64
    var lastExitFAR: UInt64
    var lastExitHPFAR: UInt64
    var reportedTimers: TimerOutputs
    var attestation: AttestationTokenSession
    var gic: VirtualGICv3
    var cpu: RealmCPUState

    /// A new REC (DEN0137 RMI_REC_CREATE): x0-x7 and PC from the parameters, EL1h with every
    /// exception masked, SCTLR_EL1 at its reset value, every other register 0.
    init(owner: UInt64, index: UInt64, mpidr: UInt64, runnable: Bool, auxCount: UInt8, aux: InlineArray<16, UInt64>,
         gprs: InlineArray<8, UInt64>, pc: UInt64) {
        self.owner = owner
        self.index = index
        self.mpidr = mpidr
        self.runnable = runnable
        self.auxCount = auxCount
        self.aux = aux
        psci = .none
        ripasChange = .none
        hostCall = .none
        lastExitESR = 0
        lastExitFAR = 0
        lastExitHPFAR = 0
        reportedTimers = TimerOutputs(virtualAsserted: false, physicalAsserted: false)
        attestation = AttestationTokenSession()
        gic = VirtualGICv3()
        cpu = RealmCPUState()
        for i in 0..<8 { cpu.gprs[i] = gprs[i] }
        cpu.pc = pc
        cpu.pstate = RealmPSTATE.reset
        cpu.el1.sctlr = RealmSCTLR.reset
    }
}

extension LockedGranule {
    var rec: UnsafeMutablePointer<RECState> { contents.assumingMemoryBound(to: RECState.self) }
}
