// RMI_REALM_CREATE, RMI_REALM_ACTIVATE, RMI_REALM_DESTROY and RMI_REC_AUX_COUNT
// (DEN0137 B4.3.11, B4.3.10, B4.3.12, B4.3.16). Failure conditions are checked in the order
// TF-RMM rel0 checks them (runtime/rmi/realm.c); every REALM_CREATE failure is RMI_ERROR_INPUT.

extension TMM {
    func realmCreate(rd rdAddr: UInt64, params paramsAddr: UInt64) -> RMIResult {
        // params_align, params_bound, params_pas: read once into TMM memory.
        guard let p = RealmParameters.read(from: PhysicalAddress(paramsAddr), using: memory) else {
            return .failure(.input)
        }
        // params_supp, params_valid
        guard p.isSupported(by: capabilities) else { return .failure(.input) }
        // vmid_valid, vmid_free: reserved now, released on every later failure.
        guard vmids.reserve(p.vmid) else { return .failure(.input) }
        let rootCount = Int(p.rttNumStart)
        // alias: the RD is one of the starting-level RTTs. rtt_base is validated by the
        // granule lookups below; here only its span is needed, computed without wrapping.
        let (rttEnd, wraps) = p.rttBase.addingReportingOverflow(UInt64(rootCount) << granuleShift)
        guard !wraps, !(rdAddr >= p.rttBase && rdAddr < rttEnd) else {
            vmids.release(p.vmid)
            return .failure(.input)
        }
        // The hardware walks concatenated starting-level tables as one: their secure
        // granules must be contiguous and aligned (Docs/delegation.md).
        guard let rttBase = contiguousStartTables(names: p.rttBase, count: rootCount),
              let rdCandidate = candidate(rdAddr), let rdSecure = granules.pool.granuleAddress(at: rdCandidate.index)
        else {
            vmids.release(p.vmid)
            return .failure(.input)
        }
        // rd_align, rd_bound, rd_state, rtt_align, rtt_bound, rtt_state, in secure address order.
        var rdFirst: LockedGranule? = nil
        if rdSecure.value < rttBase {
            rdFirst = lockNamed(rdAddr, expecting: .delegated)
            guard rdFirst != nil else {
                vmids.release(p.vmid)
                return .failure(.input)
            }
        }
        guard claimStartTables(names: p.rttBase, secureBase: rttBase, count: rootCount) else {
            vmids.release(p.vmid)
            return .failure(.input)
        }
        guard let rd = rdFirst.take() ?? lockNamed(rdAddr, expecting: .delegated) else {
            releaseStartTables(base: rttBase, count: rootCount)
            vmids.release(p.vmid)
            return .failure(.input)
        }

        let algorithm = MeasurementAlgorithm(rawValue: p.hashAlgorithm) ?? .sha256
        var measurements = InlineArray<5, MeasurementValue>(repeating: MeasurementValue())
        measurements[0] = RealmInitialMeasurement(algorithm: algorithm, parameters: p.measured).value
        rd.contents.bindMemory(to: RealmDescriptor.self, capacity: 1).initialize(to: RealmDescriptor(
            state: .new, hashAlgorithm: algorithm, ipaWidth: UInt8(p.s2sz), startLevel: Int8(p.rttLevelStart),
            rootTableCount: UInt8(rootCount), vmid: UInt16(p.vmid), rttBase: rttBase, recCount: 0,
            flags: p.flags, sveVL: UInt8(truncatingIfNeeded: p.sveVL), pmuCounters: UInt8(truncatingIfNeeded: p.pmuNumCounters),
            breakpoints: UInt8(truncatingIfNeeded: p.numBPs), watchpoints: UInt8(truncatingIfNeeded: p.numWPs),
            measurements: measurements, rpv: p.rpv))
        initialiseStartTables(rd.fixedRealm)
        rd.transition(to: .rd)
        return .success()
    }

    /// Moves the `count` DELEGATED granules named from `names` on, which must be the
    /// consecutive secure granules from `secureBase`, to RTT, one lock at a time; on any
    /// failure the ones already moved go back and the result is false.
    private func claimStartTables(names: UInt64, secureBase: UInt64, count: Int) -> Bool {
        for i in 0..<count {
            let offset = UInt64(i) << granuleShift
            guard let g = lockNamed(names &+ offset, expecting: .delegated), g.address.value == secureBase &+ offset else {
                releaseStartTables(base: secureBase, count: i)
                return false
            }
            g.transition(to: .rtt)
        }
        return true
    }

    private func releaseStartTables(base: UInt64, count: Int) {
        for i in 0..<count {
            if let g = lock(base &+ UInt64(i) << granuleShift, expecting: .rtt) { g.transition(to: .delegated) }
        }
    }

    /// Protected half unassigned_empty, unprotected half unassigned_ns (DEN0137 A5.5.2).
    private func initialiseStartTables(_ realm: FixedRealmAttributes) {
        let level = Int(realm.startLevel)
        let size = RTTGeometry.mapSize(level)
        var ipa: UInt64 = 0
        for t in 0..<Int(realm.rootTableCount) {
            guard let g = lock(realm.rttBase &+ UInt64(t) << granuleShift, expecting: .rtt) else { return }
            let table = RTTTable(base: g.contents)
            for i in 0..<RTTGeometry.entriesPerTable where ipa < realm.ipaSize {
                table[i] = realm.isProtected(ipa) ? .unassigned(.empty) : .unassignedNS
                ipa &+= size
            }
        }
    }

    func realmActivate(rd rdAddr: UInt64) -> RMIResult {
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        guard rd.realm.pointee.state == .new else { return .failure(.realm(index: 0)) }
        rd.realm.pointee.state = .active
        return .success()
    }

    func realmDestroy(rd rdAddr: UInt64) -> RMIResult {
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        // realm_live: a REC, or a live entry in a starting-level RTT.
        guard rd.refcount == 0 else { return .failure(.realm(index: 0)) }
        for t in 0..<Int(realm.rootTableCount) {
            guard let g = lock(realm.rttBase &+ UInt64(t) << granuleShift, expecting: .rtt) else {
                return .failure(.input)
            }
            guard g.refcount == 0 else { return .failure(.realm(index: 0)) }
        }
        // No mapping is left, but walks may have cached table entries under this VMID.
        hardware.invalidateStage2(vmid: realm.vmid)
        vmids.release(UInt64(realm.vmid))
        releaseStartTables(base: realm.rttBase, count: Int(realm.rootTableCount))
        rd.transition(to: .delegated)
        return .success()
    }

    func recAuxCount(rd rdAddr: UInt64) -> RMIResult {
        guard lockNamed(rdAddr, expecting: .rd) != nil else { return .failure(.input) }
        return .success(RealmDescriptor.recAuxCount)
    }
}
