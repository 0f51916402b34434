// RMI_REALM_CREATE (DEN0137 B4.3.11): success, the starting-level geometry rules, the initial
// RIM, and every failure condition one at a time. All failures are RMI_ERROR_INPUT and leave
// nothing changed.

import Testing
@testable import TMMCore

@Suite struct RealmCreateTests {
    /// Sets up a realm-create call with default parameters and returns (rd, params PA, rtt
    /// base); `configure` may change the parameters.
    func prepare(_ h: Harness, _ configure: (inout RealmParams) -> Void = { _ in }) -> (UInt64, UInt64, RealmParams) {
        var p = RealmParams()
        // At least 16 delegated granules above a base aligned to 16 tables (64 KiB): every
        // geometry's concatenated starting tables fit there, aligned to their total size.
        var base = h.delegated()
        var taken = 1
        while taken < 16 || base % (16 * 4096) != 0 {
            base = h.delegated()
            taken += 1
        }
        p.rttBase = base
        configure(&p)
        let rd = h.delegated()
        let params = h.freshNS()
        h.writeRealmParams(p, at: params)
        return (rd, params, p)
    }

    func expectNothingChanged(_ h: Harness, _ rd: UInt64, _ p: RealmParams, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(h.state(rd) == .delegated, sourceLocation: sourceLocation)
        for i in 0..<16 {
            let s = h.state(p.rttBase + UInt64(i) * 4096)
            #expect(s == .delegated || s == nil || p.rttBase + UInt64(i) * 4096 == rd, sourceLocation: sourceLocation)
        }
        #expect(!h.tmm.vmids.isInUse(p.vmid & 0xFF) || p.vmid > 255, sourceLocation: sourceLocation)
        #expect(h.checkInvariants().isEmpty, sourceLocation: sourceLocation)
    }

    @Test func success() {
        let h = Harness()
        let (rd, params, p) = prepare(h) { $0.rpv = (0..<64).map { UInt8($0) } }
        #expect(h.call(.realmCreate, rd, params) == RMIResult(x0: 0))
        #expect(h.state(rd) == .rd)
        #expect(h.state(p.rttBase) == .rtt && h.state(p.rttBase + 4096) == .rtt)
        #expect(h.state(p.rttBase + 8192) == .delegated)
        #expect(h.tmm.vmids.isInUse(1))
        // The protected half [0, 2^39) starts UNASSIGNED with RIPAS EMPTY; the unprotected
        // half is UNASSIGNED_NS (TF-RMM encoding: invalid with bit 55 set).
        let realm = TestRealm(rd: rd, params: p)
        for ipa: UInt64 in [0, 1 << 30, (1 << 39) - (1 << 30)] {
            #expect(h.readEntry(realm, ipa, level: 1) == RMIResult(x0: 0, x1: 1, x2: 0, x3: 0, x4: 0))
        }
        #expect(h.machine.read64(p.rttBase) == 0)
        #expect(h.machine.read64(p.rttBase + 4096) == 1 << 55)
        #expect(h.machine.read64(p.rttBase + 4096 + 511 * 8) == 1 << 55)
        #expect(h.rim(realm) == Reference.initialRIM(p))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func initialRIMWithSHA512AndAllMeasuredFields() {
        let h = Harness()
        let (rd, params, p) = prepare(h) {
            $0.hashAlgorithm = 1
            // No PMU flag (FEATURES: PMU_EN 0), but pmu_num_ctrs is measured all the same.
            $0.pmuNumCounters = 3
            $0.numBPs = 5
            $0.numWPs = 3
            $0.vmid = 77
            $0.rpv = Array(repeating: 0xEE, count: 64)
        }
        #expect(h.call(.realmCreate, rd, params).x0 == 0)
        #expect(h.rim(TestRealm(rd: rd, params: p)) == Reference.initialRIM(p))
        // RPV, VMID and RTT fields are not measured: the same realm with others measures equal.
        let h2 = Harness()
        let (rd2, params2, p2) = prepare(h2) {
            $0.hashAlgorithm = 1
            $0.pmuNumCounters = 3
            $0.numBPs = 5
            $0.numWPs = 3
            $0.vmid = 9
        }
        #expect(h2.call(.realmCreate, rd2, params2).x0 == 0)
        #expect(h2.rim(TestRealm(rd: rd2, params: p2)) == h.rim(TestRealm(rd: rd, params: p)))
    }

