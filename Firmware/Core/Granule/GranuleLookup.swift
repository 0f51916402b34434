// Finding and locking granules. Two kinds of address reach here:
// - a *name*, an address the host passed as an RMI argument: a pool granule's own address
//   (when it is not bound to a normal-world name) or a normal-world address the host
//   delegated (GranuleBindings.swift). `lockNamed` and `lockNamedPair` take these;
// - a *secure address*, found by following the core's own references (RTT entries, an RD's
//   rtt_base, a REC's owner and aux granules): always a pool granule's own address. `lock`
//   takes these.
// Every check happens before any arithmetic on the address: an unaligned or unknown address is
// simply "not found". A granule stays locked only if it is in the state the command expects,
// so a CPU never waits for a lock while holding a granule that another CPU could reach by
// following an internal reference (see the lock order in GranuleDescriptor.swift).

/// Two locked granules, in argument order (locked in secure address order).
struct GranulePair: ~Copyable {
    var first: LockedGranule
    var second: LockedGranule
}

extension TMM {
    /// Locks the pool granule at secure address `pa` whatever its state.
    func lockAny(_ pa: UInt64) -> LockedGranule? {
        let address = PhysicalAddress(pa)
        guard let index = granules.index(of: address) else { return nil }
        return LockedGranule(table: granules, index: index, address: address, contents: hardware.granulePointer(address))
    }

    /// Locks the granule at secure address `pa` if it is a pool granule in `state`.
    func lock(_ pa: UInt64, expecting state: GranuleState) -> LockedGranule? {
        guard let g = lockAny(pa) else { return nil }
        guard g.state == state else { return nil }
        return g
    }

    /// The pool granule `name` names now and the binding key it must still carry when locked
    /// (0 for a pool granule named by its own address). Only a candidate: the binding may
    /// change before the granule is locked, so `lockNamed` checks it again under the lock.
    /// The candidate carries the granule's secure address too, so that locking it needs no
    /// second look-up (the name itself, for a pool granule named in place).
    func candidate(_ name: UInt64) -> (index: Int, key: UInt32, address: PhysicalAddress)? {
        let pa = PhysicalAddress(name)
        if let index = granules.index(of: pa) { return (index, 0, pa) }
        guard let key = bindings.key(of: pa), let index = bindings.withLock({ bindings.lookupLocked(key) }),
              let address = granules.pool.granuleAddress(at: index)
        else {
            return nil
        }
        return (index, key, address)
    }

    private func lock(candidate c: (index: Int, key: UInt32, address: PhysicalAddress)) -> LockedGranule? {
        let address = c.address
        let g = LockedGranule(table: granules, index: c.index, address: address, contents: hardware.granulePointer(address))
        // A bound pool granule answers only to its normal-world name, and a name only to the
        // granule it is bound to now.
        guard bindings.name(of: c.index) == c.key else { return nil }
        return g
    }

    /// Locks the granule the host address `name` names, whatever its state.
    func lockNamed(_ name: UInt64) -> LockedGranule? {
        guard let c = candidate(name) else { return nil }
        return lock(candidate: c)
    }

    /// Locks the granule `name` names if it is in `state`; nil (and unlocked) otherwise.
    func lockNamed(_ name: UInt64, expecting state: GranuleState) -> LockedGranule? {
        guard let g = lockNamed(name), g.state == state else { return nil }
        return g
    }

    /// Locks two argument granules in ascending secure address order, so that the host's
    /// names, whatever their order, cannot make two CPUs wait for each other. Nil when both
    /// name the same granule or either is not in its expected state.
    func lockNamedPair(_ a: UInt64, _ stateA: GranuleState, _ b: UInt64, _ stateB: GranuleState) -> GranulePair? {
        guard let ca = candidate(a), let cb = candidate(b), ca.index != cb.index else { return nil }
        if ca.address.value < cb.address.value {
            guard let first = lock(candidate: ca), first.state == stateA,
                  let second = lock(candidate: cb), second.state == stateB else { return nil }
            return GranulePair(first: first, second: second)
        } else {
            guard let second = lock(candidate: cb), second.state == stateB,
                  let first = lock(candidate: ca), first.state == stateA else { return nil }
            return GranulePair(first: first, second: second)
        }
    }

    /// The address the host knows the pool granule at secure address `pa` by: its
    /// normal-world name when bound, else `pa` itself. Every RMI output that carries a granule
    /// address goes through here. The caller holds a lock that keeps the binding stable (the
    /// granule's, or that of an RTT referring to it: a referenced granule cannot be
    /// undelegated).
    func hostName(of pa: UInt64) -> UInt64 {
        guard let index = granules.index(of: PhysicalAddress(pa)),
              let name = bindings.address(ofKey: bindings.name(of: index)) else { return pa }
        return name.value
    }
}
