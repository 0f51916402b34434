// Delegation of normal-world granules (Docs/delegation.md): GRANULE_DELEGATE of a page of the
// host's DRAM binds its address to a free secure-pool granule; every later argument naming the
// address means that granule, every output reports the host's address, and the host's own
// page never holds anything of the realm's.

import Testing
@testable import TMMCore

@Suite struct NormalWorldDelegationTests {
    let pattern = Array(repeating: UInt8(0xA5), count: 4096)

    /// Whether the host's page still holds what the host wrote (Harness.delegatedNS).
    func holdsPattern(_ h: Harness, _ page: UInt64) -> Bool { h.machine.bytes(page, count: 4096) == pattern }

    @Test func delegateBindsAndUndelegateUnbinds() {
        let h = Harness()
        let page = h.freshNS()
        h.machine.fill(page, with: pattern)
        #expect(h.call(.granuleDelegate, page) == RMIResult(x0: 0))
        let secure = h.secure(page)!
        #expect(h.machine.isZero(secure))
        #expect(h.state(page) == .delegated && h.secureState(secure) == .delegated)
        // The host's page is untouched: it is still normal memory.
        #expect(holdsPattern(h, page))
        // gran_state: delegated already.
        #expect(h.call(.granuleDelegate, page) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
        #expect(h.call(.granuleUndelegate, page) == RMIResult(x0: 0))
        #expect(h.secure(page) == nil && h.secureState(secure) == .undelegated)
        #expect(h.call(.granuleUndelegate, page) == RMIResult(x0: Status.input))
        #expect(holdsPattern(h, page))
        // The freed pool granule can be delegated in place again.
        #expect(h.call(.granuleDelegate, secure) == RMIResult(x0: 0))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func aBoundPoolGranuleAnswersOnlyToItsName() {
        let h = Harness()
        let page = h.delegatedNS()
        let secure = h.secure(page)!
        let realm = h.createRealm()
        // Named by its secure address it is not a granule the host has: every use fails.
        #expect(h.call(.granuleDelegate, secure).x0 == Status.input)
        #expect(h.call(.granuleUndelegate, secure).x0 == Status.input)
        #expect(h.call(.rttCreate, realm.rd, secure, 0, 2).x0 == Status.input)
        #expect(h.call(.dataCreateUnknown, realm.rd, secure, 0).x0 == Status.input)
        #expect(h.secureState(secure) == .delegated)
        // Named by the host's address it works.
        #expect(h.call(.rttCreate, realm.rd, page, 0, 2).x0 == 0)
        #expect(h.secureState(secure) == .rtt)
        #expect(h.checkInvariants().isEmpty)
    }

    /// A realm built only of the host's own DRAM pages, as Linux KVM builds one from
    /// __get_free_page: RD, starting tables, RTTs, REC and aux granules, DATA.
    @Test func realmFromNormalWorldPages() {
        let h = Harness()
        // Two consecutive host pages for the concatenated level-1 tables, bound to pool
        // granules that are not consecutive (a page delegated in between).
        let start = h.freshNS(), second = h.freshNS()
        h.machine.fill(start, with: pattern)
        h.machine.fill(second, with: pattern)
        #expect(h.call(.granuleDelegate, start).x0 == 0)
        let filler = h.delegatedNS()
        #expect(h.call(.granuleDelegate, second).x0 == 0)
        #expect(h.secure(second)! != h.secure(start)! + 4096)
        let rd = h.delegatedNS()
        var p = RealmParams()
        p.rttBase = start
        let params = h.freshNS()
        h.writeRealmParams(p, at: params)
        // The harness's first host page is aligned to the two-table block, as REALM_CREATE
        // requires of rtt_base.
        #expect(start % 0x2000 == 0)
        #expect(h.call(.realmCreate, rd, params).x0 == 0)
        let realm = TestRealm(rd: rd, params: p)
        // REALM_CREATE moved the tables' bindings onto an aligned run of the pool.
        let base = h.secure(start)!
        #expect(base % 0x2000 == 0 && h.secure(second) == base + 4096)
        #expect(h.pointer(rd)!.load(as: RealmDescriptor.self).rttBase == base)
        #expect(h.state(start) == .rtt && h.state(second) == .rtt && h.state(filler) == .delegated)

        // RTTs and data from host pages; outputs name the host's pages.
        let l2 = h.delegatedNS(), l3 = h.delegatedNS()
        #expect(h.call(.rttCreate, rd, l2, 0, 2).x0 == 0)
        #expect(h.call(.rttCreate, rd, l3, 0, 3).x0 == 0)
        #expect(h.readEntry(realm, 0, level: 2) == RMIResult(x0: 0, x1: 2, x2: Entry.table, x3: l3, x4: 0))
        #expect(h.readEntry(realm, 0, level: 1) == RMIResult(x0: 0, x1: 1, x2: Entry.table, x3: l2, x4: 0))
        #expect(h.call(.rttInitRIPAS, rd, 0, 0x3000).x0 == 0)
        let data = h.delegatedNS(), unknown = h.delegatedNS()
        let source = h.freshNS()
        let content = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }
        h.machine.fill(source, with: content)
        #expect(h.call(.dataCreate, rd, data, 0x1000, source, 1).x0 == 0)
        #expect(h.call(.dataCreateUnknown, rd, unknown, 0x2000).x0 == 0)
        // The realm's page is in the secure granule; the host's page keeps what it held.
        #expect(h.machine.bytes(h.secure(data)!, count: 4096).elementsEqual(content))
        #expect(holdsPattern(h, data))
        #expect(h.readEntry(realm, 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: data, x4: Entry.ram))
        #expect(h.readEntry(realm, 0x2000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: unknown, x4: Entry.ram))
        // The stage 2 the hardware walks holds secure addresses only.
        let l3Table = RTTTable(base: h.pointer(l3)!)
        #expect(l3Table[1].outputAddress == h.secure(data)!)
        #expect(RTTTable(base: h.pointer(l2)!)[0].outputAddress == h.secure(l3)!)
        #expect(h.checkInvariants().isEmpty)

