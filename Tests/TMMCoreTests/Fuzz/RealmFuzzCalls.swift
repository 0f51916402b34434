// Decoding fuzz input into what a realm does between two exits, and driving it through
// REC_ENTER: every RSI function with hostile arguments, PSCI and SMCCC calls, data and
// instruction aborts at every class of IPA, system-register traps (the emulated GIC CPU
// interface among them), WFI/WFE, interrupts and SErrors, random syndromes, and edits of the
// realm's PSTATE, vector base and timers. The realm's view of each answered SMC (x0 when it
// runs again) is checked against SpecReturnCodes.

@testable import TMMCore

extension FuzzWorld {
    /// What one scripted stretch of realm execution did: its SMC function, if it made one.
    struct StepCall {
        var fid: UInt64?
    }

    static let psciFunctions: [UInt64] = [
        0x8400_0000, 0x8400_0001, 0xC400_0001, 0x8400_0002, 0x8400_0003, 0xC400_0003, 0x8400_0004, 0xC400_0004,
        0x8400_0005, 0x8400_0006, 0x8400_0007, 0x8400_0008, 0x8400_0009, 0x8400_000A, 0x8400_000C, 0xC400_0012,
        0x8000_0000, 0x8000_0001, 0x8000_7FFF,
    ]

    /// An IPA in the class the input picks: mapped protected RAM, unmapped RAM, EMPTY,
    /// DESTROYED-prone low pages, mapped and unmapped unprotected IPAs, the last protected and
    /// the last unprotected page, beyond the IPA space, anything.
    func realmIPA(_ input: inout FuzzInput, rd: UInt64) -> UInt64 {
        let width = s2sz(of: rd)
        let par: UInt64 = width > 0 && width < 64 ? 1 << (width - 1) : 1 << 39
        switch input.byte() % 12 {
        case 0, 1: return UInt64(input.below(4)) << 12                      // DATA pages
        case 2: return UInt64(4 + input.below(12)) << 12                     // RIPAS RAM, unmapped
        case 3: return 0x20_0000 + UInt64(input.below(4)) << 12             // EMPTY
        case 4: return par + UInt64(input.below(3)) << 12                   // unprotected, mapped
        case 5: return par + 0x10_0000 + UInt64(input.below(4)) << 12       // unprotected, unmapped
        case 6: return par &- 4096
        case 7: return (par << 1) &- 4096
        case 8: return par << 1 + UInt64(input.below(4)) << 12
        case 9: return UInt64(input.below(16)) << 12 + UInt64(input.pick([8, 0x800, 0xFF8]))
        default: return input.interesting()
        }
    }

