// Decoding fuzz input into RMI calls from the normal world: every FID (and unassigned ones),
// arguments drawn from what the world holds (earlier RDs, RECs, RTTs, pool granules) and from
// the places where checks break (granules just outside the pool, unaligned and huge
// addresses, levels -1 to 4, IPAs at the edges of the IPA space), parameter structures built
// field by field. Some operations are short valid sequences (make a realm, its tables, a REC)
// so that deep states are a few bytes away.

@testable import TMMCore

extension FuzzWorld {
    static let commands: [RMIFunctionID] = [
        .version, .features, .granuleDelegate, .granuleUndelegate, .dataCreate, .dataCreateUnknown, .dataDestroy,
        .realmActivate, .realmCreate, .realmDestroy, .recCreate, .recDestroy, .recEnter, .rttCreate, .rttDestroy,
        .rttMapUnprotected, .rttReadEntry, .rttUnmapUnprotected, .psciComplete, .features, .rttFold, .recAuxCount,
        .rttInitRIPAS, .rttSetRIPAS,
    ]

    // MARK: argument choosers

    /// A granule name, usually one in `state` when the world has one.
    func granule(_ input: inout FuzzInput, _ state: GranuleState? = nil) -> UInt64 {
        switch input.byte() % 16 {
        case 0...7:
            if let state {
                let matching = names(in: state)
                if !matching.isEmpty { return matching[input.below(matching.count)] }
            }
            return Self.poolNames[input.below(Self.poolNames.count)]
        case 8...10: return Self.candidates[input.below(Self.candidates.count)]
        case 11: return input.pick(Self.outside)
        case 12:
            // Unaligned: inside a granule that may be valid.
            return Self.candidates[input.below(Self.candidates.count)] + UInt64(input.pick([1, 8, 0x800, 0xFFF]))
        case 13: if !rtts.isEmpty { return input.pick(rtts) } else { return Self.poolNames[0] }
        case 14: if !recs.isEmpty { return input.pick(recs).rec } else { return Self.poolNames[1] }
        default: return input.interesting()
        }
    }

    func rd(_ input: inout FuzzInput) -> UInt64 {
        if !realms.isEmpty && input.chance(85) { return realms[input.below(realms.count)].rd }
        return granule(&input, .rd)
    }

    func rec(_ input: inout FuzzInput) -> UInt64 {
        if !recs.isEmpty && input.chance(85) { return recs[input.below(recs.count)].rec }
        return granule(&input, .rec)
    }

    func s2sz(of rd: UInt64) -> UInt64 { realms.first { $0.rd == rd }?.s2sz ?? 40 }

    /// An IPA for realm `rd`, usually aligned for an entry at `level`, near the bottom of the
    /// protected space, the protected/unprotected boundary or the top of the IPA space.
    func ipa(_ input: inout FuzzInput, rd: UInt64, level: UInt64 = 3) -> UInt64 {
        let width = s2sz(of: rd)
        let par: UInt64 = width > 0 && width < 64 ? 1 << (width - 1) : 1 << 39
        let size: UInt64 = 1 << (12 + 9 * UInt64(3 - min(3, level)))
        let small = UInt64(input.below(8))
        switch input.byte() % 16 {
        // Wrapping: a realm's IPA space may be smaller than one entry of the level asked for.
        case 0...5: return small &* size
        case 6, 7: return par &+ small &* size
        case 8: return par &- size
        case 9: return (par << 1) &- size
        case 10: return par << 1
        case 11: return small << 30
        case 12: return small &* 4096 &+ UInt64(input.pick([1, 0x800, 0xFFF]))
        case 13: return small << 21 | UInt64(input.below(512)) << 12
        default: return input.interesting()
        }
    }

    func level(_ input: inout FuzzInput) -> UInt64 {
        switch input.byte() % 16 {
        case 0: return UInt64.max           // -1
        case 1: return 4
        case 2: return input.interesting()
        case 3, 4: return 1
        case 5, 6: return 0
        case 7...10: return 2
        default: return 3
        }
    }

    /// A realm personalization value: zero, or a few input bytes at its start.
    func personalization(_ input: inout FuzzInput) -> [UInt8] {
        let head = input.chance(80) ? [] : (0..<input.below(9)).map { _ in input.byte() }
        return head + [UInt8](repeating: 0, count: 64 - head.count)
    }

