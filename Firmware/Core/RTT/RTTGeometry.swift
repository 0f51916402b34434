// Stage-2 translation geometry for 4 KiB granules (VMSAv8-64): levels 0...3, 512 entries a
// table, 9 IPA bits resolved per level. Levels here are always validated to 0...3 first.

enum RTTGeometry {
    static let pageLevel = 3
    static let entriesPerTable = 512
    static let bitsPerLevel: UInt64 = 9
    /// Smallest level with block descriptors the RMM creates (TF-RMM S2TT_MIN_BLOCK_LEVEL).
    static let minBlockLevel = 1
    static let minStartLevel = 0

    @inline(__always)
    static func isValidLevel(_ level: Int) -> Bool { level >= 0 && level <= pageLevel }

    /// log2 of the IPA range one entry at `level` maps.
    @inline(__always)
    static func shift(_ level: Int) -> UInt64 { granuleShift + bitsPerLevel * UInt64(pageLevel - level) }

    @inline(__always)
    static func mapSize(_ level: Int) -> UInt64 { 1 << shift(level) }

    @inline(__always)
    static func index(of ipa: UInt64, level: Int) -> Int { Int((ipa >> shift(level)) & 0x1FF) }

    @inline(__always)
    static func isAligned(_ ipa: UInt64, level: Int) -> Bool { ipa & (mapSize(level) - 1) == 0 }
}
