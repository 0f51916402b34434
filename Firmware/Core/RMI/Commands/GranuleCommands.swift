// RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE (DEN0137 B4.3.5, B4.3.6). On TrustZone a
// granule of the secure pool is delegated in place, and a granule of normal-world DRAM is
// delegated by binding its address to a free pool granule (Docs/delegation.md); there is no
// PAS to change.

extension TMM {
    @inline(never)  // TMM.handle stays a jump table with a small frame
    func granuleDelegate(_ addr: UInt64) -> RMIResult {
        if granules.index(of: PhysicalAddress(addr)) != nil { return delegatePoolGranule(addr) }
        // gran_align, gran_bound: not a granule of normal-world DRAM either.
        guard let key = bindings.key(of: PhysicalAddress(addr)) else { return .failure(.input) }
        return delegateNormalWorldGranule(key)
    }

    private func delegatePoolGranule(_ addr: UInt64) -> RMIResult {
        // A pool granule bound to a normal-world name answers only to that name.
        guard let g = lockNamed(addr) else { return .failure(.input) }
        // gran_state; the free bit is the right to take an UNDELEGATED granule, which a
        // concurrent normal-world delegation may already hold.
        guard g.state == .undelegated, bindings.withLock({ bindings.claimLocked(g.index) }) else {
            return .failure(.input)
        }
        g.transition(to: .delegated)
        return .success()
    }

    private func delegateNormalWorldGranule(_ key: UInt32) -> RMIResult {
        // gran_state: already delegated. Then a free pool granule, or the PAS transition
        // "fails": RMI_ERROR_INPUT, what TF-RMM returns when EL3 refuses GTSI_DELEGATE.
        let claimed: Int? = bindings.withLock {
            guard bindings.lookupLocked(key) == nil else { return nil }
            return bindings.claimAnyLocked()
        }
        guard let index = claimed, let pa = granules.pool.granuleAddress(at: index) else { return .failure(.input) }
        let g = LockedGranule(table: granules, index: index, address: pa, contents: hardware.granulePointer(pa))
        // The claim makes the granule ours: UNDELEGATED, unbound, and no other CPU may take it.
        g.transition(to: .delegated)
        let bound: Bool = bindings.withLock {
            // Two CPUs delegating the same address: the first to get here wins.
            guard bindings.lookupLocked(key) == nil else { return false }
            bindings.insertLocked(key, index: index)
            return true
        }
        if !bound {
            g.transition(to: .undelegated)
            bindings.withLock { bindings.releaseLocked(index) }
            return .failure(.input)
        }
        return .success()
    }

    @inline(never)  // TMM.handle stays a jump table with a small frame
    func granuleUndelegate(_ addr: UInt64) -> RMIResult {
        guard let g = lockNamed(addr) else { return .failure(.input) }
        guard g.state == .delegated else { return .failure(.input) }
        // The secure granule is scrubbed and returns to the free pool; a normal-world name is
        // unbound and means the host's own page again.
        g.transition(to: .undelegated)
        bindings.withLock {
            let key = bindings.name(of: g.index)
            if key != 0 { bindings.removeLocked(key, index: g.index) }
            bindings.releaseLocked(g.index)
        }
        return .success()
    }
}
