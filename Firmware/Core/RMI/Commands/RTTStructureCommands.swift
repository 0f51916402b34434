// RMI_RTT_CREATE, RMI_RTT_DESTROY and RMI_RTT_FOLD (DEN0137 B4.3.14, B4.3.15, B4.3.17).
// Failure conditions follow TF-RMM rel0 runtime/rmi/rtt.c in order.

extension TMM {
    func rttCreate(rd rdAddr: UInt64, rtt rttAddr: UInt64, ipa: UInt64, level ulevel: UInt64) -> RMIResult {
        // rd_*, rtt_align, rtt_bound, rtt_state (argument granules in address order)
        guard let pair = lockNamedPair(rdAddr, .rd, rttAddr, .delegated) else { return .failure(.input) }
        let realm = pair.first.fixedRealm
        // level_bound, ipa_bound, ipa_align
        guard let level = realm.validStructureLevel(ulevel, ipa: ipa) else { return .failure(.input) }
        // rtt_walk: the parent table must exist
        guard let parent = walk(realm, ipa: ipa, to: level - 1) else { return .failure(.input) }
        guard parent.level == level - 1 else { return .failure(.rtt(level: Int8(parent.level))) }
        let parentEntry = parent.entry
        // rtt_state: the parent entry is already a table
        if parentEntry.tableAddress(level: level - 1) != nil { return .failure(.rtt(level: Int8(level - 1))) }

        // Prepare the whole new table before the parent changes. The table is a DELEGATED
        // granule, which is all zeroes (scrubbed when it became DELEGATED: LockedGranule), and
        // unassigned_empty is the zero word: under such a parent (the common case, a new part
        // of the protected space) every entry is already what it must be.
        let live = parentEntry == .unassigned(.empty) ? 0 : RTTTable(base: pair.second.contents).fill(from: parentEntry, level: level)
        guard live >= 0 else {
            pair.second.zeroContents()
            return .failure(.input)
        }
        if !parentEntry.isLive(level: level - 1) { parent.table.adjustRefcount(by: 1) }
        if live != 0 { pair.second.adjustRefcount(by: live) }
        pair.second.transition(to: .rtt)
        if isValidDescriptor(parentEntry) {
            // Break before make: the block may be cached.
            parent.set(RTTEntry(raw: 0))
            hardware.invalidateStage2(ipa: IPA(ipa), level: level - 1, vmid: realm.vmid)
        }
        parent.set(.table(pair.second.address.value))
        return .success()
    }

    func rttDestroy(rd rdAddr: UInt64, ipa: UInt64, level ulevel: UInt64) -> RMIResult {
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        guard let level = realm.validStructureLevel(ulevel, ipa: ipa) else { return .failure(.input) }
        guard let parent = walk(realm, ipa: ipa, to: level - 1) else { return .failure(.input) }
        // rtt_walk, rtt_state: the entry at level - 1 must be a table
        guard parent.level == level - 1, case .table(let rttAddr) = parent.entry.kind(level: level - 1) else {
            let top = parent.entries.skipNonLive(from: ipa, index: parent.index, level: parent.level)
            return .failure(.rtt(level: Int8(parent.level)), 0, top)
        }
        guard let table = lock(rttAddr, expecting: .rtt) else { return .failure(.input) }
        // rtt_live
        guard table.refcount == 0 else { return .failure(.rtt(level: Int8(level)), 0, ipa) }

        parent.table.adjustRefcount(by: -1)
        parent.set(RTTEntry(raw: 0))
        hardware.invalidateStage2(vmid: realm.vmid)
        parent.set(realm.isProtected(ipa) ? .unassigned(.destroyed) : .unassignedNS)
        table.transition(to: .delegated)
        let top = parent.entries.skipNonLive(from: ipa, index: parent.index, level: parent.level)
        return .success(hostName(of: rttAddr), top)
    }

    func rttFold(rd rdAddr: UInt64, ipa: UInt64, level ulevel: UInt64) -> RMIResult {
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        guard let level = realm.validStructureLevel(ulevel, ipa: ipa) else { return .failure(.input) }
        guard let parent = walk(realm, ipa: ipa, to: level - 1) else { return .failure(.input) }
        guard parent.level == level - 1 else { return .failure(.rtt(level: Int8(parent.level))) }
        guard case .table(let rttAddr) = parent.entry.kind(level: level - 1) else {
            return .failure(.rtt(level: Int8(level - 1)))
        }
        guard let table = lock(rttAddr, expecting: .rtt) else { return .failure(.input) }
        let entries = RTTTable(base: table.contents)
        // rtt_homo, with the error levels of TF-RMM rel0 smc_rtt_fold, which sorts the table by
        // how many entries hold a granule. All 512: a block the RMM may not make (parent below
        // level 1) fails at the parent level before the entries are compared. None: unassigned
        // entries fold at any level; an assigned_ns block below level 1 fails at the parent
        // level. Any other table, or entries that do not fold, fail at the table's level.
        let holding = entries.entriesHoldingGranules(level: level)
        let blockAllowed = level - 1 >= RTTGeometry.minBlockLevel
        if holding == RTTGeometry.entriesPerTable && !blockAllowed { return .failure(.rtt(level: Int8(level - 1))) }
        guard holding == 0 || holding == RTTGeometry.entriesPerTable, let folded = entries.foldedEntry(level: level) else {
            return .failure(.rtt(level: Int8(level)))
        }
        if entries[0].kind(level: level) == .assignedNS && !blockAllowed { return .failure(.rtt(level: Int8(level - 1))) }

        if !folded.isLive(level: level - 1) { parent.table.adjustRefcount(by: -1) }
        parent.set(RTTEntry(raw: 0))
        hardware.invalidateStage2(vmid: realm.vmid)
        parent.set(folded)
        table.transition(to: .delegated)
        return .success(hostName(of: rttAddr))
    }

    /// Whether the hardware walker may have cached the entry (valid descriptor).
    func isValidDescriptor(_ e: RTTEntry) -> Bool { e.raw & RTTEntry.typeMask != 0 }
}
