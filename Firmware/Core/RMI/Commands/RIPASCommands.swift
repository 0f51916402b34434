// RMI_RTT_INIT_RIPAS and RMI_RTT_SET_RIPAS (DEN0137 B4.3.16, B4.3.19). Both work on the
// entries of the one table the walk from `base` reaches, and report how far they got.

extension TMM {
    func rttInitRIPAS(rd rdAddr: UInt64, base: UInt64, top: UInt64) -> RMIResult {
        // size_valid
        guard top > base else { return .failure(.input) }
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        // base_align, top_align, base_bound, top_bound: page aligned, inside the PAR
        guard realm.isMappable(base, level: RTTGeometry.pageLevel), realm.isMappable(top, level: RTTGeometry.pageLevel),
              realm.isProtected(base), realm.isProtected(top - granuleSize)
        else { return .failure(.input) }
        // realm_state
        guard rd.realm.pointee.state == .new else { return .failure(.realm(index: 0)) }
        guard let w = walk(realm, ipa: base, to: RTTGeometry.pageLevel) else { return .failure(.input) }
        let size = RTTGeometry.mapSize(w.level)
        // rtt_walk: the entry must start at base
        guard RTTGeometry.isAligned(base, level: w.level) else { return .failure(.rtt(level: Int8(w.level))) }

        var rim = RealmInitialMeasurement(algorithm: realm.hashAlgorithm, value: rd.realm.pointee.rim)
        var addr = base
        var index = w.index
        while index < RTTGeometry.entriesPerTable {
            let next = addr + size
            if next > top { break }
            let e = w.entries[index]
            switch e.kind(level: w.level) {
            case .unassigned(.empty): w.entries[index] = .unassigned(.ram)
            case .unassigned(.ram): break
            default: index = RTTGeometry.entriesPerTable; continue
            }
            // Each entry is measured with its own range, as TF-RMM rel0 does.
            rim.extendRIPAS(base: addr, top: next)
            addr = next
            index += 1
        }
        guard addr > base else { return .failure(.rtt(level: Int8(w.level))) }
        rd.realm.pointee.rim = rim.value
        return .success(addr)
    }

    /// Failure conditions (DEN0137 1.0-rel0 B4.3.21.2) in TF-RMM's order: size_valid and
    /// top_gran_align first (the spec orders neither against the granule checks, only
    /// top_gran_align before no_progress), then rd_*/rec_gran_state, rec_state, rec_owner,
    /// base_bound, top_bound, base_align, no_progress. An unaligned `top` is RMI_ERROR_INPUT
    /// whatever else is wrong, so a step never ends inside a granule.
    func rttSetRIPAS(rd rdAddr: UInt64, rec recAddr: UInt64, base: UInt64, top: UInt64) -> RMIResult {
        // size_valid, top_gran_align
        guard top > base, top & (granuleSize - 1) == 0 else { return .failure(.input) }
        guard let pair = lockNamedPair(rdAddr, .rd, recAddr, .rec) else { return .failure(.input) }
        // rec_state: a running REC's request cannot be served
        guard pair.second.refcount == 0 else { return .failure(.rec) }
        let rec = pair.second.rec
        // rec_owner
        guard rec.pointee.owner == pair.first.address.value else { return .failure(.rec) }
        let request = rec.pointee.ripasChange
        // base_bound, top_bound: the next part of the realm's pending request
        guard request.isPending, base == request.next, top <= request.top else { return .failure(.input) }
        let realm = pair.first.fixedRealm
        guard realm.isMappable(base, level: RTTGeometry.pageLevel),
              let w = walk(realm, ipa: base, to: RTTGeometry.pageLevel) else { return .failure(.input) }
        // base_align
        guard RTTGeometry.isAligned(base, level: w.level) else { return .failure(.rtt(level: Int8(w.level))) }
        let size = RTTGeometry.mapSize(w.level)
        var addr = base
        var index = w.index
        while index < RTTGeometry.entriesPerTable, addr + size <= top {
            let e = w.entries[index]
            guard let changed = ripasChanged(e, level: w.level, to: request.ripas, changeDestroyed: request.changeDestroyed) else { break }
            if changed != e {
                let wasValid = isValidDescriptor(e)
                w.entries[index] = changed
                if wasValid { hardware.invalidateStage2(ipa: IPA(addr), level: w.level, vmid: realm.vmid) }
            }
            addr += size
            index += 1
        }
        // no_progress
        guard addr > base else { return .failure(.rtt(level: Int8(w.level))) }
        rec.pointee.ripasChange.next = addr
        return .success(addr)
    }

    /// The entry after a RIPAS change (TF-RMM rel0 update_ripas); nil when the entry has no
    /// RIPAS or leaving DESTROYED was not permitted.
    func ripasChanged(_ e: RTTEntry, level: Int, to ripas: RIPAS, changeDestroyed: Bool) -> RTTEntry? {
        switch e.kind(level: level) {
        case .unassigned(let current):
            if current == .destroyed && !changeDestroyed { return nil }
            return .unassigned(ripas)
        case .assigned(let current, let pa):
            if current == .destroyed && !changeDestroyed { return nil }
            return ripas == .ram ? .assignedRAM(pa, level: level) : .assignedInvalid(.empty, pa)
        case .unassignedNS, .assignedNS, .table, .malformed:
            return nil
        }
    }
}
