import AArch64

// RMI_DATA_CREATE round trips per 4 KiB granule, with the content measured into the RIM
// (flags 1) and not (flags 0), for a realm of each hash algorithm: the difference is what
// hashing a granule costs the TMM, which the SHA instructions cut (README: Benchmark). The
// same realm's REALM_CREATE, RTT_CREATE and RTT_DESTROY (level 2 and 3 tables), REC_CREATE (a
// runnable REC, measured) and REC_DESTROY are counted once each. Counted with the cycle
// counter Benchmark.run enabled (instructions under -icount shift=0).

enum DataCreateBenchmark {
    private static let pages = 8

    static func run(deviceTree: UInt64) {
        guard let pool = FlattenedDeviceTree(address: deviceTree)?
            .property(path: "/firmware/tmm", name: "granule-pool")
            .flatMap({ FlattenedDeviceTree.addressSizePair($0, index: 0) })
        else {
            console.print("[bench] FAIL DATA_CREATE: no granule pool in the device tree")
            return
        }
        measure(pool, hashAlgorithm: 0, name: "SHA-256")
        measure(pool, hashAlgorithm: 1, name: "SHA-512")
    }

    /// One realm (IPA width 40, two concatenated level-1 tables, one level-2 and one level-3
    /// RTT) whose first 2 x `pages` granules are DATA_CREATEd, half measured, then destroyed.
    private static func measure(_ range: (base: UInt64, size: UInt64), hashAlgorithm: UInt8, name: StaticString) {
        var pool = GranulePool(base: range.base, size: range.size)
        guard let rtt0 = pool.takeStartTables(2), let rd = pool.take(), let rttL2 = pool.take(),
              let rttL3 = pool.take(), let data = pool.takeAligned(UInt64(2 * pages)), let rec = pool.take(),
              let aux = pool.take(16)
        else {
            console.print("[bench] FAIL DATA_CREATE: the granule pool is too small")
            return
        }
        // Without stage 2 (the EL3 image) the data pages sit at their granules' own addresses
        // (identity placement, Docs/el3-realms.md); otherwise from IPA 0.
        let base: UInt64 = RealmPlacement.identity ? data : 0
        let tables: InlineArray<5, UInt64> = [rd, rtt0, rtt0 + 0x1000, rttL2, rttL3]
        var ok = true
        for i in tables.indices { ok = ok && RMI.granuleDelegate(tables[i]).succeeded }
        for i in 0..<(2 * pages) { ok = ok && RMI.granuleDelegate(data + UInt64(i) << 12).succeeded }
        let params = NonSecurePage(index: 4)
        params.writeRealmParams(ipaWidth: 40, features: RMIFeatures(RMI.features(0).x1), rpv: nil, vmid: 3,
                                startTables: rtt0, startLevel: 1, startTableCount: 2)
        params.store8(hashAlgorithm, at: 0x030)     // hash_algo: 0 SHA-256, 1 SHA-512
        let realmCreate = counted { RMI.realmCreate(rd: rd, params: params.address) }
        let rttCreate2 = counted { RMI.rttCreate(rd: rd, rtt: rttL2, ipa: base & ~0x3FFF_FFFF, level: 2) }
        let rttCreate3 = counted { RMI.rttCreate(rd: rd, rtt: rttL3, ipa: base & ~0x1F_FFFF, level: 3) }
        ok = ok && realmCreate.ok && rttCreate2.ok && rttCreate3.ok
        ok = ok && RMI.rttInitRIPAS(rd: rd, base: base, top: base + UInt64(2 * pages) << 12).succeeded
        let source = NonSecurePage(index: 5)
        source.fillPattern(seed: 0x5EED)

        var measured = InlineArray<8, UInt64>(repeating: 0)
        var unmeasured = InlineArray<8, UInt64>(repeating: 0)
        for i in 0..<pages {
            for flags: UInt64 in 0...1 {
                let index = flags == 1 ? i : pages + i
                isb()
                let start = read_pmccntr_el0()
                ok = ok && RMI.dataCreate(rd: rd, data: data + UInt64(index) << 12, ipa: base + UInt64(index) << 12,
                                          source: source.address, flags: flags).succeeded
                isb()
                let cycles = read_pmccntr_el0() &- start
                if flags == 1 { measured[i] = cycles } else { unmeasured[i] = cycles }
            }
        }

        // A runnable REC (measured into the RIM) with the aux granules REC_AUX_COUNT asks for.
        let auxCount = min(RMI.recAuxCount(rd: rd).x1, 16)
        ok = ok && RMI.granuleDelegate(rec).succeeded
        for i in 0..<auxCount { ok = ok && RMI.granuleDelegate(aux + i << 12).succeeded }
        let recParams = NonSecurePage(index: 4)
        recParams.writeRecParams(runnable: true, mpidr: 0, pc: 0x8000_0000, x0: 0x1234, auxBase: aux, auxCount: auxCount)
        let recCreate = counted { RMI.recCreate(rd: rd, rec: rec, params: recParams.address) }
        let recDestroy = counted { RMI.recDestroy(rec: rec) }
        ok = ok && recCreate.ok && recDestroy.ok

        for i in 0..<(2 * pages) { ok = ok && RMI.dataDestroy(rd: rd, ipa: base + UInt64(i) << 12).succeeded }
        let rttDestroy3 = counted { RMI.rttDestroy(rd: rd, ipa: base & ~0x1F_FFFF, level: 3) }
        let rttDestroy2 = counted { RMI.rttDestroy(rd: rd, ipa: base & ~0x3FFF_FFFF, level: 2) }
        ok = ok && rttDestroy3.ok && rttDestroy2.ok
        ok = ok && RMI.realmDestroy(rd: rd).succeeded
        for i in tables.indices { ok = ok && RMI.granuleUndelegate(tables[i]).succeeded }
        for i in 0..<(2 * pages) { ok = ok && RMI.granuleUndelegate(data + UInt64(i) << 12).succeeded }
        ok = ok && RMI.granuleUndelegate(rec).succeeded
        for i in 0..<auxCount { ok = ok && RMI.granuleUndelegate(aux + i << 12).succeeded }
        guard ok else {
            console.print("[bench] FAIL DATA_CREATE: a realm set-up or teardown call failed")
            return
        }
        report("measured", name, measured)
        report("not measured", name, unmeasured)
        once("REALM_CREATE", name, realmCreate.cycles)
        once("RTT_CREATE (level 2)", name, rttCreate2.cycles)
        once("RTT_CREATE (level 3)", name, rttCreate3.cycles)
        once("REC_CREATE (runnable, measured)", name, recCreate.cycles)
        once("REC_DESTROY", name, recDestroy.cycles)
        once("RTT_DESTROY (level 3)", name, rttDestroy3.cycles)
        once("RTT_DESTROY (level 2)", name, rttDestroy2.cycles)
    }

    /// One call between two reads of the cycle counter.
    private static func counted(_ call: () -> RMIResult) -> (ok: Bool, cycles: UInt64) {
        isb()
        let start = read_pmccntr_el0()
        let r = call()
        isb()
        let cycles = read_pmccntr_el0() &- start
        return (r.succeeded, cycles)
    }

    private static func once(_ command: StaticString, _ name: StaticString, _ cycles: UInt64) {
        var line = LogLine("[bench] ")
        line.append(command)
        line.append(", ")
        line.append(name)
        line.append(" realm: ")
        line.decimal(cycles)
        console.print(line)
    }

    private static func report(_ kind: StaticString, _ name: StaticString, _ samples: InlineArray<8, UInt64>) {
        var low = UInt64.max, high: UInt64 = 0
        for i in 0..<pages {
            low = min(low, samples[i])
            high = max(high, samples[i])
        }
        var line = LogLine("[bench] DATA_CREATE 4 KiB, ")
        line.append(kind)
        line.append(", ")
        line.append(name)
        line.append(" realm: min ")
        line.decimal(low)
        line.append(" max ")
        line.decimal(high)
        line.append(" (n=")
        line.decimal(UInt64(pages))
        line.append(")")
        console.print(line)
    }
}
