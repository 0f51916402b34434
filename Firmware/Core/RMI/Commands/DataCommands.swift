// RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY (DEN0137 B4.3.1, B4.3.2,
// B4.3.3). Failure conditions follow TF-RMM rel0 runtime/rmi/rtt.c in order.

extension TMM {
    static var measureContent: UInt64 { 1 }

    @inline(never)  // TMM.handle stays a jump table with a small frame
    func dataCreate(rd rdAddr: UInt64, data dataAddr: UInt64, ipa: UInt64, source: UInt64, flags: UInt64) -> RMIResult {
        // flags_valid
        guard flags == 0 || flags == Self.measureContent else { return .failure(.input) }
        // src_align, src_bound, src_pas
        guard let page = memory.hostPage(PhysicalAddress(source)) else { return .failure(.input) }
        return createData(rd: rdAddr, data: dataAddr, ipa: ipa, source: page, flags: flags)
    }

    @inline(never)  // TMM.handle stays a jump table with a small frame
    func dataCreateUnknown(rd rdAddr: UInt64, data dataAddr: UInt64, ipa: UInt64) -> RMIResult {
        createData(rd: rdAddr, data: dataAddr, ipa: ipa, source: nil, flags: 0)
    }

    /// Both DATA_CREATE variants; `source` nil means DATA_CREATE_UNKNOWN.
    private func createData(rd rdAddr: UInt64, data dataAddr: UInt64, ipa: UInt64, source: HostPage?, flags: UInt64) -> RMIResult {
        // data_*, rd_* (argument granules in address order)
        guard let pair = lockNamedPair(dataAddr, .delegated, rdAddr, .rd) else { return .failure(.input) }
        let realm = pair.second.fixedRealm
        // realm_state: only DATA_CREATE needs a NEW realm
        if source != nil && pair.second.realm.pointee.state != .new { return .failure(.realm(index: 0)) }
        // ipa_bound, ipa_align, in the PAR
        guard realm.isProtected(ipa), realm.isMappable(ipa, level: RTTGeometry.pageLevel) else { return .failure(.input) }
        // Without stage 2 the IPA is where the realm finds the granule (identityPlacement).
        guard !capabilities.identityPlacement || pair.first.address.value == ipa else { return .failure(.input) }
        guard let w = walk(realm, ipa: ipa, to: RTTGeometry.pageLevel) else { return .failure(.input) }
        // rtt_walk, rtt_state
        guard w.level == RTTGeometry.pageLevel else { return .failure(.rtt(level: Int8(w.level))) }
        guard let ripas = w.entry.unassignedRIPAS else {
            return .failure(.rtt(level: Int8(RTTGeometry.pageLevel)))
        }

        let data = pair.first
        let entry: RTTEntry
        if let source {
            // The host's page is copied once into the (TMM-owned) DATA granule and measured
            // from there.
            guard memory.readGranule(source, into: data.contents) else {
                data.zeroContents()
                return .failure(.input)
            }
            var rim = RealmInitialMeasurement(algorithm: realm.hashAlgorithm, value: pair.second.realm.pointee.rim)
            rim.extendData(ipa: ipa, flags: flags,
                           content: UnsafeRawBufferPointer(start: data.contents, count: Int(granuleSize)))
            pair.second.realm.pointee.rim = rim.value
            entry = .assignedRAM(data.address.value, level: RTTGeometry.pageLevel)
        } else {
            // DATA_CREATE_UNKNOWN keeps the entry's RIPAS.
            entry = ripas == .ram ? .assignedRAM(data.address.value, level: RTTGeometry.pageLevel)
                                  : .assignedInvalid(ripas, data.address.value)
        }
        w.table.adjustRefcount(by: 1)
        w.set(entry)
        data.transition(to: .data)
        return .success()
    }

    func dataDestroy(rd rdAddr: UInt64, ipa: UInt64) -> RMIResult {
        guard let rd = lockNamed(rdAddr, expecting: .rd) else { return .failure(.input) }
        let realm = rd.fixedRealm
        guard realm.isProtected(ipa), realm.isMappable(ipa, level: RTTGeometry.pageLevel) else { return .failure(.input) }
        guard let w = walk(realm, ipa: ipa, to: RTTGeometry.pageLevel) else { return .failure(.input) }
        guard w.level == RTTGeometry.pageLevel else {
            return .failure(.rtt(level: Int8(w.level)), 0, w.entries.skipNonLive(from: ipa, index: w.index, level: w.level))
        }
        let e = w.entry
        guard case .assigned(let ripas, let pa) = e.kind(level: w.level) else {
            return .failure(.rtt(level: Int8(RTTGeometry.pageLevel)), 0, w.entries.skipNonLive(from: ipa, index: w.index, level: w.level))
        }
        // The DATA granule is found through the RTT: an internal reference, locked last.
        guard let data = lock(pa, expecting: .data) else { return .failure(.input) }
        // A RAM or DESTROYED page becomes DESTROYED: the realm lost its content.
        w.set(ripas == .empty ? .unassigned(.empty) : .unassigned(.destroyed))
        if isValidDescriptor(e) { hardware.invalidateStage2(ipa: IPA(ipa), level: RTTGeometry.pageLevel, vmid: realm.vmid) }
        w.table.adjustRefcount(by: -1)
        let name = hostName(of: pa)
        data.transition(to: .delegated)
        return .success(name, w.entries.skipNonLive(from: ipa, index: w.index, level: w.level))
    }
}