    /// One stretch of realm execution and the exit that ends it.
    func realmStep(_ input: inout FuzzInput, rd: UInt64) -> (Step, StepCall) {
        switch input.byte() % 20 {
        case 0...5:
            let f = input.chance(90) ? input.pick(SpecReturnCodes.rsiFunctions)
                : input.pick([UInt64(0xC400_019A), 0xC400_01AF, 0x8400_0190, 0xC401_0190, 0xC401_0194, input.u64()])
            return (rsiCall(&input, f, rd: rd), StepCall(fid: f))
        case 6, 7:
            let f = input.chance(90) ? input.pick(Self.psciFunctions) : input.u64() & 0xFFFF_FFFF
            let target = input.pick([0, 1, 2, 0x100, 0x8000_0000, input.interesting()])
            let entry = input.chance(70) ? UInt64(input.below(4)) << 12 : realmIPA(&input, rd: rd)
            let x1 = f == 0x8400_000A ? input.pick(Self.psciFunctions + [input.u64()]) : target
            return (.smc(f, x1, entry, input.chance(80) ? 7 : input.interesting(), input.u64()), StepCall(fid: f))
        case 8: return (.hvc(at: input.u64()), StepCall())
        case 9, 10:
            let iss: UInt64
            if input.chance(60) {
                iss = Step.accessISS(srt: UInt64(input.below(32)), sas: UInt64(input.below(4)), sse: input.chance(20),
                                     sf: input.chance(70), write: input.chance(50))
                    & ~0x3F | input.pick([0x07, 0x06, 0x05, 0x04, 0x0B, 0x0F, 0x10, 0x00, 0x21, 0x13])
            } else {
                iss = UInt64(input.u16()) | UInt64(input.byte()) << 16 | UInt64(input.byte() & 1) << 24
            }
            let ipa = realmIPA(&input, rd: rd)
            let va = input.chance(50) ? ipa : input.u64()
            var step = Step.dataAbort(ipa: ipa, va: va, iss: iss)
            if input.chance(10) { step.exit = .synchronous(esr: 0x24 << 26 | 1 << 25 | iss, far: va, hpfar: input.u64()) }
            return (step, StepCall())
        case 11:
            return (.instructionAbort(ipa: realmIPA(&input, rd: rd), va: input.u64(),
                                      fsc: input.pick([0x07, 0x06, 0x04, 0x05, 0x0B, 0x0F, 0x10, 0x14, 0x00, 0x3F])), StepCall())
        case 12, 13:
            // The GIC CPU interface: ICC_* at CRn 12 (and ICC_PMR at CRn 4) of op1 0.
            let crn: UInt8 = input.chance(90) ? 12 : 4
            let crm: UInt8 = crn == 4 ? 6 : input.pick([8, 9, 11, 12, 12, 12, 0, UInt8(input.below(16))])
            let rt = input.chance(90) ? input.below(31) : 31
            let read = input.chance(50)
            let value = input.chance(60) ? UInt64(input.below(64)) : input.interesting()
            // Rt 31 is XZR: nothing to put in it.
            return (.sysreg(3, 0, crn, crm, UInt8(input.below(8)), rt: rt, read: read) { s in
                if rt < 31 && !read { s.gprs[rt] = value }
            }, StepCall())
        case 14:
            let (op0, op1, crn, crm, op2): (UInt8, UInt8, UInt8, UInt8, UInt8) = switch input.byte() % 5 {
            case 0: (3, 0, 0, UInt8(input.below(8)), UInt8(input.below(8)))              // ID registers
            case 1: (3, 3, 14, UInt8(2 + input.below(2)), UInt8(input.below(3)))          // timers
            case 2: (2, UInt8(input.below(8)), UInt8(input.below(16)), UInt8(input.below(16)), UInt8(input.below(8))) // debug
            case 3: (3, 3, 9, UInt8(12 + input.below(4)), UInt8(input.below(8)))          // PMU
            default: (UInt8(input.below(4)), UInt8(input.below(8)), UInt8(input.below(16)), UInt8(input.below(16)), UInt8(input.below(8)))
            }
            let value = input.interesting()
            let rt = input.below(32)
            let read = input.chance(50)
            return (.sysreg(op0, op1, crn, crm, op2, rt: rt, read: read) { s in if rt < 31 && !read { s.gprs[rt] = value } }, StepCall())
        case 15: return (input.chance(50) ? .wfx() : .wfx(wfe: true), StepCall())
        case 16:
            return (input.pick([Step(.irq), Step(.fiq), Step(.serror(esr: input.interesting())), Step(.interruptWindow)]), StepCall())
        case 17:
            return (Step(.synchronous(esr: input.u64(), far: input.u64(), hpfar: input.u64())), StepCall())
        default:
            let (ctl, cval, pstate, vbar) = (UInt64(input.below(8)), input.interesting(),
                                             input.pick([UInt64(0x3C5), 0x5, 0x0, 0x4, 0x3C4, 0x10, input.u64()]), input.interesting())
            let physical = input.chance(50)
            return (Step(.irq) { s in
                if physical { s.timers.cntpCTL = ctl; s.timers.cntpCVAL = cval } else { s.timers.cntvCTL = ctl; s.timers.cntvCVAL = cval }
                s.pstate = pstate
                s.el1.vbar = vbar
            }, StepCall())
        }
    }

