// RMI_RTT_READ_ENTRY, RMI_RTT_MAP_UNPROTECTED and RMI_RTT_UNMAP_UNPROTECTED (DEN0137
// B4.3.20, B4.3.18, B4.3.21). Failure conditions follow TF-RMM rel0 runtime/rmi/rtt.c.

extension TMM {
    func rttReadEntry(rd rdAddr: UInt64, ipa: UInt64, level ulevel: UInt64) -> RMIResult {
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        guard let level = realm.validEntryLevel(ulevel, ipa: ipa) else { return .failure(.input) }
        guard let w = walk(realm, ipa: ipa, to: level) else { return .failure(.input) }
        let e = w.entry
        let walkLevel = UInt64(bitPattern: Int64(w.level))
        switch e.kind(level: w.level) {
        case .unassigned(let ripas):
            return .success(walkLevel, RTTEntryState.unassigned.rawValue, 0, UInt64(ripas.rawValue))
        case .assigned(let ripas, let pa):
            // An ASSIGNED entry with RIPAS DESTROYED reports its address too (TF-RMM rel0).
            return .success(walkLevel, RTTEntryState.assigned.rawValue, hostName(of: pa), UInt64(ripas.rawValue))
        case .unassignedNS:
            return .success(walkLevel, RTTEntryState.unassigned.rawValue, 0, UInt64(RIPAS.empty.rawValue))
        case .assignedNS:
            return .success(walkLevel, RTTEntryState.assigned.rawValue, e.hostVisibleNSDescriptor, UInt64(RIPAS.empty.rawValue))
        case .table(let pa):
            return .success(walkLevel, RTTEntryState.table.rawValue, hostName(of: pa), UInt64(RIPAS.empty.rawValue))
        case .malformed:
            return .failure(.input)
        }
    }

    func rttMapUnprotected(rd rdAddr: UInt64, ipa: UInt64, level ulevel: UInt64, descriptor: UInt64) -> RMIResult {
        guard let level = validMapLevel(ulevel) else { return .failure(.input) }
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        // desc_valid
        guard isValidHostNSDescriptor(descriptor, level: level) else { return .failure(.input) }
        // ipa_bound, ipa_align; then ipa must be unprotected
        guard realm.isMappable(ipa, level: level), !realm.isProtected(ipa) else { return .failure(.input) }
        // Without stage 2 the realm reaches the page at its output address (identityPlacement).
        guard !capabilities.identityPlacement
            || descriptor & RTTEntry.addressMask & ~(RTTGeometry.mapSize(level) - 1) == ipa & ~(realm.ipaSize >> 1)
        else { return .failure(.input) }
        guard let w = walk(realm, ipa: ipa, to: level) else { return .failure(.input) }
        guard w.level == level else { return .failure(.rtt(level: Int8(w.level))) }
        guard w.entry.kind(level: level) == .unassignedNS else { return .failure(.rtt(level: Int8(level))) }
        w.table.adjustRefcount(by: 1)
        w.set(.assignedNS(hostDescriptor: descriptor, level: level))
        return .success()
    }

    func rttUnmapUnprotected(rd rdAddr: UInt64, ipa: UInt64, level ulevel: UInt64) -> RMIResult {
        guard let level = validMapLevel(ulevel) else { return .failure(.input) }
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        guard realm.isMappable(ipa, level: level), !realm.isProtected(ipa) else { return .failure(.input) }
        guard let w = walk(realm, ipa: ipa, to: level) else { return .failure(.input) }
        guard w.level == level, w.entry.kind(level: level) == .assignedNS else {
            return .failure(.rtt(level: Int8(w.level)), w.entries.skipNonLive(from: ipa, index: w.index, level: w.level))
        }
        w.table.adjustRefcount(by: -1)
        w.set(.unassignedNS)
        hardware.invalidateStage2(ipa: IPA(ipa), level: level, vmid: realm.vmid)
        return .success(w.entries.skipNonLive(from: ipa, index: w.index, level: w.level))
    }

    /// RmiRttEntry for RTT_MAP_UNPROTECTED: only the output address (aligned to `level`),
    /// MemAttr[2:0] and S2AP may be set, and MemAttr must not be the reserved FWB encoding
    /// 0b100 (TF-RMM host_ns_s2tte_is_valid).
    /// TrustZone addition: the mapped range must be normal-world memory outside the pool,
    /// because on this platform the stage-2 walker does not force NS accesses for these
    /// entries, and the host must not reach secure memory through a realm.
    func isValidHostNSDescriptor(_ d: UInt64, level: Int) -> Bool {
        let size = RTTGeometry.mapSize(level)
        let addressBits = RTTEntry.addressMask & ~(size - 1)
        guard d & ~(addressBits | RTTEntry.hostAttributeMask) == 0 else { return false }
        guard d >> 2 & 0x7 != RTTEntry.hostMemAttrReserved else { return false }
        let pa = d & addressBits
        return memory.normalWorld.containsRange(pa, size: size) && !memory.pool.overlaps(base: pa, size: size)
    }
}
