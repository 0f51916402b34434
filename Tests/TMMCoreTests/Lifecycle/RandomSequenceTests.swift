// Thousands of RMI calls with random, mostly plausible arguments (seeded, repeatable). No
// call may crash the core, break an invariant or return anything but a defined return code,
// and unused result registers must be zero.

import Testing
@testable import TMMCore

@Suite struct RandomSequenceTests {
    static let resultCounts: [RMIFunctionID: Int] = [
        .version: 2, .dataDestroy: 2, .rttDestroy: 2, .rttReadEntry: 4, .rttUnmapUnprotected: 1,
        .features: 1, .rttFold: 1, .recAuxCount: 1, .rttInitRIPAS: 1, .rttSetRIPAS: 1,
    ]

    @Test(arguments: [UInt64(1), 2, 3, 0xC0FFEE])
    func randomCommands(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let h = Harness(poolAGranules: 96)
        var fuzz = Fuzzer(h: h)
        var successes: [RMIFunctionID: Int] = [:]
        var enterResults: [UInt64: Int] = [:]
        for step in 0..<3000 {
            let (fid, args) = fuzz.nextCall(&rng)
            let r = h.tmm.handle(fid: fid, arguments: args)
            if let id = RMIFunctionID(rawValue: fid & ~(1 << 16)) {
                #expect(RMIReturnCode(encoded: r.x0) != nil, "seed \(seed) step \(step): bad x0 \(r)")
                let used = Self.resultCounts[id] ?? 0
                let regs = [r.x1, r.x2, r.x3, r.x4]
                #expect(regs[used...].allSatisfy { $0 == 0 }, "seed \(seed) step \(step) \(id): \(r)")
                if r.x0 == 0 { successes[id, default: 0] += 1 }
                if id == .recEnter { enterResults[r.x0, default: 0] += 1 }
                fuzz.learn(id, args, r)
            } else {
                // SMCCC NOT_SUPPORTED, as TF-RMM answers SMC_UNKNOWN.
                #expect(r == RMIResult(x0: UInt64.max), "unused FID \(hex(fid)) returned \(r)")
            }
            let problems = h.checkInvariants()
            if !problems.isEmpty {
                Issue.record("seed \(seed) step \(step) FID \(hex(fid)) \(args) -> \(r): \(problems)")
                return
            }
        }
        // The generator must reach deep states, or the test proves little.
        for id: RMIFunctionID in [.granuleDelegate, .realmCreate, .rttCreate, .dataCreate, .dataCreateUnknown,
                                  .recCreate, .rttReadEntry, .rttInitRIPAS, .realmActivate, .recEnter] {
            #expect(successes[id, default: 0] > 0, "seed \(seed): \(id) never succeeded: \(successes) \(enterResults)")
        }
        // Host pages were delegated and used.
        #expect(fuzz.boundUses > 0, "seed \(seed): no command succeeded on a normal-world name")
    }
}

/// Chooses calls biased toward plausible arguments, remembering what earlier calls created.
struct Fuzzer {
    let h: Harness
    var realms: [(rd: UInt64, s2sz: UInt64, start: Int64)] = []
    var recs: [(rec: UInt64, rd: UInt64)] = []
    var nextMPIDR: [UInt64: UInt64] = [:]
    /// Successful commands other than GRANULE_DELEGATE whose first argument was a bound
    /// normal-world name.
    var boundUses = 0

    init(h: Harness) { self.h = h }

    /// Pool granules and host DRAM pages: the fuzzer delegates both, so that bound normal-world
    /// names meet every command (and the pool runs out: 112 pool granules, 140 names).
    var poolCandidates: [UInt64] {
        (0..<96).map { Harness.pool($0) } + (0..<4).map { Harness.poolB($0) } + (200..<240).map { Harness.ns($0) }
    }

    /// A granule name, usually one in `state` when there is one.
    mutating func address(_ rng: inout SplitMix64, _ state: GranuleState? = nil) -> UInt64 {
        if let state, rng.chance(75) {
            let matching = poolCandidates.filter { h.state($0) == state }
            if !matching.isEmpty { return rng.pick(matching) }
        }
        if rng.chance(85) { return rng.pick(poolCandidates) }
        return rng.pick([0, 1, Harness.pool(3) + 8, FakeMachine.tmmMemory.base, Harness.ns(2), UInt64.max & ~0xFFF,
                         UInt64.max, Harness.pool(96), Harness.pool(1023), 1 << 52, rng.next()])
    }

