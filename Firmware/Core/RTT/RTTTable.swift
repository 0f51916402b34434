// One 4 KiB translation table viewed as 512 entries. Indexes are masked, so no index can
// leave the granule.

struct RTTTable {
    let base: UnsafeMutableRawPointer

    subscript(index: Int) -> RTTEntry {
        get { RTTEntry(raw: base.load(fromByteOffset: (index & 0x1FF) * 8, as: UInt64.self)) }
        nonmutating set { base.storeBytes(of: newValue.raw, toByteOffset: (index & 0x1FF) * 8, as: UInt64.self) }
    }

    /// Fills a new table at `level` so that it maps exactly what `parent` (an entry at
    /// level - 1) mapped: RTT_CREATE under an unassigned entry or unfolding a block.
    /// Returns the number of live entries written (the new table's refcount).
    func fill(from parent: RTTEntry, level: Int) -> Int {
        let size = RTTGeometry.mapSize(level)
        switch parent.kind(level: level - 1) {
        case .unassigned, .unassignedNS:
            for i in 0..<RTTGeometry.entriesPerTable { self[i] = parent }
            return 0
        case .assigned(let ripas, let pa):
            for i in 0..<RTTGeometry.entriesPerTable {
                let out = pa &+ UInt64(i) &* size
                self[i] = ripas == .ram ? .assignedRAM(out, level: level) : .assignedInvalid(ripas, out)
            }
            return RTTGeometry.entriesPerTable
        case .assignedNS:
            let attributes = parent.hostVisibleNSDescriptor & ~RTTEntry.addressMask
            for i in 0..<RTTGeometry.entriesPerTable {
                let out = parent.outputAddress &+ UInt64(i) &* size
                self[i] = .assignedNS(hostDescriptor: out | attributes, level: level)
            }
            return RTTGeometry.entriesPerTable
        case .table, .malformed:
            return -1
        }
    }

    /// The single entry at `level - 1` that maps what this table (at `level`) maps, when
    /// RTT_FOLD may replace the table by it: all 512 entries unassigned with one RIPAS, all
    /// unassigned_ns, or all assigned with one RIPAS (or assigned_ns with one set of
    /// attributes) to contiguous memory aligned to the parent's block size. Whether the RMM
    /// allows a block at the parent's level is RTT_FOLD's check, not this one.
    func foldedEntry(level: Int) -> RTTEntry? {
        let first = self[0]
        let firstKind = first.kind(level: level)
        let size = RTTGeometry.mapSize(level)
        switch firstKind {
        case .unassigned, .unassignedNS:
            for i in 1..<RTTGeometry.entriesPerTable where self[i] != first { return nil }
            return first
        case .assigned(let ripas, let pa):
            guard RTTGeometry.isAligned(pa, level: level - 1) else { return nil }
            // The entries the core writes differ from the first only in their address: compare
            // words, and decode only an entry whose word differs.
            let attributes = first.raw & ~RTTEntry.addressMask
            for i in 1..<RTTGeometry.entriesPerTable {
                let out = pa &+ UInt64(i) &* size
                let e = self[i]
                if out & ~RTTEntry.addressMask == 0 && e.raw == attributes | out { continue }
                guard e.kind(level: level) == .assigned(ripas, out) else { return nil }
            }
            return ripas == .ram ? .assignedRAM(pa, level: level - 1) : .assignedInvalid(ripas, pa)
        case .assignedNS:
            let pa = first.outputAddress
            guard RTTGeometry.isAligned(pa, level: level - 1) else { return nil }
            let attributes = first.raw & ~RTTEntry.addressMask
            for i in 1..<RTTGeometry.entriesPerTable {
                let e = self[i]
                let out = pa &+ UInt64(i) &* size
                if out & ~RTTEntry.addressMask == 0 && e.raw == attributes | out { continue }
                guard e.kind(level: level) == .assignedNS, e.outputAddress == out,
                      e.raw & ~RTTEntry.addressMask == attributes else { return nil }
            }
            return .assignedNS(hostDescriptor: first.hostVisibleNSDescriptor, level: level - 1)
        case .table, .malformed:
            return nil
        }
    }

    /// Entries that hold a granule: assigned protected entries and tables (TF-RMM's RTT
    /// refcount, which unlike this core's does not count assigned_ns entries). Word by word;
    /// unassigned entries are passed over on two bits.
    func entriesHoldingGranules(level: Int) -> Int {
        var n = 0
        for i in 0..<RTTGeometry.entriesPerTable {
            let e = self[i]
            if e.raw & RTTEntry.liveCandidateMask != 0 && e.holdsGranule(level: level) { n += 1 }
        }
        return n
    }

    /// The index of the first live entry at or after `index`, or 512 when there is none. Four
    /// words at a time while none of them could be live (an unassigned entry has neither type
    /// nor HIPAS bits), then the word test of `RTTEntry.isLive`.
    func firstLive(from index: Int, level: Int) -> Int {
        var i = max(index, 0)
        func word(_ j: Int) -> UInt64 { base.load(fromByteOffset: j &* 8, as: UInt64.self) }
        while i < RTTGeometry.entriesPerTable {
            if i + 4 <= RTTGeometry.entriesPerTable,
               (word(i) | word(i + 1) | word(i + 2) | word(i + 3)) & RTTEntry.liveCandidateMask == 0 {
                i += 4
                continue
            }
            let e = RTTEntry(raw: word(i))
            if e.raw & RTTEntry.liveCandidateMask != 0 && e.isLive(level: level) { return i }
            i += 1
        }
        return RTTGeometry.entriesPerTable
    }

    /// "Top of the non-live region" (DEN0137 RMI_DATA_DESTROY, RMI_RTT_DESTROY,
    /// RMI_RTT_UNMAP_UNPROTECTED): `ipa` if the entry at `index` is live, else the IPA of the
    /// next live entry in this table, else the end of the range the table maps.
    func skipNonLive(from ipa: UInt64, index: Int, level: Int) -> UInt64 {
        if self[index].isLive(level: level) { return ipa }
        let size = RTTGeometry.mapSize(level)
        let aligned = ipa & ~(size - 1)
        let i = firstLive(from: index + 1, level: level)
        return aligned &+ UInt64(i - index) &* size
    }
}