    /// Writes RmiRealmParams, field by field from the input, to the params page.
    func realmParams(_ input: inout FuzzInput, valid: Bool) -> UInt64 {
        var p = RealmParams()
        p.s2sz = valid ? input.pick([32, 36, 39, 40, 44, 48]) : input.pick([0, 31, 32, 33, 39, 40, 41, 48, 49, 52, 64, input.interesting()])
        p.rttLevelStart = valid ? (p.s2sz <= 34 ? input.pick([1, 2]) : p.s2sz <= 43 ? 1 : 0) : Int64(input.below(7)) - 2
        let start = UInt64(max(0, min(3, p.rttLevelStart)))
        let single = (3 - start) * 9 + 21
        p.rttNumStart = p.s2sz <= single ? 1 : p.s2sz - single < 5 ? 1 << (p.s2sz - single) : 17
        if !valid {
            if input.chance(30) { p.rttNumStart = UInt64(input.below(20)) }
            if input.chance(20) { p.flags = input.interesting() } else { p.flags = UInt64(input.below(8)) }
            p.sveVL = input.chance(80) ? 0 : UInt64(input.below(20))
            p.numBPs = UInt64(input.below(20))
            p.numWPs = UInt64(input.below(20))
            p.pmuNumCounters = input.chance(80) ? 0 : UInt64(input.below(40))
            p.hashAlgorithm = input.pick([0, 1, 2, 0xFF])
            if input.chance(20) { p.rttLevelStart = Int64(bitPattern: input.interesting()) }
        } else {
            p.hashAlgorithm = UInt8(input.below(2))
        }
        p.rpv = personalization(&input)
        p.vmid = valid ? UInt64(input.below(256)) : input.pick([0, 1, 2, 255, 256, input.interesting()])
        // The starting tables: a run of DELEGATED granules aligned to its length, or anything.
        let count = Int(min(p.rttNumStart, 16))
        let runs = Self.candidates.filter { base in
            base % (UInt64(max(count, 1)) * 4096) == 0
                && (0..<max(count, 1)).allSatisfy { h.state(base + UInt64($0) * 4096) == .delegated }
        }
        p.rttBase = !runs.isEmpty && (valid || input.chance(70)) ? runs[input.below(runs.count)] : granule(&input)
        h.writeRealmParams(p, at: Self.realmParamsPage)
        return Self.realmParamsPage
    }

    /// Writes RmiRecParams to the REC params page.
    func recParams(_ input: inout FuzzInput, rd: UInt64, valid: Bool) -> UInt64 {
        var p = RECParams()
        p.mpidr = valid || input.chance(70) ? nextMPIDR[rd, default: 0] : input.pick([0, 1, 0x100, 0x1_0000, input.interesting()])
        p.flags = valid ? UInt64(input.below(2)) : input.pick([0, 1, 2, input.interesting()])
        p.pc = input.chance(80) ? 0x1000 * UInt64(input.below(4)) : input.interesting()
        p.gprs = (0..<8).map { _ in input.chance(20) ? input.interesting() : 0 }
        let auxCount = 4
        if !valid && input.chance(20) { p.numAux = input.pick([0, 3, 5, 16, 17, input.interesting()]) }
        let free = names(in: .delegated)
        p.aux = (0..<auxCount).map { i in
            valid && i < free.count ? free[free.count - 1 - i] : (!free.isEmpty && input.chance(80) ? input.pick(free) : granule(&input))
        }
        h.writeRECParams(p, at: Self.recParamsPage)
        return Self.recParamsPage
    }

    // MARK: operations

    /// Decodes and performs one operation: a single RMI call with chosen arguments, or a short
    /// valid sequence. Returns false once the input is used up or the call budget is spent.
    func rmiOperation(_ input: inout FuzzInput) throws(FuzzFinding) -> Bool {
        guard !input.isExhausted, callCount < Self.callLimit else { return false }
        switch input.byte() % 32 {
        case 0...2: try delegateOne(&input)
        case 3: try makeRealm(&input)
        case 4, 5: try makeTables(&input)
        case 6: try makeData(&input)
        case 7: try makeREC(&input)
        case 8: _ = try perform(.realmActivate, rd(&input))
        case 9, 10: try enter(&input, run: input.pick(Self.runPages))
        case 11:
            // Unassigned FIDs, RMI FIDs with the SVE hint or upper-half bits, other owners.
            let fid = input.pick([0xC400_0156, 0xC400_0160, 0xC400_0163, 0xC400_016A, 0xC400_018F, 0xC400_0100,
                                  0x8400_0150, 0xC400_0190, 0xFFFF_FFFF_C400_0150, 0xC401_0151, input.u64()])
            try perform(fid, RMIArguments(granule(&input), input.interesting(), 0, 0, 0, 0))
        case 12:
            // Touch a normal-world page's mapping in the host's view: its accesses fault.
            let page = Harness.ns(input.below(24))
            if machine.faultingNormalWorld.contains(page) { machine.faultingNormalWorld.remove(page) }
            else { machine.faultingNormalWorld.insert(page) }
        default: try rawCall(&input)
        }
        return true
    }