        // A REC with host-page aux granules; a RIPAS change served with host names.
        let (rec, result, recParams) = h.createREC(realm, rec: h.delegatedNS()) { $0.aux = (0..<4).map { _ in h.delegatedNS() } }
        #expect(result.x0 == 0)
        #expect(h.pointer(rec)!.load(as: RECState.self).owner == h.secure(rd)!)
        for a in recParams.aux { #expect(h.state(a) == .recAux) }
        #expect(h.call(.realmActivate, rd).x0 == 0)
        h.machine.realmScript = [.smc(0xC400_0197, 0x1000, 0x2000, 0, 0)]
        #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
        #expect(h.call(.rttSetRIPAS, rd, rec, 0x1000, 0x2000) == RMIResult(x0: 0, x1: 0x2000))
        #expect(h.checkInvariants().isEmpty)

        // Teardown: every output names the host's page.
        #expect(h.call(.dataDestroy, rd, 0x1000) == RMIResult(x0: 0, x1: data, x2: 0x2000))
        #expect(h.call(.dataDestroy, rd, 0x2000) == RMIResult(x0: 0, x1: unknown, x2: 0x20_0000))
        #expect(h.call(.rttDestroy, rd, 0, 3) == RMIResult(x0: 0, x1: l3, x2: 1 << 30))
        #expect(h.call(.rttDestroy, rd, 0, 2) == RMIResult(x0: 0, x1: l2, x2: 1 << 39))
        #expect(h.call(.recDestroy, rec).x0 == 0)
        #expect(h.call(.realmDestroy, rd).x0 == 0)
        for page in [start, second, filler, rd, l2, l3, data, unknown, rec] + recParams.aux {
            #expect(h.call(.granuleUndelegate, page).x0 == 0, "\(hex(page))")
            // What a host reads from a page it delegated and got back: what it last wrote.
            #expect(holdsPattern(h, page), "\(hex(page))")
        }
        #expect(h.tmm.bindings.boundCount() == 0)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func foldReportsTheHostsPage() {
        let h = Harness()
        let realm = h.createRealm()
        let l2 = h.delegatedNS(), l3 = h.delegatedNS()
        #expect(h.call(.rttCreate, realm.rd, l2, 0, 2).x0 == 0)
        #expect(h.call(.rttCreate, realm.rd, l3, 0, 3).x0 == 0)
        // An all-unassigned level-3 table folds into its parent entry.
        #expect(h.call(.rttFold, realm.rd, 0, 3) == RMIResult(x0: 0, x1: l3))
        #expect(h.state(l3) == .delegated)
        #expect(h.checkInvariants().isEmpty)
    }

    /// When no pool granule is free, delegating a normal-world page fails as a refused PAS
    /// transition does in TF-RMM: RMI_ERROR_INPUT, with nothing changed.
    @Test func exhaustedPoolRefusesDelegation() {
        let h = Harness(poolAGranules: 8)   // 8 + 16 (pool B) granules
        var pages: [UInt64] = []
        for _ in 0..<24 {
            let page = h.freshNS()
            #expect(h.call(.granuleDelegate, page).x0 == 0)
            pages.append(page)
        }
        let extra = h.freshNS()
        #expect(h.call(.granuleDelegate, extra) == RMIResult(x0: Status.input))
        #expect(h.call(.granuleDelegate, Harness.pool(0)) == RMIResult(x0: Status.input))
        #expect(h.state(extra) == nil && h.tmm.bindings.boundCount() == 24)
        #expect(h.checkInvariants().isEmpty)
        // One returned, one can be delegated again.
        #expect(h.call(.granuleUndelegate, pages[5]).x0 == 0)
        #expect(h.call(.granuleDelegate, extra).x0 == 0)
        #expect(h.call(.granuleDelegate, pages[5]) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
    }