    mutating func rd(_ rng: inout SplitMix64) -> UInt64 {
        if !realms.isEmpty && rng.chance(85) { return rng.pick(realms).rd }
        return address(&rng)
    }

    mutating func rec(_ rng: inout SplitMix64) -> UInt64 {
        if !recs.isEmpty && rng.chance(85) { return rng.pick(recs).rec }
        return address(&rng)
    }

    /// Usually an IPA near a few hot spots, aligned for an entry at `aligned` (0...3).
    mutating func ipa(_ rng: inout SplitMix64, rd: UInt64, aligned: Int = 3) -> UInt64 {
        let s2sz = realms.first { $0.rd == rd }?.s2sz ?? 40
        let par: UInt64 = 1 << (s2sz - 1)
        if rng.chance(75) {
            let shift = 12 + 9 * UInt64(3 - max(0, min(3, aligned)))
            let base = rng.pick([0, par, 1 << 30])
            return base + UInt64(rng.below(3)) << shift
        }
        switch rng.below(10) {
        case 0: return rng.next()
        case 1: return par + UInt64(rng.below(4)) << 21
        case 2: return UInt64(rng.below(8)) << 30
        case 3: return 1 << s2sz
        case 4: return UInt64(rng.below(1024)) << 12 + (rng.chance(10) ? 0x800 : 0)
        default: return UInt64(rng.below(8)) << 12 + UInt64(rng.below(2)) << 21
        }
    }

    mutating func level(_ rng: inout SplitMix64) -> UInt64 {
        rng.chance(90) ? rng.pick([1, 2, 2, 3, 3, 3, 0]) : rng.pick([UInt64.max, 4, 5, 0x8000_0000_0000_0003])
    }

    /// A call that usually makes progress on an existing realm: build its tables, populate
    /// it, activate it, run its RECs, answer their requests, tear pieces down.
    mutating func guidedCall(_ rng: inout SplitMix64) -> (UInt64, RMIArguments)? {
        guard !realms.isEmpty else { return nil }
        let realm = rng.pick(realms)
        let par: UInt64 = 1 << (realm.s2sz - 1)
        let hot = rng.pick([0, 0x1000, 0x2000, 0x20_0000, par, par + 0x1000])
        let walk = h.tmm.handle(fid: RMIFunctionID.rttReadEntry.rawValue, arguments: RMIArguments(realm.rd, hot, 3))
        let state = h.pointer(realm.rd)!.load(as: RealmDescriptor.self).state
        let myRECs = recs.filter { $0.rd == realm.rd }.map(\.rec)
        switch rng.below(12) {
        case 0, 1, 2:
            guard walk.x0 == 0, walk.x1 < 3 else { return nil }
            let l = walk.x1 + 1
            let size: UInt64 = 1 << (12 + 9 * (4 - l))
            return (RMIFunctionID.rttCreate.rawValue, RMIArguments(realm.rd, address(&rng, .delegated), hot & ~(size - 1), l))
        case 3:
            return (RMIFunctionID.rttInitRIPAS.rawValue, RMIArguments(realm.rd, hot, hot + UInt64(rng.below(3) + 1) << 12))
        case 4, 5:
            let id: RMIFunctionID = rng.chance(50) ? .dataCreate : .dataCreateUnknown
            let target = rng.chance(80) ? UInt64(rng.below(4)) << 12 : hot
            return (id.rawValue, RMIArguments(realm.rd, address(&rng, .delegated), target, Harness.ns(61), UInt64(rng.below(2))))
        case 6:
            if state == .new && !myRECs.isEmpty && rng.chance(10) { return (RMIFunctionID.realmActivate.rawValue, RMIArguments(realm.rd)) }
            return (RMIFunctionID.recCreate.rawValue, RMIArguments(realm.rd, address(&rng, .delegated), recParams(&rng, rd: realm.rd)))
        case 7, 8:
            guard !myRECs.isEmpty else { return nil }
            if state == .new && rng.chance(15) { return (RMIFunctionID.realmActivate.rawValue, RMIArguments(realm.rd)) }
            h.machine.realmScript = randomSteps(&rng)
            return (RMIFunctionID.recEnter.rawValue, RMIArguments(rng.pick(myRECs), Harness.ns(60)))
        case 9:
            guard !myRECs.isEmpty else { return nil }
            let rec = rng.pick(myRECs)
            let st = h.pointer(rec)!.load(as: RECState.self)
            if st.psci.pending {
                let target = rng.pick(myRECs)
                return (RMIFunctionID.psciComplete.rawValue, RMIArguments(rec, target, rng.pick([0, UInt64(bitPattern: -3)])))
            }
            let next = st.ripasChange.next
            return (RMIFunctionID.rttSetRIPAS.rawValue, RMIArguments(realm.rd, rec, next, min(st.ripasChange.top, next + UInt64(rng.below(3) + 1) << 12)))
        case 10:
            return (RMIFunctionID.rttMapUnprotected.rawValue, RMIArguments(realm.rd, par + UInt64(rng.below(3)) << 12, 3,
                                                                         Harness.ns(rng.below(8)) | 0b11 << 6))
        default:
            let id = rng.pick([RMIFunctionID.dataDestroy, .rttUnmapUnprotected, .rttDestroy, .rttFold])
            let l = UInt64(rng.below(2) + 2)
            let size: UInt64 = 1 << (12 + 9 * (4 - l))
            return (id.rawValue, RMIArguments(realm.rd, id == .dataDestroy || id == .rttUnmapUnprotected ? hot : hot & ~(size - 1),
                                              id == .rttUnmapUnprotected ? 3 : l))
        }
    }

