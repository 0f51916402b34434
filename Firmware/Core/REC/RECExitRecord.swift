// RmiRecExit (DEN0137 B4.4.8): what the host learns about a REC exit, at offset 0x800 of
// RmiRecRun. Fields not listed stay zero.

struct RECExitRecord {
    var reason: UInt64 = 0
    var esr: UInt64 = 0
    var far: UInt64 = 0
    var hpfar: UInt64 = 0
    var gprs = InlineArray<8, UInt64>(repeating: 0)
    var ripasBase: UInt64 = 0
    var ripasTop: UInt64 = 0
    var ripasValue: UInt64 = 0
    var immediate: UInt64 = 0

    static let sync: UInt64 = 0
    static let irq: UInt64 = 1
    static let fiq: UInt64 = 2
    static let psci: UInt64 = 3
    static let ripasChange: UInt64 = 4
    static let hostCall: UInt64 = 5
    static let serror: UInt64 = 6
}

/// The REC entry flags of RmiRecEnter.
enum RECEntryFlags {
    static let emulatedMMIO: UInt64 = 1 << 0
    static let injectSEA: UInt64 = 1 << 1
    static let trapWFI: UInt64 = 1 << 2
    static let trapWFE: UInt64 = 1 << 3
    static let ripasResponseReject: UInt64 = 1 << 4
}

/// ESR_EL2 fields for data aborts from a lower EL.
enum DataAbortSyndrome {
    static let classDataAbortLower: UInt64 = 0x24

    static func exceptionClass(_ esr: UInt64) -> UInt64 { esr >> 26 & 0x3F }
    static func isValidSyndrome(_ esr: UInt64) -> Bool { esr & 1 << 24 != 0 }
    static func isWrite(_ esr: UInt64) -> Bool { esr & 1 << 6 != 0 }
    static func register(_ esr: UInt64) -> Int { Int(esr >> 16 & 0x1F) }
    static func accessBytes(_ esr: UInt64) -> UInt64 { 1 << (esr >> 22 & 0x3) }
    static func signExtends(_ esr: UInt64) -> Bool { esr & 1 << 21 != 0 }
    static func is64Bit(_ esr: UInt64) -> Bool { esr & 1 << 15 != 0 }
}