    /// An RSI call with arguments chosen for the function.
    func rsiCall(_ input: inout FuzzInput, _ f: UInt64, rd: UInt64) -> Step {
        switch f {
        case 0xC400_0190: return .smc(f, input.pick([0x10000, 0x10001, 0x20000, 0xFFFF, 0, input.interesting()]))
        case 0xC400_0191: return .smc(f, input.chance(80) ? UInt64(input.below(4)) : input.interesting())
        case 0xC400_0192: return .smc(f, input.chance(85) ? UInt64(input.below(7)) : input.interesting())
        case 0xC400_0193:
            let slot = input.chance(85) ? UInt64(input.below(6)) : input.interesting()
            let size = input.pick([0, 1, 8, 32, 48, 64, 65, input.interesting()])
            return .smc(f, slot, size, input.u64(), input.u64(), input.u64(), input.u64(), input.u64(), input.u64(), input.u64(), input.u64())
        case 0xC400_0194:
            return .smc(f, input.u64(), input.u64(), input.u64(), input.u64(), input.u64(), input.u64(), input.u64(), input.u64())
        case 0xC400_0195:
            return .smc(f, realmIPA(&input, rd: rd), input.pick([0, 24, 4095, 4096, input.interesting()]),
                        input.pick([0, 1, 1000, 4096, 4097, 4072, input.interesting()]))
        case 0xC400_0196, 0xC400_0199: return .smc(f, realmIPA(&input, rd: rd))
        case 0xC400_0197:
            let base = realmIPA(&input, rd: rd)
            let top = input.chance(80) ? base &+ UInt64(input.below(16) + 1) << 12 : realmIPA(&input, rd: rd)
            return .smc(f, base, top, input.pick([0, 1, 1, 2, 3, input.interesting()]), input.pick([0, 1, 2, input.interesting()]))
        case 0xC400_0198:
            let base = realmIPA(&input, rd: rd)
            return .smc(f, base, input.chance(80) ? base &+ UInt64(input.below(32) + 1) << 12 : realmIPA(&input, rd: rd))
        default: return .smc(f, input.interesting(), input.interesting(), input.interesting())
        }
    }

    /// Writes RmiRecEnter from the input, gives the realm a script, calls REC_ENTER, and checks
    /// every answer the realm saw.
    func enter(_ input: inout FuzzInput, run: UInt64, rec chosen: UInt64? = nil,
               script: [(Step, StepCall)]? = nil) throws(FuzzFinding) {
        let recName = chosen ?? rec(&input)
        let realmRD = recs.first { $0.rec == recName }?.rd ?? rd(&input)
        if let page = machine.pointer(run), Self.runPages.contains(run) {
            page.initializeMemory(as: UInt8.self, repeating: input.chance(50) ? 0 : 0xEE, count: 4096)
            // Mostly entries the core accepts (WFI/WFE traps only, no list registers), so that
            // the realm runs; the rest probe RmiRecEnter's checks.
            let flags: UInt64 = input.chance(90) ? UInt64(input.byte() & 0x1F) & (input.chance(75) ? 0x0C : 0x1F) : input.interesting()
            machine.write64(run, flags)
            for i in 0..<31 where input.chance(15) { machine.write64(run + 0x200 + UInt64(i) * 8, input.interesting()) }
            machine.write64(run + 0x300, input.chance(70) ? 0 : input.pick([1, 0x3, 1 << 2, input.interesting()]))
            for i in 0..<(input.chance(60) ? 0 : input.below(6)) {
                let state = UInt64(input.below(4)) << 62
                let hw = input.chance(10) ? UInt64(1) << 61 : 0
                let group = input.chance(90) ? UInt64(1) << 60 : 0
                let priority = UInt64(input.byte() & 0xF8) << 48
                let intid = input.pick([27, 30, 32, 33, 64, 1019, 1020, 1023, 8191, 8192, UInt64(input.u16())])
                let pintid = hw != 0 ? UInt64(input.u16() & 0x1FFF) << 32 : 0
                machine.write64(run + 0x308 + UInt64(i) * 8, input.chance(90) ? state | hw | group | priority | pintid | intid : input.u64())
            }
        }
        var steps: [Step] = script?.map(\.0) ?? []
        var calls: [StepCall] = script?.map(\.1) ?? []
        if script == nil && input.chance(6) {
            // An attestation sequence as a realm runs it: INIT, then CONTINUE into protected
            // pages in chunks until the token is out (a P-384 signature each: kept rare).
            steps.append(.smc(0xC400_0194, input.u64(), input.u64(), 0, 0, 0, 0, 0, input.u64()))
            calls.append(StepCall(fid: 0xC400_0194))
            let chunk = input.pick([UInt64(4096), 1024, 512, 100])
            for i in 0..<UInt64(1 + input.below(6)) {
                let offset = input.chance(80) ? (i * chunk) % 4096 : UInt64(input.below(4096))
                steps.append(.smc(0xC400_0195, UInt64(input.below(4)) << 12, offset, min(chunk, 4096 - offset)))
                calls.append(StepCall(fid: 0xC400_0195))
            }
        }
        if script == nil && input.chance(6), let page = machine.pointer(run), Self.runPages.contains(run) {
            // The emulated GIC CPU interface through a whole interrupt: the host lists one
            // pending Group 1 interrupt; the realm enables Group 1, opens its priority mask,
            // acknowledges, ends and deactivates it, reading the state registers in between.
            let intid = input.pick([27, 32, 64, 1019, 8192, UInt64(input.u16())])
            page.storeBytes(of: 1 << 62 | 1 << 60 | UInt64(input.byte() & 0xF8) << 48 | intid, toByteOffset: 0x308, as: UInt64.self)
            let accesses: [(crn: UInt8, crm: UInt8, op2: UInt8, write: UInt64?)] = [
                (12, 12, 7, 1), (4, 6, 0, 0xFF), (12, 12, 2, nil), (12, 12, 0, nil), (12, 11, 3, nil), (12, 9, 0, nil),
                (12, 12, 1, intid), (12, 11, 1, intid), (12, 12, 4, nil), (12, 12, 3, UInt64(input.below(8))),
            ]
            for a in accesses.prefix(3 + input.below(accesses.count - 2)) {
                let rt = input.below(31)
                steps.append(.sysreg(3, 0, a.crn, a.crm, a.op2, rt: rt, read: a.write == nil) { s in
                    if let v = a.write { s.gprs[rt] = v }
                })
                calls.append(StepCall())
            }
        }
        for _ in 0..<(script == nil ? 1 + input.below(4) : 0) {
            let (s, c) = realmStep(&input, rd: realmRD)
            steps.append(s)
            calls.append(c)
        }
        // A call the realm made before its last exit to the host is answered in the first run now.
        let pending = lastRealmCall[recName]
        lastRealmCall[recName] = nil
        machine.realmScript = steps
        if Self.trace { print("  realm script: \(steps.map { "\($0.exit)" }) SMCs \(calls.map { $0.fid.map(hex) ?? "-" })") }
        let first = machine.runs.count
        let r = try perform(.recEnter, recName, run)
        let runs = machine.runs[first...]
        machine.realmScript = []
        guard r.x0 == 0 || runs.count > 0 else {
            lastRealmCall[recName] = pending
            return
        }
        if let pending, let run0 = runs.first { try checkAnswer(pending, run0.state, "after REC_ENTER") }
        // Run k consumed step k; a run after it shows the answer to step k's SMC.
        for (k, run) in runs.enumerated() where k < calls.count {
            guard let fid = calls[k].fid else { continue }
            let call = (fid: fid, pc: run.state.pc)
            if k + 1 < runs.count {
                try checkAnswer(call, runs[runs.startIndex + k + 1].state, "in the same REC_ENTER")
            } else if r.x0 == 0 {
                lastRealmCall[recName] = call
            }
        }
    }