    mutating func nextCall(_ rng: inout SplitMix64) -> (UInt64, RMIArguments) {
        if rng.chance(45), let call = guidedCall(&rng) { return call }
        if rng.chance(2) {
            return (rng.pick([0xC400_0156, 0xC400_0160, 0xC400_0163, 0xC400_016A, 0xC400_018F, 0xC400_0100,
                              0x8400_0150, rng.next()]), RMIArguments(rng.next(), rng.next()))
        }
        let ids: [RMIFunctionID] = [.version, .features, .granuleDelegate, .granuleDelegate, .granuleDelegate,
                                    .granuleUndelegate, .realmCreate, .realmCreate, .realmDestroy,
                                    .recCreate, .recCreate, .recDestroy, .recEnter, .recAuxCount, .psciComplete,
                                    .rttCreate, .rttCreate, .rttCreate, .rttDestroy, .rttFold, .rttReadEntry,
                                    .rttMapUnprotected, .rttUnmapUnprotected, .rttInitRIPAS, .rttSetRIPAS,
                                    .dataCreate, .dataCreate, .dataCreateUnknown, .dataDestroy]
        let id = rng.pick(ids)
        var fid = id.rawValue
        if rng.chance(3) { fid |= 1 << 16 }
        let a: RMIArguments
        switch id {
        case .version: a = RMIArguments(rng.chance(50) ? 0x10000 : rng.next())
        case .features: a = RMIArguments(UInt64(rng.below(3)))
        case .granuleDelegate: a = RMIArguments(address(&rng, .undelegated))
        case .granuleUndelegate: a = RMIArguments(address(&rng, .delegated))
        case .realmCreate: a = RMIArguments(address(&rng, .delegated), realmParams(&rng))
        case .realmActivate, .realmDestroy, .recAuxCount: a = RMIArguments(rd(&rng))
        case .recCreate:
            let r = rd(&rng)
            a = RMIArguments(r, address(&rng, .delegated), recParams(&rng, rd: r))
        case .recDestroy: a = RMIArguments(rng.chance(25) ? rec(&rng) : address(&rng))
        case .recEnter:
            h.machine.realmScript = randomSteps(&rng)
            a = RMIArguments(rec(&rng), rng.chance(90) ? Harness.ns(60) : address(&rng))
        case .psciComplete: a = RMIArguments(rec(&rng), rec(&rng), rng.pick([0, UInt64(bitPattern: -3), 5]))
        case .rttCreate:
            let r = rd(&rng)
            let l = level(&rng)
            a = RMIArguments(r, address(&rng, .delegated), ipa(&rng, rd: r, aligned: Int(min(l, 4)) - 1), l)
        case .rttDestroy, .rttFold:
            let r = rd(&rng)
            let l = level(&rng)
            a = RMIArguments(r, ipa(&rng, rd: r, aligned: Int(min(l, 4)) - 1), l)
        case .rttReadEntry, .rttUnmapUnprotected:
            let r = rd(&rng)
            let l = level(&rng)
            a = RMIArguments(r, ipa(&rng, rd: r, aligned: Int(min(l, 3))), l)
        case .rttMapUnprotected:
            let r = rd(&rng)
            let l = level(&rng)
            let out = rng.chance(80) ? Harness.ns(rng.below(16)) : address(&rng)
            a = RMIArguments(r, ipa(&rng, rd: r, aligned: Int(min(l, 3))), l, rng.chance(80) ? out | 0b110 << 2 | 0b11 << 6 : rng.next())
        case .rttInitRIPAS:
            let r = rd(&rng)
            let base = ipa(&rng, rd: r)
            a = RMIArguments(r, base, base &+ UInt64(rng.below(5)) << 12)
        case .rttSetRIPAS:
            let r = rd(&rng)
            let base = ipa(&rng, rd: r)
            a = RMIArguments(r, rec(&rng), base, base &+ UInt64(rng.below(5)) << 12)
        case .dataCreate:
            let r = rd(&rng)
            a = RMIArguments(r, address(&rng, .delegated), ipa(&rng, rd: r), rng.chance(90) ? Harness.ns(61) : address(&rng), UInt64(rng.below(3)))
        case .dataCreateUnknown:
            let r = rd(&rng)
            a = RMIArguments(r, address(&rng, .delegated), ipa(&rng, rd: r))
        case .dataDestroy:
            let r = rd(&rng)
            a = RMIArguments(r, ipa(&rng, rd: r))
        }
        return (fid, a)
    }

