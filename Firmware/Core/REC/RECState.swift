// The content of a REC granule (DEN0137 A2.3 "REC attributes"), written by REC_CREATE into a
// zeroed DELEGATED granule.

/// A RIPAS change the realm requested (RSI_IPA_STATE_SET) that the host works through with
/// RTT_SET_RIPAS: [base, top) with `next` the first address not yet done.
struct RIPASChangeRequest {
    var base: UInt64
    var top: UInt64
    var next: UInt64
    var ripas: RIPAS
    var changeDestroyed: Bool

    var isPending: Bool { base != top }
}

/// A PSCI request waiting for PSCI_COMPLETE (DEN0137 A4.3.7): the realm's function ID and
/// arguments, kept from the REC exit.
struct PSCIRequest {
    var pending: Bool
    var function: UInt64
    var x1: UInt64
    var x2: UInt64
    var x3: UInt64
}

struct RECState {
    var owner: UInt64
    var index: UInt64
    var mpidr: UInt64
    var runnable: Bool
    var context: RECContext
    var auxCount: UInt8
    var aux: InlineArray<16, UInt64>
    var psci: PSCIRequest
    var ripasChange: RIPASChangeRequest
    var hostCallPending: Bool
    /// ESR_EL2 and HPFAR_EL2 of the last exit, to check the host's MMIO/SEA completion.
    var lastExitESR: UInt64
    var lastExitHPFAR: UInt64
}

extension LockedGranule {
    var rec: UnsafeMutablePointer<RECState> { contents.assumingMemoryBound(to: RECState.self) }
}