    /// The realm's x0 after the SMC at `pc`, when it resumed right after it.
    func checkAnswer(_ call: (fid: UInt64, pc: UInt64), _ state: RealmCPUState, _ when: String) throws(FuzzFinding) {
        guard state.pc == call.pc &+ 4 else { return }
        stats.realmCalls[call.fid & 0xFFFF_FFFF & ~(1 << 16), default: 0] += 1
        if let v = SpecReturnCodes.realmCallViolation(fid: call.fid, x0: state.gprs[0]) {
            throw FuzzFinding(description: "realm SMC \(hex(call.fid)) answered \(when): \(v)")
        }
    }
}

/// The fuzz targets' entry points, shared by the libFuzzer executables (Tests/Fuzz) and the
/// corpus replay in `swift test`.
enum FuzzTargets {
    static let names = ["rmi", "realm", "mmio"]

    /// `rmi`: a sequence of normal-world RMI operations on an empty TMM.
    static func rmi(_ bytes: [UInt8]) -> (FuzzStats, FuzzFinding?) {
        var input = FuzzInput(bytes)
        // The first byte also picks the platform: bits 5:4 clear (a quarter of the inputs, none
        // of the seeds committed before this choice existed) is the EL3 image's identity placement.
        let world = FuzzWorld(attestation: bytes.first.map { $0 & 1 == 1 } ?? false,
                              identityPlacement: bytes.first.map { $0 & 0x30 == 0 } ?? false)
        do {
            while try world.rmiOperation(&input) {}
        } catch {
            return (world.stats, error)
        }
        return (world.stats, nil)
    }