    mutating func realmParams(_ rng: inout SplitMix64) -> UInt64 {
        var p = RealmParams()
        p.s2sz = rng.pick([32, 33, 36, 39, 40, 41, 44, 48, 49, 31])
        p.rttLevelStart = rng.chance(90) ? (p.s2sz <= 34 ? rng.pick([1, 2]) : p.s2sz <= 43 ? 1 : 0) : Int64(rng.below(5)) - 1
        let single = UInt64(3 - max(0, min(3, p.rttLevelStart))) * 9 + 21
        p.rttNumStart = p.s2sz <= single ? 1 : 1 << (p.s2sz - single)
        if rng.chance(10) { p.rttNumStart = UInt64(rng.below(20)) }
        // Usually a run of DELEGATED granules long enough for the starting tables.
        let runs = poolCandidates.filter { base in
            (0..<Int(min(p.rttNumStart, 16))).allSatisfy { h.state(base + UInt64($0) * 4096) == .delegated }
        }
        p.rttBase = !runs.isEmpty && rng.chance(85) ? rng.pick(runs) : rng.pick(poolCandidates)
        p.hashAlgorithm = UInt8(rng.pick([0, 1, 0, 2]))
        p.vmid = UInt64(rng.pick([1, 2, 3, 255, 256]))
        if rng.chance(10) { p.flags = UInt64(rng.below(8)) }
        if rng.chance(10) { p.numBPs = UInt64(rng.below(10)) }
        let pa = Harness.ns(62)
        h.writeRealmParams(p, at: pa)
        return rng.chance(95) ? pa : address(&rng)
    }

    mutating func recParams(_ rng: inout SplitMix64, rd: UInt64) -> UInt64 {
        var p = RECParams()
        p.mpidr = rng.chance(80) ? (nextMPIDR[rd] ?? 0) : UInt64(rng.below(3))
        p.flags = UInt64(rng.below(2))
        let free = poolCandidates.filter { h.state($0) == .delegated }
        p.aux = (0..<4).map { _ in !free.isEmpty && rng.chance(90) ? rng.pick(free) : rng.pick(poolCandidates) }
        if rng.chance(10) { p.numAux = UInt64(rng.below(20)) }
        let pa = Harness.ns(63)
        h.writeRECParams(p, at: pa)
        return pa
    }

