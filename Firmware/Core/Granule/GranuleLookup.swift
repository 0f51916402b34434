// Finding and locking granules named by an address. Every check happens before any
// arithmetic on the address: unaligned or out-of-pool addresses are simply "not found".
// A granule stays locked only if it is in the state the command expects, so a CPU never
// waits for a lock while holding a granule that another CPU could reach by following an
// internal reference (see the lock order in GranuleDescriptor.swift).

/// Two locked granules, in argument order (locked in address order).
struct GranulePair: ~Copyable {
    var first: LockedGranule
    var second: LockedGranule
}

extension TMM {
    /// Locks the pool granule at `pa` whatever its state.
    func lockAny(_ pa: UInt64) -> LockedGranule? {
        let address = PhysicalAddress(pa)
        guard let index = granules.index(of: address) else { return nil }
        return LockedGranule(table: granules, index: index, address: address, contents: hardware.granulePointer(address))
    }

    /// Locks the granule at `pa` if it is a pool granule in `state`; nil (and unlocked) otherwise.
    func lock(_ pa: UInt64, expecting state: GranuleState) -> LockedGranule? {
        guard let g = lockAny(pa) else { return nil }
        guard g.state == state else { return nil }
        return g
    }

    /// Locks two argument granules in ascending address order. Nil when they are the same
    /// granule or either is not in its expected state.
    func lockPair(_ a: UInt64, _ stateA: GranuleState, _ b: UInt64, _ stateB: GranuleState) -> GranulePair? {
        guard a != b else { return nil }
        if a < b {
            guard let first = lock(a, expecting: stateA), let second = lock(b, expecting: stateB) else { return nil }
            return GranulePair(first: first, second: second)
        } else {
            guard let second = lock(b, expecting: stateB), let first = lock(a, expecting: stateA) else { return nil }
            return GranulePair(first: first, second: second)
        }
    }
}
