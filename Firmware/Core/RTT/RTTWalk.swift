// Walking a realm's RTTs hand over hand (DEN0137 A5.5.4 RttWalk): each table is locked before
// its parent is released, from the starting level towards the leaves, while the caller holds
// the RD lock.

struct RTTWalk: ~Copyable {
    /// The last table reached, locked.
    var table: LockedGranule
    /// Its level: the requested level, or higher when a non-table entry stopped the walk.
    var level: Int
    var index: Int

    var entries: RTTTable { RTTTable(base: table.contents) }
    var entry: RTTEntry { entries[index] }

    func set(_ e: RTTEntry) { entries[index] = e }
}

extension TMM {
    /// Walks `realm`'s RTTs for `ipa` (already checked to be below the IPA size) towards
    /// `targetLevel` (between the starting level and 3). Nil only if the RTTs are
    /// inconsistent with the granule table, which the invariants exclude.
    func walk(_ realm: FixedRealmAttributes, ipa: UInt64, to targetLevel: Int) -> RTTWalk? {
        var level = Int(realm.startLevel)
        guard RTTGeometry.isValidLevel(level), ipa < realm.ipaSize else { return nil }
        let tableNumber = (ipa >> RTTGeometry.shift(level)) >> RTTGeometry.bitsPerLevel
        guard tableNumber < UInt64(realm.rootTableCount),
              var current = lock(realm.rttBase &+ tableNumber << granuleShift, expecting: .rtt)
        else { return nil }
        while level < targetLevel {
            let e = RTTTable(base: current.contents)[RTTGeometry.index(of: ipa, level: level)]
            guard let next = e.tableAddress(level: level) else { break }
            guard let child = lock(next, expecting: .rtt) else { return nil }
            current = child
            level += 1
        }
        return RTTWalk(table: current, level: level, index: RTTGeometry.index(of: ipa, level: level))
    }
}