    /// A few stretches of realm execution: RSI and PSCI calls with plausible and wild
    /// arguments, aborts anywhere in the IPA space, GIC register accesses, traps of every
    /// kind, random syndromes; the core must survive all of them.
    mutating func randomSteps(_ rng: inout SplitMix64) -> [Step] {
        var steps: [Step] = []
        for _ in 0..<(1 + rng.below(4)) {
            let ipa: UInt64 = rng.pick([0, 0x1000, 0x2000, 0x20_0000, 1 << 39, (1 << 39) + 0x1000, 1 << 40, rng.next()])
            switch rng.below(12) {
            case 0:
                steps.append(.dataAbort(ipa: ipa, va: rng.next(),
                                        iss: rng.chance(50) ? Step.accessISS(srt: UInt64(rng.below(32)), sas: UInt64(rng.below(4)),
                                                                             write: rng.chance(50)) : rng.next() & 0x1FF_FFFF))
            case 1: steps.append(.instructionAbort(ipa: ipa, va: rng.next(), fsc: rng.pick([UInt64(0x07), 0x05, 0x0F, 0x10, 0x14])))
            case 2:
                let fid: UInt64 = rng.pick([0xC400_0003, 0x8400_0004, 0x8400_0002, 0x8400_0008, 0x8400_0009, 0xC400_0001,
                                    0x8400_000A, 0x8400_0000, 0x8400_0006])
                steps.append(.smc(fid, UInt64(rng.below(3)), rng.chance(80) ? 0x1000 : rng.next(), 7))
            case 3:
                steps.append(.smc(0xC400_0197, UInt64(rng.below(8)) << 12, UInt64(rng.below(8) + 1) << 13,
                                  UInt64(rng.below(3)), UInt64(rng.below(2))))
            case 4: steps.append(.smc(0xC400_0199, rng.chance(70) ? UInt64(rng.below(4)) << 8 : rng.next()))
            case 5:
                let fid: UInt64 = rng.pick([0xC400_0190, 0xC400_0191, 0xC400_0192, 0xC400_0193, 0xC400_0195, 0xC400_0196,
                                    0xC400_0198, 0x8000_0000, rng.next()])
                steps.append(.smc(fid, rng.chance(50) ? UInt64(rng.below(6)) << 12 : rng.next(), rng.next() & 0x1FFF,
                                  UInt64(rng.below(80)), rng.next()))
            case 6: steps.append(.icc(12, UInt8(rng.below(16)), UInt8(rng.below(8)), rt: rng.below(32), read: rng.chance(50),
                                      value: rng.next()))
            case 7: steps.append(.sysreg(UInt8(rng.below(4)), UInt8(rng.below(8)), UInt8(rng.below(16)), UInt8(rng.below(16)),
                                         UInt8(rng.below(8)), rt: rng.below(32), read: rng.chance(50)))
            case 8: steps.append(rng.pick([.wfx(), .hvc(at: rng.next()), Step(.fiq), Step(.serror(esr: rng.next()))]))
            case 9: steps.append(Step(.synchronous(esr: rng.next(), far: rng.next(), hpfar: rng.next())))
            case 10:
                let (ctl, pstate, vbar) = (UInt64(rng.below(8)), rng.pick([UInt64(0x3C5), 0x5, 0x0, 0x10, rng.next()]), rng.next())
                steps.append(Step(.irq) { s in
                    s.timers.cntvCTL = ctl
                    s.pstate = pstate
                    s.el1.vbar = vbar
                })
            default: steps.append(.irq)
            }
        }
        return steps
    }

    mutating func learn(_ id: RMIFunctionID, _ a: RMIArguments, _ r: RMIResult) {
        guard r.x0 == 0 else { return }
        let ns = FakeMachine.normalWorld
        if id != .granuleDelegate && id != .version && id != .features && a.x1 >= ns.base && a.x1 < ns.base + ns.size {
            boundUses += 1
        }
        switch id {
        case .realmCreate:
            let pa = a.x2
            let s2sz = h.machine.read64(pa + 8)
            realms.append((a.x1, s2sz, Int64(bitPattern: h.machine.read64(pa + 0x810))))
        case .realmDestroy:
            realms.removeAll { $0.rd == a.x1 }
        case .recCreate:
            recs.append((a.x2, a.x1))
            nextMPIDR[a.x1, default: 0] += 1
        case .recDestroy:
            recs.removeAll { $0.rec == a.x1 }
        default:
            break
        }
    }
}
