// Argument checks shared by the RTT and DATA commands (TF-RMM rel0 runtime/rmi/rtt.c
// validate_map_addr and friends). Every check is a comparison; nothing is computed from an
// unchecked value.

extension FixedRealmAttributes {
    /// The IPA is inside the realm's IPA space and aligned to an entry at `level`.
    func isMappable(_ ipa: UInt64, level: Int) -> Bool {
        RTTGeometry.isValidLevel(level) && ipa < ipaSize && RTTGeometry.isAligned(ipa, level: level)
    }

    /// RTT_CREATE, RTT_DESTROY, RTT_FOLD: any table but a starting-level one, so the level is
    /// start+1...3 and the IPA is aligned to the parent entry.
    func validStructureLevel(_ ulevel: UInt64, ipa: UInt64) -> Int? {
        guard ulevel <= UInt64(RTTGeometry.pageLevel), Int64(ulevel) > Int64(startLevel) else { return nil }
        let level = Int(ulevel)
        return isMappable(ipa, level: level - 1) ? level : nil
    }

    /// RTT_READ_ENTRY: any entry, so the level is start...3.
    func validEntryLevel(_ ulevel: UInt64, ipa: UInt64) -> Int? {
        guard ulevel <= UInt64(RTTGeometry.pageLevel), Int64(ulevel) >= Int64(startLevel) else { return nil }
        let level = Int(ulevel)
        return isMappable(ipa, level: level) ? level : nil
    }
}

/// RTT_MAP_UNPROTECTED / RTT_UNMAP_UNPROTECTED take levels 1...3 (block or page).
func validMapLevel(_ ulevel: UInt64) -> Int? {
    guard ulevel >= UInt64(RTTGeometry.minBlockLevel), ulevel <= UInt64(RTTGeometry.pageLevel) else { return nil }
    return Int(ulevel)
}