    /// Starting level and number of concatenated tables: an entry at level L maps
    /// 2^(12 + 9(3 - L)) bytes, one table resolves 9 more bits, up to 16 tables concatenate
    /// (4 more bits), and the walk must need at least one bit at the starting level.
    @Test(arguments: [
        (UInt64(40), Int64(1), UInt64(2), true), (40, 1, 1, false), (40, 1, 4, false), (39, 1, 1, true),
        (43, 1, 16, true), (44, 1, 32, false), (31, 1, 1, false), (32, 1, 1, true),
        (32, 2, 4, true), (34, 2, 16, true), (35, 2, 32, false), (33, 2, 8, true),
        (40, 0, 1, true), (48, 0, 1, true), (44, 0, 1, true), (39, 0, 1, false),
        (32, 3, 1, false), (40, -1, 1, false), (40, 4, 1, false),
    ])
    func startLevelGeometry(s2sz: UInt64, level: Int64, tables: UInt64, valid: Bool) {
        let h = Harness()
        let (rd, params, p) = prepare(h) {
            $0.s2sz = s2sz
            $0.rttLevelStart = level
            $0.rttNumStart = tables
        }
        let r = h.call(.realmCreate, rd, params)
        #expect(r.x0 == (valid ? 0 : Status.input), "s2sz \(s2sz) level \(level) tables \(tables)")
        if valid {
            for i in 0..<Int(tables) { #expect(h.state(p.rttBase + UInt64(i) * 4096) == .rtt) }
            // The protected/unprotected boundary: the first unprotected IPA is 2^(s2sz-1).
            let realm = TestRealm(rd: rd, params: p)
            #expect(h.call(.rttMapUnprotected, rd, (1 << (s2sz - 1)) - 4096, 3, Harness.ns(1)).x0 == Status.input)
            #expect(h.readEntry(realm, 1 << (s2sz - 1), level: Int(level)).x0 == 0)
            #expect(h.readEntry(realm, 1 << s2sz, level: Int(level)).x0 == Status.input)
        } else {
            expectNothingChanged(h, rd, p)
        }
    }

    @Test func levelZeroNeedsA44BitPARange() {
        var caps = Harness.defaultCapabilities
        caps.maxIPAWidth = 42
        let h = Harness(capabilities: caps)
        let (rd, params, p) = prepare(h) {
            $0.s2sz = 40
            $0.rttLevelStart = 0
            $0.rttNumStart = 1
        }
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        expectNothingChanged(h, rd, p)
    }

    @Test func paramsBufferConditions() {
        let h = Harness()
        let (rd, params, p) = prepare(h)
        // params_align, params_bound (TMM memory, pool, outside any memory), params_pas
        for bad: UInt64 in [params + 8, params + 0x800, FakeMachine.tmmMemory.base, Harness.pool(900), 0x9000_0000,
                            UInt64.max & ~0xFFF, FakeMachine.normalWorld.base + FakeMachine.normalWorld.size] {
            #expect(h.call(.realmCreate, rd, bad).x0 == Status.input, "\(hex(bad))")
        }
        // A host buffer whose access faults.
        h.machine.faultingNormalWorld.insert(params)
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        h.machine.faultingNormalWorld.removeAll()
        expectNothingChanged(h, rd, p)
        #expect(h.call(.realmCreate, rd, params).x0 == 0)
    }

    @Test(arguments: [
        "lpa2", "s2sz small", "s2sz above PARange", "bps", "wps", "bps zero", "wps zero", "sve", "pmu", "pmu counters",
        "pmu zero", "hash",
    ])
    func unsupportedParameters(_ which: String) {
        let h = Harness()
        let (rd, params, p) = prepare(h) {
            switch which {
            case "lpa2": $0.flags = 1 << 0
            case "s2sz small": $0.s2sz = 31
            case "s2sz above PARange": $0.s2sz = 49; $0.rttLevelStart = 0; $0.rttNumStart = 2
            // The harness's CPU has 6 breakpoints and 4 watchpoints: FEATURES reports NUM_BPS 5
            // and NUM_WPS 3, the most a realm may ask for; 0 is reserved.
            case "bps": $0.numBPs = 6
            case "wps": $0.numWPs = 4
            case "bps zero": $0.numBPs = 0
            case "wps zero": $0.numWPs = 0
            case "sve": $0.flags = 1 << 1
            // FEATURES reports PMU_EN 0: the PMU flag is refused with any number of counters.
            case "pmu": $0.flags = 1 << 2; $0.pmuNumCounters = 1
            case "pmu counters": $0.flags = 1 << 2; $0.pmuNumCounters = 7
            case "pmu zero": $0.flags = 1 << 2; $0.pmuNumCounters = 0
            default: $0.hashAlgorithm = 2
            }
        }
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        expectNothingChanged(h, rd, p)
    }

    @Test func supportedLimitsAreAccepted() {
        let h = Harness()
        let features = h.call(.features, 0).x1
        let (rd, params, _) = prepare(h) {
            $0.numBPs = features >> 14 & 0x3F
            $0.numWPs = features >> 20 & 0x3F
        }
        #expect(h.call(.realmCreate, rd, params).x0 == 0)
        let (rd2, params2, _) = prepare(h) {
            $0.numBPs = 1
            $0.numWPs = 1
            $0.vmid = 2
        }
        #expect(h.call(.realmCreate, rd2, params2).x0 == 0)
    }

    @Test func vmidConditions() {
        let h = Harness()
        _ = h.createRealm { $0.vmid = 5 }
        // vmid_free
        let (rd, params, p) = prepare(h) { $0.vmid = 5 }
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        #expect(h.state(rd) == .delegated && h.state(p.rttBase) == .delegated)
        // vmid_valid: beyond the platform's 8-bit VMIDs
        let (rd2, params2, _) = prepare(h) { $0.vmid = 256 }
        #expect(h.call(.realmCreate, rd2, params2).x0 == Status.input)
        let (rd3, params3, _) = prepare(h) { $0.vmid = 255 }
        #expect(h.call(.realmCreate, rd3, params3).x0 == 0)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func sixteenBitVMIDs() {
        var caps = Harness.defaultCapabilities
        caps.vmidWidth = 16
        let h = Harness(capabilities: caps)
        #expect(h.createRealm { $0.vmid = 0xFFFF }.rd != 0)
        #expect(h.tmm.vmids.isInUse(0xFFFF))
        // vmid is a 16-bit field: bytes 0x802...0x807 are padding and not part of it.
        let (rd, params, _) = prepare(h) { $0.vmid = 0xABCD_0000_0000_FFFF }
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func granuleConditions() {
        let h = Harness()
        let (rd, params, initial) = prepare(h)
        var p = initial
        // rd_align, rd_bound, rd_state
        for bad in [rd + 4, Harness.ns(7), FakeMachine.tmmMemory.base, h.freshGranule()] {
            #expect(h.call(.realmCreate, bad, params).x0 == Status.input)
        }
        // alias: the RD is one of the starting-level RTTs
        #expect(h.call(.realmCreate, p.rttBase + 4096, params).x0 == Status.input)
        // rtt_state: the second starting-level table is not DELEGATED
        #expect(h.call(.granuleUndelegate, p.rttBase + 4096).x0 == 0)
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        #expect(h.state(p.rttBase) == .delegated)
        // rtt_align, rtt_bound
        for base in [p.rttBase + 0x10, Harness.ns(0), FakeMachine.tmmMemory.base, UInt64.max & ~0xFFF] {
            p.rttBase = base
            h.writeRealmParams(p, at: params)
            #expect(h.call(.realmCreate, rd, params).x0 == Status.input, "\(hex(base))")
        }
        #expect(h.state(rd) == .delegated)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func rdBelowOrAboveTheTablesBothWork() {
        let h = Harness()
        let low = h.delegated()
        let (_, params, p) = prepare(h)
        #expect(low > p.rttBase)
        #expect(h.call(.realmCreate, low, params).x0 == 0)
        var q = RealmParams()
        q.vmid = 2
        q.rttBase = Harness.pool(10)
        for g in [Harness.pool(10), Harness.pool(11), Harness.pool(9)] { #expect(h.call(.granuleDelegate, g).x0 == 0) }
        let params2 = h.freshNS()
        h.writeRealmParams(q, at: params2)
        #expect(h.call(.realmCreate, Harness.pool(9), params2).x0 == 0)
        #expect(h.checkInvariants().isEmpty)
    }

    /// Concatenated starting-level tables must be aligned to their total size, or the hardware's
    /// walk would read other granules (RealmParameters.isSupported).
    @Test(arguments: [(UInt64(2), UInt64(1)), (4, 2), (16, 8)])
    func concatenatedStartTablesMustBeAlignedToTheirTotalSize(tables: UInt64, offsetGranules: UInt64) {
        let h = Harness()
        let width: UInt64 = tables == 2 ? 40 : tables == 4 ? 41 : 43
        let (rd, params, p) = prepare(h) {
            $0.s2sz = width
            $0.rttLevelStart = 1
            $0.rttNumStart = tables
            $0.rttBase += offsetGranules * 4096
        }
        #expect(h.call(.realmCreate, rd, params).x0 == Status.input)
        expectNothingChanged(h, rd, p)
        var aligned = p
        aligned.rttBase -= offsetGranules * 4096
        h.writeRealmParams(aligned, at: params)
        #expect(h.call(.realmCreate, rd, params).x0 == Status.success)
        #expect(h.checkInvariants().isEmpty)
    }
}
