// Values exchanged with the REC-entry hook of `TMMHardware`: what the core hands the hardware
// to run a REC, and what the hardware reports when the REC stops.

/// The realm-visible CPU state that the core keeps in the REC granule.
public struct RECContext: Equatable, Sendable {
    public var gprs: InlineArray<31, UInt64>
    public var pc: UInt64

    public init(gprs: InlineArray<31, UInt64> = InlineArray(repeating: 0), pc: UInt64 = 0) {
        self.gprs = gprs
        self.pc = pc
    }

    public static func == (a: RECContext, b: RECContext) -> Bool {
        guard a.pc == b.pc else { return false }
        for i in 0..<31 where a.gprs[i] != b.gprs[i] { return false }
        return true
    }
}

/// Realm-wide values the hardware needs to run a REC of the realm.
public struct RealmExecutionInfo: Equatable, Sendable {
    public var vmid: UInt16
    /// Physical address of the first starting-level RTT (VSTTBR_EL2/VTTBR_EL2.BADDR).
    public var rttBase: PhysicalAddress
    public var ipaWidth: UInt8
    public var startLevel: Int8
    public var recIndex: UInt64
    public var mpidr: UInt64
}

/// RmiRecEnter fields the host passed to REC_ENTER (DEN0137 B4.4.7), copied into TMM memory.
public struct RECEntry: Equatable, Sendable {
    public var flags: UInt64
    public var gprs: InlineArray<31, UInt64>
    public var gicv3HCR: UInt64
    public var gicv3ListRegisters: InlineArray<16, UInt64>

    public init() {
        flags = 0
        gprs = InlineArray(repeating: 0)
        gicv3HCR = 0
        gicv3ListRegisters = InlineArray(repeating: 0)
    }

    public static func == (a: RECEntry, b: RECEntry) -> Bool {
        guard a.flags == b.flags, a.gicv3HCR == b.gicv3HCR else { return false }
        for i in 0..<31 where a.gprs[i] != b.gprs[i] { return false }
        for i in 0..<16 where a.gicv3ListRegisters[i] != b.gicv3ListRegisters[i] { return false }
        return true
    }
}

/// Why a REC stopped running, as reported by the hardware back-end. The core turns it into an
/// RmiRecExit record and into the REC state that later commands depend on.
public enum RECExit: Equatable, Sendable {
    /// A synchronous exception the host must see (RMI_EXIT_SYNC): ESR_EL2, FAR_EL2, HPFAR_EL2.
    case sync(esr: UInt64, far: UInt64, hpfar: UInt64)
    case irq
    case fiq
    case serror(esr: UInt64)
    /// A PSCI call from the realm (RMI_EXIT_PSCI): function ID and arguments x1...x3.
    case psci(function: UInt64, x1: UInt64, x2: UInt64, x3: UInt64)
    /// RSI_IPA_STATE_SET (RMI_EXIT_RIPAS_CHANGE): the realm asks the host to change the RIPAS
    /// of [base, top) to `ripas` (EMPTY 0 or RAM 1), optionally from DESTROYED.
    case ripasChange(base: UInt64, top: UInt64, ripas: UInt8, changeDestroyed: Bool)
    /// RSI_HOST_CALL (RMI_EXIT_HOST_CALL) with its immediate.
    case hostCall(immediate: UInt16)
}
