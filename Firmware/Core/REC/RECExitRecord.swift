// RmiRecExit (DEN0137 B4.4.8): what the host learns about a REC exit, at offset 0x800 of
// RmiRecRun. Built in TMM memory from zero, so every field the exit does not define is 0 and
// nothing of the realm or of the TMM leaks; written to the host's buffer in one place.
//
// The record is kept in RmiRecExit's own layout (2 KiB of little-endian 64-bit words) and each
// field is written in place, so the exit is copied to the host as it stands: assembling a
// separate image at the end cost a copy per field group (README: Benchmark).

struct RECExitRecord {
    /// RmiRecExit as the host reads it; every word the exit does not define stays zero.
    private(set) var image = InlineArray<256, UInt64>(repeating: 0)

    // Byte offsets in RmiRecExit.
    private static let reasonOffset = 0x000
    private static let esrOffset = 0x100
    private static let farOffset = 0x108
    private static let hpfarOffset = 0x110
    private static let gprsOffset = 0x200
    private static let gicHCROffset = 0x300
    private static let gicListRegistersOffset = 0x308
    private static let gicMISROffset = 0x388
    private static let gicVMCROffset = 0x390
    private static let cntpCTLOffset = 0x400
    private static let cntpCVALOffset = 0x408
    private static let cntvCTLOffset = 0x410
    private static let cntvCVALOffset = 0x418
    private static let ripasBaseOffset = 0x500
    private static let ripasTopOffset = 0x508
    private static let ripasValueOffset = 0x510
    private static let immediateOffset = 0x600
    private static let pmuOverflowOffset = 0x700

    static let gprCount = 31
    static let listRegisterCount = 16

    init() {}

    private subscript(offset: Int) -> UInt64 {
        get { image[offset / 8] }
        set { image[offset / 8] = newValue }
    }

    var reason: UInt64 {
        get { self[Self.reasonOffset] }
        set { self[Self.reasonOffset] = newValue }
    }
    var esr: UInt64 {
        get { self[Self.esrOffset] }
        set { self[Self.esrOffset] = newValue }
    }
    var far: UInt64 {
        get { self[Self.farOffset] }
        set { self[Self.farOffset] = newValue }
    }
    var hpfar: UInt64 {
        get { self[Self.hpfarOffset] }
        set { self[Self.hpfarOffset] = newValue }
    }
    /// gprs[0...30]; an index outside is ignored (reads as 0), so no caller can write past them.
    subscript(gpr i: Int) -> UInt64 {
        get { i >= 0 && i < Self.gprCount ? self[Self.gprsOffset + 8 * i] : 0 }
        set { if i >= 0 && i < Self.gprCount { self[Self.gprsOffset + 8 * i] = newValue } }
    }
    /// gprs[0..<count] (count at most 31) from `source`, in one copy.
    mutating func setGPRs(from source: UnsafeRawPointer, count: Int) {
        let n = min(max(count, 0), Self.gprCount)
        withUnsafeMutableBytes(of: &image) { words in
            (words.baseAddress! + Self.gprsOffset).copyMemory(from: source, byteCount: 8 * n)
        }
    }
    var gicHCR: UInt64 {
        get { self[Self.gicHCROffset] }
        set { self[Self.gicHCROffset] = newValue }
    }
    /// gicv3_lrs[0...15]; an index outside is ignored.
    mutating func setListRegister(_ i: Int, _ value: UInt64) {
        if i >= 0 && i < Self.listRegisterCount { self[Self.gicListRegistersOffset + 8 * i] = value }
    }
    func listRegister(_ i: Int) -> UInt64 {
        i >= 0 && i < Self.listRegisterCount ? self[Self.gicListRegistersOffset + 8 * i] : 0
    }
    var gicMISR: UInt64 {
        get { self[Self.gicMISROffset] }
        set { self[Self.gicMISROffset] = newValue }
    }
    var gicVMCR: UInt64 {
        get { self[Self.gicVMCROffset] }
        set { self[Self.gicVMCROffset] = newValue }
    }
    var cntpCTL: UInt64 {
        get { self[Self.cntpCTLOffset] }
        set { self[Self.cntpCTLOffset] = newValue }
    }
    var cntpCVAL: UInt64 {
        get { self[Self.cntpCVALOffset] }
        set { self[Self.cntpCVALOffset] = newValue }
    }
    var cntvCTL: UInt64 {
        get { self[Self.cntvCTLOffset] }
        set { self[Self.cntvCTLOffset] = newValue }
    }
    var cntvCVAL: UInt64 {
        get { self[Self.cntvCVALOffset] }
        set { self[Self.cntvCVALOffset] = newValue }
    }
    var ripasBase: UInt64 {
        get { self[Self.ripasBaseOffset] }
        set { self[Self.ripasBaseOffset] = newValue }
    }
    var ripasTop: UInt64 {
        get { self[Self.ripasTopOffset] }
        set { self[Self.ripasTopOffset] = newValue }
    }
    /// A byte field: the low byte of its (otherwise zero) word, little-endian.
    var ripasValue: UInt8 {
        get { UInt8(truncatingIfNeeded: self[Self.ripasValueOffset]) }
        set { self[Self.ripasValueOffset] = UInt64(newValue) }
    }
    var immediate: UInt64 {
        get { self[Self.immediateOffset] }
        set { self[Self.immediateOffset] = newValue }
    }
    var pmuOverflow: UInt64 {
        get { self[Self.pmuOverflowOffset] }
        set { self[Self.pmuOverflowOffset] = newValue }
    }

    static let sync: UInt64 = 0
    static let irq: UInt64 = 1
    static let fiq: UInt64 = 2
    static let psci: UInt64 = 3
    static let ripasChange: UInt64 = 4
    static let hostCall: UInt64 = 5
    static let serror: UInt64 = 6
}
