// Which starting levels and how many concatenated starting-level tables a given IPA width
// needs, as the architecture defines for stage 2 with 4 KiB granules (AArch64.S2InconsistentSL,
// AArch64.S2InvalidSL) and DEN0137 RMI_REALM_CREATE requires (rtt_num_start must equal the
// number the hardware walk needs; at most 16 concatenated tables).

enum StartLevelGeometry {
    static let maxConcatenatedTables = 16

    /// The number of starting-level tables for `ipaWidth` bits starting at `level`, or nil
    /// when that combination cannot be walked. `maxIPAWidth` is the platform's PA width: a
    /// level-0 start needs at least 44 bits of it (AArch64.S2InvalidSL).
    static func rootTableCount(ipaWidth: UInt64, level: Int64, maxIPAWidth: UInt64) -> Int? {
        guard level >= Int64(RTTGeometry.minStartLevel), level <= Int64(RTTGeometry.pageLevel) else { return nil }
        if level == 0 && maxIPAWidth < 44 { return nil }
        let levelsBelow = UInt64(RTTGeometry.pageLevel) - UInt64(level)
        let minBits = levelsBelow * RTTGeometry.bitsPerLevel + granuleShift + 1
        let maxBits = minBits + (RTTGeometry.bitsPerLevel - 1) + 4
        guard ipaWidth >= minBits, ipaWidth <= maxBits else { return nil }
        let singleTableBits = levelsBelow * RTTGeometry.bitsPerLevel + granuleShift + RTTGeometry.bitsPerLevel
        return ipaWidth <= singleTableBits ? 1 : 1 << Int(ipaWidth - singleTableBits)
    }
}
