// RmiRecEnter (DEN0137 B4.4.7): what the host passes to REC_ENTER, copied once into TMM
// memory and used only from that copy.

struct RECEntry: Equatable {
    var flags: UInt64
    var gprs: InlineArray<31, UInt64>
    var gicv3HCR: UInt64
    var gicv3ListRegisters: InlineArray<16, UInt64>

    init() {
        flags = 0
        gprs = InlineArray(repeating: 0)
        gicv3HCR = 0
        gicv3ListRegisters = InlineArray(repeating: 0)
    }

    static func == (a: RECEntry, b: RECEntry) -> Bool {
        guard a.flags == b.flags, a.gicv3HCR == b.gicv3HCR else { return false }
        for i in 0..<31 where a.gprs[i] != b.gprs[i] { return false }
        for i in 0..<16 where a.gicv3ListRegisters[i] != b.gicv3ListRegisters[i] { return false }
        return true
    }
}

/// The REC entry flags of RmiRecEnter.
enum RECEntryFlags {
    static let emulatedMMIO: UInt64 = 1 << 0
    static let injectSEA: UInt64 = 1 << 1
    static let trapWFI: UInt64 = 1 << 2
    static let trapWFE: UInt64 = 1 << 3
    static let ripasResponseReject: UInt64 = 1 << 4
}
