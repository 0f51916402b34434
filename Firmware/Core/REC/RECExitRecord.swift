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

    /// RmiRecExit as the host reads it, 2 KiB of 64-bit words (little-endian, so `ripasValue`
    /// is the low byte of its word at 0x510), every word the exit does not define zero.
    var image: InlineArray<256, UInt64> {
        var w = InlineArray<256, UInt64>(repeating: 0)
        w[0x000 / 8] = reason
        w[0x100 / 8] = esr
        w[0x108 / 8] = far
        w[0x110 / 8] = hpfar
        for i in 0..<31 { w[0x200 / 8 + i] = gprs[i] }
        w[0x300 / 8] = gicHCR
        for i in 0..<16 { w[0x308 / 8 + i] = gicListRegisters[i] }
        w[0x388 / 8] = gicMISR
        w[0x390 / 8] = gicVMCR
        w[0x400 / 8] = cntpCTL
        w[0x408 / 8] = cntpCVAL
        w[0x410 / 8] = cntvCTL
        w[0x418 / 8] = cntvCVAL
        w[0x500 / 8] = ripasBase
        w[0x508 / 8] = ripasTop
        w[0x510 / 8] = UInt64(ripasValue)
        w[0x600 / 8] = immediate
        w[0x700 / 8] = pmuOverflow
        return w
    }

    static let sync: UInt64 = 0
    static let irq: UInt64 = 1
    static let fiq: UInt64 = 2
    static let psci: UInt64 = 3
    static let ripasChange: UInt64 = 4
    static let hostCall: UInt64 = 5
    static let serror: UInt64 = 6
}