    /// `realm`: an active realm with two RECs, protected RAM, RIPAS RAM without memory, EMPTY
    /// and unprotected memory, driven through REC_ENTER with the host answering its requests.
    static func realm(_ bytes: [UInt8]) -> (FuzzStats, FuzzFinding?) {
        var input = FuzzInput(bytes)
        // Bit 2 of the first byte (which also picks the hash algorithm, from bit 0) picks the EL3
        // image's identity placement; none of the seeds committed before the choice has it set.
        let world = FuzzWorld(attestation: true, identityPlacement: bytes.first.map { $0 & 0x04 != 0 } ?? false)
        do {
            try world.makeRunningRealm(&input)
            while try world.realmOperation(&input) {}
        } catch {
            return (world.stats, error)
        }
        return (world.stats, nil)
    }

    static func run(_ name: String, _ bytes: [UInt8]) -> (FuzzStats, FuzzFinding?) {
        switch name {
        case "rmi": rmi(bytes)
        case "mmio": mmio(bytes)
        default: realm(bytes)
        }
    }
}

extension FuzzWorld {
    func makeRunningRealm(_ input: inout FuzzInput) throws(FuzzFinding) {
        func need(_ r: RMIResult, _ what: String) throws(FuzzFinding) {
            if r.x0 != 0 { throw FuzzFinding(description: "realm set-up: \(what) failed: \(r)") }
        }
        for i in 0..<24 { try need(perform(.granuleDelegate, Harness.pool(i)), "delegate") }
        var p = RealmParams()
        p.s2sz = 40
        p.rttLevelStart = 1
        p.rttNumStart = 2
        p.rttBase = Harness.pool(0)
        p.hashAlgorithm = UInt8(input.below(2))
        p.rpv = (0..<64).map { UInt8($0) }
        h.writeRealmParams(p, at: Self.realmParamsPage)
        let rd = Harness.pool(2)
        try need(perform(.realmCreate, rd, Self.realmParamsPage), "REALM_CREATE")
        let par: UInt64 = 1 << 39
        var next = 3
        func granule() -> UInt64 { defer { next += 1 }; return Harness.pool(next) }
        for base in [0, par] {
            try need(perform(.rttCreate, rd, granule(), base, 2), "RTT_CREATE 2")
            try need(perform(.rttCreate, rd, granule(), base, 3), "RTT_CREATE 3")
        }
        // Identity placement (the EL3 image): DATA at the granules' own addresses and unprotected
        // pages at their addresses in the unprotected half, so tables there too.
        let identity = h.capabilities.identityPlacement
        if identity {
            let nsBlock = Self.unprotectedPages[0] & ~0x1F_FFFF
            try need(perform(.rttCreate, rd, granule(), Harness.pool(0) & ~0x1F_FFFF, 3), "RTT_CREATE 3 (pool)")
            try need(perform(.rttCreate, rd, granule(), par + (nsBlock & ~0x3FFF_FFFF), 2), "RTT_CREATE 2 (NS)")
            try need(perform(.rttCreate, rd, granule(), par + nsBlock, 3), "RTT_CREATE 3 (NS)")
            try need(perform(.rttInitRIPAS, rd, Harness.pool(next), Harness.pool(next + 4)), "RTT_INIT_RIPAS (pool)")
        }
        try need(perform(.rttInitRIPAS, rd, 0, 0x10000), "RTT_INIT_RIPAS")
        for i in 0..<4 {
            let g = granule()
            try need(perform(.dataCreate, rd, g, identity ? g : UInt64(i) << 12, Self.sourcePage, UInt64(i & 1)), "DATA_CREATE")
        }
        for i in 0..<3 {
            let page = Self.unprotectedPages[i]
            try need(perform(.rttMapUnprotected, rd, par + (identity ? page : UInt64(i) << 12), 3, page | 0b110 << 2 | 0b11 << 6),
                     "RTT_MAP_UNPROTECTED")
        }
        for i in 0..<2 {
            var rp = RECParams()
            rp.mpidr = UInt64(i)
            rp.flags = i == 0 ? 1 : 0
            rp.pc = 0x1000
            rp.aux = (0..<4).map { _ in granule() }
            h.writeRECParams(rp, at: Self.recParamsPage)
            try need(perform(.recCreate, rd, granule(), Self.recParamsPage), "REC_CREATE")
        }
        try need(perform(.realmActivate, rd), "REALM_ACTIVATE")
    }

