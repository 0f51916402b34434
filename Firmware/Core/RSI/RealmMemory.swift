// Reading and writing realm memory on the realm's behalf (RSI_REALM_CONFIG's buffer, the
// RsiHostCall structure, the attestation token buffer): an RTT walk of the protected IPA to a
// DATA granule with RIPAS RAM, done with the last-level RTT locked so that the granule cannot
// be unmapped or destroyed while it is used (TF-RMM rel0 realm_ipa_to_pa).
//
// The walk takes only RTT locks, root to leaf; the caller holds no other lock. The realm's
// geometry comes from a copy of its RD taken at REC_ENTER: those fields never change while the
// realm has RECs.

/// The outcome of reaching a realm page.
enum RealmPageAccess<Result> {
    /// The page is mapped (RIPAS RAM, assigned); `body` ran and returned this.
    case done(Result)
    /// RIPAS EMPTY: the realm named memory it does not have (RSI_ERROR_INPUT).
    case empty
    /// RIPAS RAM but not mapped, or DESTROYED: the host must act; the walk stopped at `level`.
    case unmapped(level: Int)
}

extension TMM {
    /// Runs `body` with the DATA granule that maps the protected, in-range `ipa` (any offset
    /// within the page).
    func withRealmPage<R>(_ realm: FixedRealmAttributes, ipa: UInt64, _ body: (UnsafeMutableRawPointer) -> R) -> RealmPageAccess<R> {
        let page = ipa & ~(granuleSize - 1)
        guard realm.isProtected(page), let w = walk(realm, ipa: page, to: RTTGeometry.pageLevel) else { return .empty }
        switch w.entry.kind(level: w.level) {
        case .assigned(.ram, let pa):
            let data = PhysicalAddress(pa &+ (page & (RTTGeometry.mapSize(w.level) - 1)))
            guard granules.index(of: data) != nil else { return .empty }
            return .done(body(hardware.granulePointer(data)))
        case .assigned(.empty, _), .unassigned(.empty):
            return .empty
        case .assigned(.destroyed, _), .unassigned(.ram), .unassigned(.destroyed):
            return .unmapped(level: w.level)
        case .unassignedNS, .assignedNS, .table, .malformed:
            return .empty
        }
    }

    /// The RIPAS of the protected, in-range `ipa` and, scanning on in the same table, the end
    /// of the run of entries with that RIPAS (capped at `end`). Nil only if the RTTs are
    /// inconsistent.
    func ripasRun(_ realm: FixedRealmAttributes, from ipa: UInt64, end: UInt64) -> (ripas: RIPAS, top: UInt64)? {
        guard let w = walk(realm, ipa: ipa, to: RTTGeometry.pageLevel), let ripas = Self.ripas(of: w.entry, level: w.level)
        else { return nil }
        let size = RTTGeometry.mapSize(w.level)
        var top = (ipa & ~(size - 1)) &+ size
        var index = w.index + 1
        while index < RTTGeometry.entriesPerTable, top < end, Self.ripas(of: w.entries[index], level: w.level) == ripas {
            top &+= size
            index += 1
        }
        return (ripas, min(top, end))
    }

    /// The RIPAS an entry of a protected IPA records.
    static func ripas(of e: RTTEntry, level: Int) -> RIPAS? {
        switch e.kind(level: level) {
        case .unassigned(let r), .assigned(let r, _): r
        case .unassignedNS, .assignedNS, .table, .malformed: nil
        }
    }
}
