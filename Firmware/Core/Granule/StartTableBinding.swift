// REALM_CREATE's starting-level RTTs: rtt_num_start granules the host names from rtt_base on,
// which the stage-2 walker reads as one table, so their secure granules must be contiguous and
// aligned to the whole block (Arm ARM, concatenated translation tables). Pool granules named
// by their own addresses are (REALM_CREATE checks rtt_base's alignment). Normal-world granules
// are bound one at a time to whatever pool granule was free, so REALM_CREATE moves their
// bindings onto a free aligned run first. A DELEGATED granule is all zeroes, so a move changes
// nothing the host or a realm can see. Failure mode: no free aligned run in the pool (or a
// mix of pool and normal-world names that is not already contiguous) makes REALM_CREATE fail
// with RMI_ERROR_INPUT, as a failed PAS transition does (Docs/delegation.md).

extension TMM {
    /// The secure address of the first of `count` (1...16) contiguous, aligned granules that
    /// the names from `names` on are bound to, moving bindings if needed; nil when a name is
    /// not a granule or no such run can be made.
    func contiguousStartTables(names: UInt64, count: Int) -> UInt64? {
        guard count >= 1, count <= 16 else { return nil }
        var indices = InlineArray<16, Int>(repeating: 0)
        var keys = InlineArray<16, UInt32>(repeating: 0)
        for i in 0..<count {
            guard let c = candidate(names &+ UInt64(i) << granuleShift) else { return nil }
            indices[i] = c.index
            keys[i] = c.key
        }
        if let base = contiguousBase(indices, count: count) { return base }
        for i in 0..<count where keys[i] == 0 { return nil }
        guard let run = bindings.withLock({ bindings.claimRunLocked(count) }) else { return nil }
        for i in 0..<count where !moveBinding(keys[i], from: indices[i], to: run + i) {
            bindings.withLock { for j in i..<count { bindings.releaseLocked(run + j) } }
            return nil
        }
        return granules.pool.granuleAddress(at: run)?.value
    }

    /// The first secure address when the granules are consecutive and the run is aligned to
    /// its size.
    private func contiguousBase(_ indices: InlineArray<16, Int>, count: Int) -> UInt64? {
        guard let first = granules.pool.granuleAddress(at: indices[0]),
              first.value & (UInt64(count) << granuleShift - 1) == 0 else { return nil }
        for i in 1..<count {
            guard let pa = granules.pool.granuleAddress(at: indices[i]),
                  pa.value == first.value + UInt64(i) << granuleShift else { return nil }
        }
        return first.value
    }

    /// Moves the binding of `key` from the DELEGATED granule `old` to the claimed free granule
    /// `new`; false, with nothing changed, when `old` is no longer `key`'s DELEGATED granule.
    private func moveBinding(_ key: UInt32, from old: Int, to new: Int) -> Bool {
        guard let oldPA = granules.pool.granuleAddress(at: old), let newPA = granules.pool.granuleAddress(at: new) else {
            return false
        }
        func locked(_ index: Int, _ pa: PhysicalAddress) -> LockedGranule {
            LockedGranule(table: granules, index: index, address: pa, contents: hardware.granulePointer(pa))
        }
        func move(_ from: borrowing LockedGranule, _ to: borrowing LockedGranule) -> Bool {
            guard bindings.name(of: old) == key, from.state == .delegated, to.state == .undelegated else { return false }
            to.transition(to: .delegated)
            bindings.withLock { bindings.rebindLocked(key, from: old, to: new) }
            from.transition(to: .undelegated)
            bindings.withLock { bindings.releaseLocked(old) }
            return true
        }
        // Secure address order, as for any two argument granules.
        if oldPA < newPA {
            let a = locked(old, oldPA)
            let b = locked(new, newPA)
            return move(a, b)
        }
        let b = locked(new, newPA)
        let a = locked(old, oldPA)
        return move(a, b)
    }
}
