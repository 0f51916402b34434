// RmiRecExit (DEN0137 B4.4.8): what the host learns about a REC exit, at offset 0x800 of
// RmiRecRun. Built in TMM memory from zero, so every field the exit does not define is 0 and
// nothing of the realm or of the TMM leaks; written to the host's buffer in one place.

struct RECExitRecord {
    var reason: UInt64 = 0
    var esr: UInt64 = 0
    var far: UInt64 = 0
    var hpfar: UInt64 = 0
    var gprs = InlineArray<31, UInt64>(repeating: 0)
    var gicHCR: UInt64 = 0
    var gicListRegisters = InlineArray<16, UInt64>(repeating: 0)
    var gicMISR: UInt64 = 0
    var gicVMCR: UInt64 = 0
    var cntpCTL: UInt64 = 0
    var cntpCVAL: UInt64 = 0
    var cntvCTL: UInt64 = 0
    var cntvCVAL: UInt64 = 0
    var ripasBase: UInt64 = 0
    var ripasTop: UInt64 = 0
    var ripasValue: UInt8 = 0
    var immediate: UInt64 = 0
    var pmuOverflow: UInt64 = 0

    static let sync: UInt64 = 0
    static let irq: UInt64 = 1
    static let fiq: UInt64 = 2
    static let psci: UInt64 = 3
    static let ripasChange: UInt64 = 4
    static let hostCall: UInt64 = 5
    static let serror: UInt64 = 6
}