    /// One RMI command with arguments from the choosers.
    func rawCall(_ input: inout FuzzInput) throws(FuzzFinding) {
        let id = input.pick(Self.commands)
        var fid = id.rawValue
        if input.chance(3) { fid |= 1 << 16 }
        let a: RMIArguments
        switch id {
        case .version: a = RMIArguments(input.pick([0x10000, 0x10001, 0x20000, 0xFFFF, 0, input.interesting()]))
        case .features: a = RMIArguments(input.chance(80) ? UInt64(input.below(3)) : input.interesting())
        case .granuleDelegate: a = RMIArguments(granule(&input, .undelegated))
        case .granuleUndelegate: a = RMIArguments(granule(&input, .delegated))
        case .realmCreate: a = RMIArguments(granule(&input, .delegated), input.chance(90) ? realmParams(&input, valid: input.chance(50)) : granule(&input))
        case .realmActivate, .realmDestroy, .recAuxCount: a = RMIArguments(rd(&input))
        case .recCreate:
            let r = rd(&input)
            a = RMIArguments(r, granule(&input, .delegated), input.chance(90) ? recParams(&input, rd: r, valid: input.chance(50)) : granule(&input))
        case .recDestroy: a = RMIArguments(rec(&input))
        case .recEnter:
            try enter(&input, run: input.chance(90) ? input.pick(Self.runPages) : granule(&input))
            return
        case .psciComplete:
            a = RMIArguments(rec(&input), rec(&input), input.pick([0, UInt64(bitPattern: -3), UInt64(bitPattern: -1), 5, input.interesting()]))
        case .rttCreate:
            let r = rd(&input), l = level(&input)
            a = RMIArguments(r, granule(&input, .delegated), ipa(&input, rd: r, level: l &- 1), l)
        case .rttDestroy, .rttFold:
            let r = rd(&input), l = level(&input)
            a = RMIArguments(r, ipa(&input, rd: r, level: l &- 1), l)
        case .rttReadEntry, .rttUnmapUnprotected:
            let r = rd(&input), l = level(&input)
            a = RMIArguments(r, ipa(&input, rd: r, level: l), l)
        case .rttMapUnprotected:
            let r = rd(&input), l = level(&input)
            let out = input.chance(80) ? input.pick(Self.unprotectedPages) : granule(&input)
            let attributes: UInt64 = input.chance(80) ? 0b110 << 2 | 0b11 << 6 : input.interesting() & ~0xFFFF_FFFF_F000
            a = RMIArguments(r, ipa(&input, rd: r, level: l), l, input.chance(90) ? out | attributes : input.interesting())
        case .rttInitRIPAS:
            let r = rd(&input)
            let base = ipa(&input, rd: r)
            a = RMIArguments(r, base, input.chance(80) ? base &+ UInt64(input.below(600)) << 12 : ipa(&input, rd: r))
        case .rttSetRIPAS:
            let r = rd(&input), c = rec(&input)
            var base = ipa(&input, rd: r), top = base &+ UInt64(input.below(8)) << 12
            if input.chance(60), let st = h.pointer(c)?.load(as: RECState.self), h.state(c) == .rec, st.ripasChange.isPending {
                base = st.ripasChange.next
                top = input.chance(70) ? st.ripasChange.top : min(st.ripasChange.top, base &+ UInt64(input.below(4) + 1) << 12)
            }
            a = RMIArguments(r, c, base, top)
        case .dataCreate:
            let r = rd(&input)
            let src = input.chance(90) ? Self.sourcePage : input.pick([granule(&input), Harness.ns(input.below(24)) + 8])
            a = RMIArguments(r, granule(&input, .delegated), ipa(&input, rd: r), src, input.pick([0, 1, 2, input.interesting()]))
        case .dataCreateUnknown:
            let r = rd(&input)
            a = RMIArguments(r, granule(&input, .delegated), ipa(&input, rd: r))
        case .dataDestroy:
            let r = rd(&input)
            a = RMIArguments(r, ipa(&input, rd: r))
        }
        try perform(fid, a)
    }