    /// Concatenated starting tables need an aligned run of free pool granules when the host's
    /// pages are bound apart; without one REALM_CREATE fails with RMI_ERROR_INPUT and changes
    /// nothing.
    @Test func startTablesNeedAFreeAlignedRun() {
        let h = Harness(poolAGranules: 4)   // pool A: 4 granules; pool B: 16
        let start = FakeMachine.normalWorld.base + 0x10_0000
        // Bind every pool granule, the two table pages apart from each other.
        var others: [UInt64] = []
        #expect(h.call(.granuleDelegate, start).x0 == 0)
        for i in 0..<18 {
            let page = Harness.ns(400 + i)
            #expect(h.call(.granuleDelegate, page).x0 == 0)
            others.append(page)
        }
        #expect(h.call(.granuleDelegate, start + 4096).x0 == 0)
        let rd = others.removeLast()
        var p = RealmParams()
        p.rttBase = start
        let params = h.freshNS()
        h.writeRealmParams(p, at: params)
        let before = (h.secure(start)!, h.secure(start + 4096)!)
        #expect(h.call(.realmCreate, rd, params) == RMIResult(x0: Status.input))
        #expect(h.secure(start)! == before.0 && h.secure(start + 4096)! == before.1)
        #expect(h.state(rd) == .delegated && h.state(start) == .delegated)
        #expect(h.checkInvariants().isEmpty)
        // Free an aligned pair and it succeeds, moving the tables there.
        for page in others.prefix(4) { #expect(h.call(.granuleUndelegate, page).x0 == 0) }
        #expect(h.call(.realmCreate, rd, params).x0 == 0)
        #expect(h.secure(start)! % 0x2000 == 0 && h.secure(start + 4096)! == h.secure(start)! + 4096)
        #expect(h.checkInvariants().isEmpty)
    }

    /// A delegated page is not normal-world memory any more (on RME it is in the Realm PAS):
    /// it cannot carry parameters, DATA_CREATE's source or a REC's run structure.
    @Test func delegatedPagesAreNotHostBuffers() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x1000).x0 == 0)
        let page = h.delegatedNS()
        // src_pas
        #expect(h.call(.dataCreate, realm.rd, h.delegated(), 0, page, 0).x0 == Status.input)
        // params_pas
        var p = RealmParams()
        p.vmid = 7
        h.writeRealmParams(p, at: page)
        #expect(h.call(.realmCreate, h.delegated(), page).x0 == Status.input)
        // run_pas
        let (rec, _, _) = h.createREC(realm)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        #expect(h.call(.recEnter, rec, page).x0 == Status.input)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func psciCompleteWithHostNames() {
        let h = Harness()
        let rd = h.delegatedNS()
        var p = RealmParams()
        p.rttBase = h.delegated()
        p.rttNumStart = 1
        p.rttLevelStart = 1
        p.s2sz = 39
        let params = h.freshNS()
        h.writeRealmParams(p, at: params)
        #expect(h.call(.realmCreate, rd, params).x0 == 0)
        let realm = TestRealm(rd: rd, params: p)
        func rec(_ mpidr: UInt64, runnable: Bool) -> UInt64 {
            let r = h.delegatedNS()
            var rp = RECParams()
            rp.mpidr = mpidr
            rp.flags = runnable ? 1 : 0
            rp.aux = (0..<4).map { _ in h.delegatedNS() }
            let pa = h.freshNS()
            h.writeRECParams(rp, at: pa)
            #expect(h.call(.recCreate, realm.rd, r, pa).x0 == 0)
            return r
        }
        let first = rec(0, runnable: true), second = rec(1, runnable: false)
        #expect(h.call(.realmActivate, rd).x0 == 0)
        h.machine.realmScript = [.smc(0xC400_0003, 1, 0x8000_0000, 0)]
        #expect(h.call(.recEnter, first, h.freshNS()).x0 == 0)
        #expect(h.call(.psciComplete, first, second, 0) == RMIResult(x0: 0))
        #expect(h.pointer(second)!.load(as: RECState.self).runnable)
        #expect(h.checkInvariants().isEmpty)
    }
}
