// A whole realm lifecycle driven over RMI the way a CCA hypervisor drives it: delegate granules,
// create a realm whose start-level RTT is two concatenated tables, build RTTs down to level 3,
// INIT_RIPAS, DATA_CREATE measured and unmeasured pages from normal-world memory,
// DATA_CREATE_UNKNOWN, map and unmap an unprotected page, create a REC with its auxiliary
// granules, activate, read RTT entries back, then tear everything down in the specification's
// order and undelegate every granule. The last check sweeps the whole pool: every granule must
// delegate and undelegate, i.e. be back in its initial (undelegated) state.

enum RealmLifecycleChecks {
    /// Realm geometry: a 40-bit IPA space (protected half [0, 2^39)), walks starting at level 1
    /// with two concatenated level-1 tables.
    static let s2sz: UInt64 = 40
    static let unprotectedBase: UInt64 = 1 << 39
    static let startLevel: Int64 = 1
    static let startTables: UInt64 = 2

    static func run(_ checks: inout CheckRecorder, pool poolRange: (base: UInt64, size: UInt64)?) {
        guard let poolRange else {
            checks.expect("lifecycle: the device tree names the granule pool", false)
            return
        }
        var pool = GranulePool(base: poolRange.base, size: poolRange.size)
        let features = RMIFeatures(RMI.features(0).x1)
        let rtt0 = pool.takeStartTables(startTables)!
        let rd = pool.take()!, rttL2 = pool.take()!, rttL3 = pool.take()!
        let rttL2u = pool.take()!, rttL3u = pool.take()!
        // Four consecutive data granules, and the page after them, in one level-3 RTT's range.
        let dataBase = pool.takeAligned(8)!
        let data = (dataBase, dataBase + 0x1000, dataBase + 0x2000)
        let unknownData = dataBase + 0x3000
        let rec = pool.take()!
        // Where the data pages go: IPA 0 up, or, on a CPU without Secure EL2 (the EL3 image, no
        // stage 2), at the data granules' own addresses (identity placement, Docs/el3-realms.md).
        // The unprotected page likewise: at the shared page's address with the top IPA bit.
        let identity = RealmPlacement.identity
        let ipa0: UInt64 = identity ? dataBase : 0
        let shared = NonSecurePage(index: 2)
        let unprotectedIPA = identity ? unprotectedBase | shared.address : unprotectedBase

        // Delegation.
        let granules: InlineArray<12, UInt64> =
            [rd, rtt0, rtt0 + 0x1000, rttL2, rttL3, rttL2u, rttL3u, data.0, data.1, data.2, unknownData, rec]
        var delegated = true
        for i in granules.indices { delegated = delegated && RMI.granuleDelegate(granules[i]).succeeded }
        checks.expect("lifecycle: GRANULE_DELEGATE of 12 pool granules", delegated)
        checks.expectEqual("lifecycle: GRANULE_DELEGATE of a delegated granule: RMI_ERROR_INPUT",
                           RMI.granuleDelegate(rd).x0, RMIStatusCode.errorInput)
        checks.expectEqual("lifecycle: GRANULE_DELEGATE of an unaligned address: RMI_ERROR_INPUT",
                           RMI.granuleDelegate(pool.base + 0x800).x0, RMIStatusCode.errorInput)

        // Realm.
        let params = NonSecurePage(index: 0)
        params.writeRealmParams(ipaWidth: s2sz, features: features, rpv: 0x5250_5600, vmid: 1,
                                startTables: rtt0, startLevel: startLevel, startTableCount: startTables)
        // num_bps and num_wps: 0 is reserved, and FEATURES' NUM_BPS/NUM_WPS (the number available,
        // minus one) are the most a realm may ask for. The params page above passes those.
        params.store64(0, at: 0x018)
        checks.expectEqual("lifecycle: REALM_CREATE with num_bps 0: RMI_ERROR_INPUT",
                           RMI.realmCreate(rd: rd, params: params.address).x0, RMIStatusCode.errorInput)
        params.store64(features.numBPs + 1, at: 0x018)
        checks.expectEqual("lifecycle: REALM_CREATE with num_bps above RMI_FEATURES NUM_BPS: RMI_ERROR_INPUT",
                           RMI.realmCreate(rd: rd, params: params.address).x0, RMIStatusCode.errorInput)
        params.store64(features.numBPs, at: 0x018)
        params.store64(0, at: 0x020)
        checks.expectEqual("lifecycle: REALM_CREATE with num_wps 0: RMI_ERROR_INPUT",
                           RMI.realmCreate(rd: rd, params: params.address).x0, RMIStatusCode.errorInput)
        params.store64(features.numWPs, at: 0x020)
        checks.expectEqual("lifecycle: REALM_CREATE", RMI.realmCreate(rd: rd, params: params.address).x0, RMIStatusCode.success)

        // Protected RTTs down to level 3 at IPA 0.
        checks.expectEqual("lifecycle: RTT_CREATE level 2 at IPA 0", RMI.rttCreate(rd: rd, rtt: rttL2, ipa: ipa0 & ~0x3FFF_FFFF, level: 2).x0, 0)
        checks.expectEqual("lifecycle: RTT_CREATE level 3 at IPA 0", RMI.rttCreate(rd: rd, rtt: rttL3, ipa: ipa0 & ~0x1F_FFFF, level: 3).x0, 0)
        // The walk for a level-3 RTT stops at its parent entry (level 2), which is already a table.
        checks.expectEqual("lifecycle: RTT_CREATE where a table exists: RMI_ERROR_RTT at the parent level 2",
                           RMI.rttCreate(rd: rd, rtt: rttL2u, ipa: ipa0 & ~0x1F_FFFF, level: 3).x0, RMIStatusCode.rtt(level: 2))
        let ripas = RMI.rttInitRIPAS(rd: rd, base: ipa0, top: ipa0 + 0x4000)
        checks.expectEqual("lifecycle: RTT_INIT_RIPAS [0, 0x4000)", ripas.x0, 0)
        checks.expectEqual("lifecycle: RTT_INIT_RIPAS top", ripas.x1, ipa0 + 0x4000)

        // Data.
        let source = NonSecurePage(index: 1)
        source.fillPattern(seed: 1)
        checks.expectEqual("lifecycle: DATA_CREATE at IPA 0 (measured)",
                           RMI.dataCreate(rd: rd, data: data.0, ipa: ipa0, source: source.address, flags: 1).x0, 0)
        source.fillPattern(seed: 2)
        checks.expectEqual("lifecycle: DATA_CREATE at IPA 0x1000 (measured)",
                           RMI.dataCreate(rd: rd, data: data.1, ipa: ipa0 + 0x1000, source: source.address, flags: 1).x0, 0)
        checks.expectEqual("lifecycle: DATA_CREATE at IPA 0x2000 (content not measured)",
                           RMI.dataCreate(rd: rd, data: data.2, ipa: ipa0 + 0x2000, source: source.address, flags: 0).x0, 0)
        checks.expectEqual("lifecycle: DATA_CREATE from a source in the secure pool: RMI_ERROR_INPUT",
                           RMI.dataCreate(rd: rd, data: unknownData, ipa: ipa0 + 0x3000, source: pool.base, flags: 1).x0,
                           RMIStatusCode.errorInput)
        checks.expectEqual("lifecycle: DATA_CREATE_UNKNOWN at IPA 0x3000",
                           RMI.dataCreateUnknown(rd: rd, data: unknownData, ipa: ipa0 + 0x3000).x0, 0)

        // RTT entries read back.
        let page0 = RMI.rttReadEntry(rd: rd, ipa: ipa0, level: 3)
        checks.expect("lifecycle: RTT_READ_ENTRY IPA 0: level 3, ASSIGNED, data PA, RIPAS RAM",
                      page0.x0 == 0 && page0.x1 == 3 && page0.x2 == RTTEntryState.assigned
                      && page0.x3 == data.0 && page0.x4 == RIPASValue.ram)
        let empty = RMI.rttReadEntry(rd: rd, ipa: ipa0 + 0x4000, level: 3)
        checks.expect("lifecycle: RTT_READ_ENTRY IPA 0x4000: UNASSIGNED, RIPAS EMPTY",
                      empty.x0 == 0 && empty.x2 == RTTEntryState.unassigned && empty.x3 == 0 && empty.x4 == RIPASValue.empty)
        let table = RMI.rttReadEntry(rd: rd, ipa: ipa0 & ~0x1F_FFFF, level: 2)
        checks.expect("lifecycle: RTT_READ_ENTRY IPA 0 level 2: TABLE of the level-3 RTT",
                      table.x0 == 0 && table.x1 == 2 && table.x2 == RTTEntryState.table && table.x3 == rttL3)
        checks.expectEqual("lifecycle: RTT_READ_ENTRY beyond the IPA width: RMI_ERROR_INPUT",
                           RMI.rttReadEntry(rd: rd, ipa: 1 << s2sz, level: 3).x0, RMIStatusCode.errorInput)

        // An unprotected mapping of a normal-world page. Identity-placed, its IPA is the page's
        // address with the top IPA bit set, which needs the page below 2^(s2sz - 1): on a
        // platform whose DRAM lies higher (sbsa-ref: 1 TiB) a host must choose a wider IPA space.
        let unprotectedFits = !identity || shared.address < unprotectedBase
        if unprotectedFits {
            checks.expectEqual("lifecycle: RTT_CREATE level 2 at the unprotected base",
                               RMI.rttCreate(rd: rd, rtt: rttL2u, ipa: unprotectedIPA & ~0x3FFF_FFFF, level: 2).x0, 0)
            checks.expectEqual("lifecycle: RTT_CREATE level 3 at the unprotected base",
                               RMI.rttCreate(rd: rd, rtt: rttL3u, ipa: unprotectedIPA & ~0x1F_FFFF, level: 3).x0, 0)
            let descriptor = shared.address | RMI.sharedMemoryAttributes
            checks.expectEqual("lifecycle: RTT_MAP_UNPROTECTED",
                               RMI.rttMapUnprotected(rd: rd, ipa: unprotectedIPA, level: 3, descriptor: descriptor).x0, 0)
            let mapped = RMI.rttReadEntry(rd: rd, ipa: unprotectedIPA, level: 3)
            checks.expect("lifecycle: RTT_READ_ENTRY unprotected: ASSIGNED with the host's descriptor",
                          mapped.x0 == 0 && mapped.x2 == RTTEntryState.assigned && mapped.x3 == descriptor
                          && mapped.x4 == RIPASValue.empty)
            checks.expectEqual("lifecycle: RTT_MAP_UNPROTECTED of a protected IPA: RMI_ERROR_INPUT",
                               RMI.rttMapUnprotected(rd: rd, ipa: 0x5000, level: 3, descriptor: descriptor).x0,
                               RMIStatusCode.errorInput)
            let unmapped = RMI.rttUnmapUnprotected(rd: rd, ipa: unprotectedIPA, level: 3)
            checks.expectEqual("lifecycle: RTT_UNMAP_UNPROTECTED", unmapped.x0, 0)
        } else {
            var line = LogLine("[host] SKIP lifecycle: the unprotected mapping (identity placement: the shared page at ")
            line.hex(shared.address)
            line.append(" lies above this realm's 40-bit IPA space)")
            console.print(line)
        }

        // REC with auxiliary granules.
        let auxCount = RMI.recAuxCount(rd: rd)
        checks.expect("lifecycle: REC_AUX_COUNT", auxCount.x0 == 0 && auxCount.x1 <= 16)
        let aux = pool.take(auxCount.x1)!
        var auxDelegated = true
        for i in 0..<auxCount.x1 { auxDelegated = auxDelegated && RMI.granuleDelegate(aux + i << 12).succeeded }
        checks.expect("lifecycle: GRANULE_DELEGATE of the auxiliary granules", auxDelegated)
        let recParams = NonSecurePage(index: 3)
        // REC 0, runnable, at the first data page.
        recParams.writeRecParams(runnable: true, mpidr: 0, pc: ipa0, auxBase: aux, auxCount: auxCount.x1)
        checks.expectEqual("lifecycle: REC_CREATE", RMI.recCreate(rd: rd, rec: rec, params: recParams.address).x0, 0)

        checks.expectEqual("lifecycle: REALM_ACTIVATE", RMI.realmActivate(rd: rd).x0, 0)
        checks.expectEqual("lifecycle: REALM_ACTIVATE of an active realm: RMI_ERROR_REALM",
                           RMI.realmActivate(rd: rd).x0, RMIStatusCode.errorRealm)
        checks.expectEqual("lifecycle: REALM_DESTROY of a realm with live RTTs: RMI_ERROR_REALM",
                           RMI.realmDestroy(rd: rd).x0, RMIStatusCode.errorRealm)

        // Teardown, in the specification's order.
        checks.expectEqual("lifecycle: REC_DESTROY", RMI.recDestroy(rec: rec).x0, 0)
        let pages: InlineArray<4, (ipa: UInt64, pa: UInt64)> =
            [(ipa0, data.0), (ipa0 + 0x1000, data.1), (ipa0 + 0x2000, data.2), (ipa0 + 0x3000, unknownData)]
        for i in pages.indices {
            let destroyed = RMI.dataDestroy(rd: rd, ipa: pages[i].ipa)
            checks.expect("lifecycle: DATA_DESTROY returns the data granule", destroyed.x0 == 0 && destroyed.x1 == pages[i].pa)
        }
        let destroyedL3 = RMI.rttDestroy(rd: rd, ipa: ipa0 & ~0x1F_FFFF, level: 3)
        checks.expect("lifecycle: RTT_DESTROY level 3 returns the RTT", destroyedL3.x0 == 0 && destroyedL3.x1 == rttL3)
        let destroyedL2 = RMI.rttDestroy(rd: rd, ipa: ipa0 & ~0x3FFF_FFFF, level: 2)
        checks.expect("lifecycle: RTT_DESTROY level 2 returns the RTT", destroyedL2.x0 == 0 && destroyedL2.x1 == rttL2)
        if unprotectedFits {
            let destroyedL3u = RMI.rttDestroy(rd: rd, ipa: unprotectedIPA & ~0x1F_FFFF, level: 3)
            checks.expect("lifecycle: RTT_DESTROY unprotected level 3", destroyedL3u.x0 == 0 && destroyedL3u.x1 == rttL3u)
            let destroyedL2u = RMI.rttDestroy(rd: rd, ipa: unprotectedIPA & ~0x3FFF_FFFF, level: 2)
            checks.expect("lifecycle: RTT_DESTROY unprotected level 2", destroyedL2u.x0 == 0 && destroyedL2u.x1 == rttL2u)
        }
        checks.expectEqual("lifecycle: REALM_DESTROY", RMI.realmDestroy(rd: rd).x0, 0)

        var undelegated = true
        for i in granules.indices { undelegated = undelegated && RMI.granuleUndelegate(granules[i]).succeeded }
        for i in 0..<auxCount.x1 { undelegated = undelegated && RMI.granuleUndelegate(aux + i << 12).succeeded }
        checks.expect("lifecycle: GRANULE_UNDELEGATE of every granule used", undelegated)
        checks.expectEqual("lifecycle: GRANULE_UNDELEGATE of an undelegated granule: RMI_ERROR_INPUT",
                           RMI.granuleUndelegate(rd).x0, RMIStatusCode.errorInput)

        // Every pool granule is back in its initial state: undelegated (so it delegates) and
        // then undelegates again.
        let sweep = pool.everyGranuleDelegatesAndUndelegates()
        var detail = LogLine(": ")
        detail.decimal(pool.granuleCount)
        detail.append(" granules")
        checks.expect("lifecycle: every pool granule delegates and undelegates again", sweep, detail)
    }
}