    /// A DELEGATED granule: one the world has, or a newly delegated one (nil: none left).
    func delegatedGranule(_ input: inout FuzzInput) throws(FuzzFinding) -> UInt64? {
        let free = names(in: .delegated)
        if !free.isEmpty && input.chance(70) { return free[input.below(free.count)] }
        let undelegated = names(in: .undelegated)
        guard !undelegated.isEmpty else { return free.first }
        let g = undelegated[input.below(undelegated.count)]
        return try perform(.granuleDelegate, g).x0 == 0 ? g : nil
    }

    func delegateOne(_ input: inout FuzzInput) throws(FuzzFinding) {
        _ = try perform(.granuleDelegate, granule(&input, .undelegated))
    }

    /// Delegates what a realm needs and creates it with valid parameters.
    func makeRealm(_ input: inout FuzzInput) throws(FuzzFinding) {
        // Starting tables: an aligned run of pool granules, delegated now where they are not.
        // Pool granules, or normal-world names (the core binds those to a contiguous run).
        let count = input.pick([1, 1, 2, 4])
        let names = input.chance(75) ? stride(from: 0, to: Self.poolGranules - count, by: count).map { Harness.pool($0) }
            : stride(from: 0, to: Self.namePages.count - count, by: count).map { Harness.ns($0) }
        let bases = names.filter { base in
            (0..<count).allSatisfy { [GranuleState.undelegated, .delegated].contains(h.state(base + UInt64($0) * 4096)) }
        }
        guard !bases.isEmpty else { return }
        let base = bases[input.below(bases.count)]
        for i in 0..<count where h.state(base + UInt64(i) * 4096) == .undelegated {
            _ = try perform(.granuleDelegate, base + UInt64(i) * 4096)
        }
        guard let rd = try delegatedGranule(&input), rd < base || rd >= base + UInt64(count) * 4096 else { return }
        var p = RealmParams()
        p.s2sz = count == 1 ? input.pick([36, 39, 40]) : count == 2 ? 40 : 41
        p.rttLevelStart = 1
        p.rttNumStart = UInt64(count)
        if count == 1 && p.s2sz == 36 && input.chance(50) { p.rttLevelStart = 2; p.s2sz = 32 }
        p.rttBase = base
        p.hashAlgorithm = UInt8(input.below(2))
        p.vmid = UInt64(input.below(8))
        p.rpv = personalization(&input)
        h.writeRealmParams(p, at: Self.realmParamsPage)
        _ = try perform(.realmCreate, rd, Self.realmParamsPage)
    }

    /// RTTs from the starting level down to a chosen level at a chosen IPA of a realm.
    func makeTables(_ input: inout FuzzInput) throws(FuzzFinding) {
        guard !realms.isEmpty else { return try makeRealm(&input) }
        let realm = realms[input.below(realms.count)]
        let target = ipa(&input, rd: realm.rd)
        let deepest = input.chance(75) ? 3 : 2
        var l = Int(realm.start) + 1
        while l <= deepest {
            guard let g = try delegatedGranule(&input) else { return }
            let size: UInt64 = 1 << (12 + 9 * UInt64(4 - l))
            let r = try perform(.rttCreate, realm.rd, g, target & ~(size - 1), UInt64(l))
            if r.x0 != 0 && r.x0 & 0xFF != 4 { return }
            l += 1
        }
    }

    /// DATA at a low IPA with RIPAS RAM first, measured or not, or of unknown content.
    func makeData(_ input: inout FuzzInput) throws(FuzzFinding) {
        guard !realms.isEmpty, let g = try delegatedGranule(&input) else { return }
        let realm = realms[input.below(realms.count)]
        let page = UInt64(input.below(16))
        // Identity placement: half the time the granule's own address, the only IPA it may take.
        let target = h.capabilities.identityPlacement && page < 8 ? g : page << 12
        if input.chance(50) { _ = try perform(.rttInitRIPAS, realm.rd, target, target + 4096) }
        if input.chance(75) {
            _ = try perform(.dataCreate, realm.rd, g, target, Self.sourcePage, UInt64(input.below(2)))
        } else {
            _ = try perform(.dataCreateUnknown, realm.rd, g, target)
        }
    }

    func makeREC(_ input: inout FuzzInput) throws(FuzzFinding) {
        guard !realms.isEmpty else { return }
        let realm = realms[input.below(realms.count)]
        guard let g = try delegatedGranule(&input) else { return }
        // Four auxiliary granules, delegated now if need be.
        for _ in 0..<4 where names(in: .delegated).count < 5 {
            guard try delegatedGranule(&input) != nil else { break }
        }
        let params = recParams(&input, rd: realm.rd, valid: input.chance(85))
        _ = try perform(.recCreate, realm.rd, g, params)
    }
}