    /// One step of the realm target: mostly REC_ENTER, sometimes the host answering what the
    /// realm asked for or changing the realm's memory, sometimes any RMI operation.
    func realmOperation(_ input: inout FuzzInput) throws(FuzzFinding) -> Bool {
        guard !input.isExhausted, callCount < Self.callLimit, let realm = realms.first else { return false }
        let mine = recs.filter { $0.rd == realm.rd }.map(\.rec)
        switch input.byte() % 16 {
        case 0...8:
            guard !mine.isEmpty else { return try rmiOperation(&input) }
            try enter(&input, run: Self.runPages[0], rec: input.chance(95) ? mine[input.below(mine.count)] : granule(&input))
        case 9:
            // PSCI_COMPLETE for a pending CPU_ON / AFFINITY_INFO, naming the REC it asked about.
            for caller in mine {
                guard let st = h.pointer(caller)?.load(as: RECState.self), st.psci.pending else { continue }
                let target = mine.first { h.pointer($0)?.load(as: RECState.self).mpidr == st.psci.x1 } ?? rec(&input)
                _ = try perform(.psciComplete, caller, input.chance(90) ? target : rec(&input),
                                input.pick([0, 0, UInt64(bitPattern: -3), UInt64(bitPattern: -1), input.interesting()]))
                break
            }
        case 10:
            for caller in mine {
                guard let st = h.pointer(caller)?.load(as: RECState.self), st.ripasChange.isPending else { continue }
                let c = st.ripasChange
                let top = input.chance(70) ? c.top : min(c.top, c.next &+ UInt64(input.below(4) + 1) << 12)
                _ = try perform(.rttSetRIPAS, realm.rd, caller, input.chance(90) ? c.next : realmIPA(&input, rd: realm.rd), top)
                break
            }
        case 11:
            // The host backs an IPA the realm touched: DATA of unknown content, or unprotected memory.
            let target = realmIPA(&input, rd: realm.rd) & ~0xFFF
            if target >= 1 << 39 {
                _ = try perform(.rttMapUnprotected, realm.rd, target, 3, input.pick(Self.unprotectedPages) | 0b110 << 2 | 0b11 << 6)
            } else if let g = try delegatedGranule(&input) {
                _ = try perform(.dataCreateUnknown, realm.rd, g, target)
            }
        case 13:
            // A level-3 table over an unused 2 MiB block, then folded or destroyed (empty, or
            // all RIPAS RAM), so that RTT_FOLD and RTT_DESTROY succeed too.
            let block = UInt64(2 + input.below(6)) << 21
            guard let g = try delegatedGranule(&input) else { return true }
            _ = try perform(.rttCreate, realm.rd, g, block, 3)
            if input.chance(50) { _ = try perform(.rttInitRIPAS, realm.rd, block, block + (input.chance(70) ? 1 << 21 : 4096)) }
            _ = try perform(input.chance(50) ? .rttFold : .rttDestroy, realm.rd, block, 3)
        case 14:
            // REC 0 asks to turn a CPU on or about its state; the host completes the request.
            guard let caller = mine.first else { return true }
            let fid: UInt64 = input.pick([0xC400_0003, 0xC400_0004, 0x8400_0003])
            let target = UInt64(input.below(3))
            try enter(&input, run: Self.runPages[1], rec: caller, script: [(.smc(fid, target, 0x1000, 0), StepCall(fid: fid))])
            if let st = h.pointer(caller)?.load(as: RECState.self), st.psci.pending {
                let named = mine.first { h.pointer($0)?.load(as: RECState.self).mpidr == st.psci.x1 } ?? caller
                _ = try perform(.psciComplete, caller, named, input.pick([0, 0, UInt64(bitPattern: -3)]))
            }
        case 12:
            let target = realmIPA(&input, rd: realm.rd) & ~0xFFF
            let id = input.pick([RMIFunctionID.dataDestroy, .rttUnmapUnprotected, .rttReadEntry])
            _ = try perform(id, realm.rd, target, id == .dataDestroy ? 0 : 3)
        default:
            return try rmiOperation(&input)
        }
        return true
    }
}
