// RMI_REC_CREATE and RMI_REC_DESTROY (DEN0137 B4.3.13, B4.3.14).

import Testing
@testable import TMMCore

@Suite struct RECCreateDestroyTests {
    @Test func createMeasuresAndOwnsAuxGranules() {
        let h = Harness()
        let realm = h.createRealm()
        let before = h.rim(realm)
        let (rec, r, p) = h.createREC(realm) { $0.gprs = [10, 20, 30, 40, 50, 60, 70, 80]; $0.pc = 0x4000_1000 }
        #expect(r == RMIResult(x0: 0))
        #expect(h.state(rec) == .rec)
        for a in p.aux { #expect(h.state(a) == .recAux) }
        #expect(h.refcount(realm.rd) == 1)
        #expect(h.rim(realm) == Reference.extendREC(before, p, algorithm: 0))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func notRunnableRECIsNotMeasured() {
        // TF-RMM rel0 extends the RIM only for runnable RECs.
        let h = Harness()
        let realm = h.createRealm()
        let before = h.rim(realm)
        let (_, r, _) = h.createREC(realm) { $0.flags = 0 }
        #expect(r.x0 == 0)
        #expect(h.rim(realm) == before)
    }

    @Test func sha512RIM() {
        let h = Harness()
        let realm = h.createRealm { $0.hashAlgorithm = 1 }
        let before = h.rim(realm)
        let (_, r, p) = h.createREC(realm)
        #expect(r.x0 == 0)
        #expect(h.rim(realm) == Reference.extendREC(before, p, algorithm: 1))
    }

    @Test func recsAreCreatedInMPIDROrder() {
        let h = Harness()
        let realm = h.createRealm()
        // RmiRecMpidr index: Aff0[3:0] + 16 * (Aff1 + 256 * (Aff2 + 256 * Aff3)).
        #expect(h.createREC(realm) { $0.mpidr = 1 }.result.x0 == Status.input)
        for index in 0..<17 {
            let mpidr = UInt64(index % 16) | UInt64(index / 16) << 8
            #expect(h.createREC(realm) { $0.mpidr = mpidr }.result.x0 == 0, "index \(index)")
        }
        #expect(h.createREC(realm) { $0.mpidr = 0x10 }.result.x0 == Status.input) // Aff0[7:4] must be zero
        #expect(h.createREC(realm) { $0.mpidr = 1 << 31 }.result.x0 == Status.input)
        #expect(h.refcount(realm.rd) == 17)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func createFailureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        func attempt(rd: UInt64? = nil, rec: UInt64? = nil, params: UInt64? = nil,
                     _ configure: (inout RECParams) -> Void = { _ in }) -> RMIResult {
            var p = RECParams()
            p.aux = (0..<4).map { _ in h.delegated() }
            configure(&p)
            let pa = h.freshNS()
            h.writeRECParams(p, at: pa)
            let recGranule = rec ?? h.delegated()
            let r = h.call(.recCreate, rd ?? realm.rd, recGranule, params ?? pa)
            if r.x0 != 0 {
                // Nothing changed: the REC and the aux granules are still DELEGATED.
                if rec == nil { #expect(h.state(recGranule) == .delegated) }
                for a in p.aux where h.state(a) != nil && a != rec && a != rd {
                    #expect(h.state(a) != .recAux, "aux \(hex(a)) left claimed")
                }
            }
            #expect(h.checkInvariants().isEmpty)
            return r
        }
        // params_align, params_bound, params_pas
        #expect(attempt(params: Harness.ns(0) + 8).x0 == Status.input)
        #expect(attempt(params: Harness.pool(500)).x0 == Status.input)
        #expect(attempt(params: FakeMachine.tmmMemory.base).x0 == Status.input)
        // rec_align, rec_bound, rec_state
        #expect(attempt(rec: h.delegated() + 16).x0 == Status.input)
        #expect(attempt(rec: Harness.ns(3)).x0 == Status.input)
        #expect(attempt(rec: h.freshGranule()).x0 == Status.input)
        #expect(attempt(rec: realm.params.rttBase).x0 == Status.input)
        // rd_align, rd_bound, rd_state
        #expect(attempt(rd: realm.rd + 8).x0 == Status.input)
        #expect(attempt(rd: h.delegated()).x0 == Status.input)
        // num_aux: not the REC_AUX_COUNT value, or more than 16
        #expect(attempt { $0.numAux = 3 }.x0 == Status.input)
        #expect(attempt { $0.numAux = 17 }.x0 == Status.input)
        // aux_state, aux_align, aux_bound, aliasing
        #expect(attempt { $0.aux[2] = h.freshGranule() }.x0 == Status.input)
        #expect(attempt { $0.aux[3] = $0.aux[0] }.x0 == Status.input)
        #expect(attempt { $0.aux[1] = Harness.ns(4) }.x0 == Status.input)
        #expect(attempt { $0.aux[1] += 0x100 }.x0 == Status.input)
        let rec = h.delegated()
        #expect(attempt(rec: rec) { $0.aux[0] = rec }.x0 == Status.input)
        #expect(attempt { $0.aux[0] = realm.rd }.x0 == Status.input)
        // mpidr_index
        #expect(attempt { $0.mpidr = 3 }.x0 == Status.input)
        // realm_state: not NEW (and it takes priority over the MPIDR check)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        #expect(attempt().x0 == Status.realm(0))
        #expect(attempt { $0.mpidr = 3 }.x0 == Status.realm(0))
        // ...but the params and the granules come first.
        #expect(attempt(rec: h.freshGranule()).x0 == Status.input)
        #expect(attempt { $0.aux[2] = h.freshGranule() }.x0 == Status.input)
    }

    /// MAX_RECS = 2^MAX_RECS_ORDER - 1 RECs at once. 32767 real RECs would need five granules
    /// each (160 Ki granules); the RD's refcount, which counts them, stands in for all but the
    /// last few.
    @Test func atMaxRECsCreateFailsWithRealmError() {
        let h = Harness()
        let realm = h.createRealm()
        let order = h.call(.features, 0).x1 >> 38 & 0xF
        let maxRECs = UInt32(1) << order - 1
        #expect(order == 15 && maxRECs == 32767)
        let rdIndex = h.tmm.granules.index(of: PhysicalAddress(realm.rd))!
        func standIn(for count: UInt32) {
            h.tmm.granules.lock(rdIndex)
            h.tmm.granules.update(rdIndex) { $0.with(refcount: count) }
            h.tmm.granules.unlock(rdIndex)
        }

        standIn(for: maxRECs - 1)
        let (last, r, _) = h.createREC(realm)
        #expect(r.x0 == 0)
        #expect(h.refcount(realm.rd) == maxRECs)
        // One more: RMI_ERROR_REALM, before mpidr_index and num_aux...
        #expect(h.createREC(realm) { $0.mpidr = 1 }.result.x0 == Status.realm(0))
        #expect(h.createREC(realm) { $0.mpidr = 7 }.result.x0 == Status.realm(0))
        #expect(h.createREC(realm) { $0.mpidr = 1; $0.numAux = 3 }.result.x0 == Status.realm(0))
        // ...but after the REC and RD granule checks, and nothing is claimed.
        var p = RECParams()
        p.mpidr = 1
        p.aux = (0..<4).map { _ in h.delegated() }
        let params = h.freshNS()
        h.writeRECParams(p, at: params)
        #expect(h.call(.recCreate, realm.rd, h.freshGranule(), params).x0 == Status.input)
        let rec = h.delegated()
        #expect(h.call(.recCreate, realm.rd, rec, params).x0 == Status.realm(0))
        #expect(h.state(rec) == .delegated)
        for a in p.aux { #expect(h.state(a) == .delegated) }
        #expect(h.refcount(realm.rd) == maxRECs)
        // The limit is on RECs that exist: destroying one makes room for the next index.
        #expect(h.call(.recDestroy, last).x0 == 0)
        #expect(h.call(.recCreate, realm.rd, rec, params).x0 == 0)
        #expect(h.refcount(realm.rd) == maxRECs)
        standIn(for: 1)
        #expect(h.checkInvariants().isEmpty)
    }

    /// The order reported is one the implementation holds: MAX_RECS fits the RD's refcount and
    /// the last REC's index has an RmiRecMpidr.
    @Test func maxRECsFitsTheRefcountAndTheMPIDRIndex() {
        #expect(RealmDescriptor.maxRECs <= GranuleDescriptor.maxRefcount)
        let last = UInt64(RealmDescriptor.maxRECs - 1)
        let mpidr = last & 0xF | (last >> 4 & 0xFF) << 8 | (last >> 12 & 0xFF) << 16 | (last >> 20 & 0xFF) << 32
        #expect(RECMPIDR.index(mpidr) == last)
    }

    @Test func destroy() {
        let h = Harness()
        let realm = h.createRealm()
        let (rec, _, p) = h.createREC(realm)
        h.machine.fill(p.aux[1], with: [1, 2, 3])  // state left in an aux granule must not leak
        for bad in [rec + 8, Harness.ns(1), realm.rd, p.aux[0], h.delegated()] {
            #expect(h.call(.recDestroy, bad).x0 == Status.input)
        }
        #expect(h.call(.recDestroy, rec) == RMIResult(x0: 0))
        #expect(h.state(rec) == .delegated && h.machine.isZero(rec))
        for a in p.aux { #expect(h.state(a) == .delegated && h.machine.isZero(a)) }
        #expect(h.refcount(realm.rd) == 0)
        #expect(h.call(.recDestroy, rec).x0 == Status.input)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyWhileRunningIsRefused() {
        let h = Harness()
        let realm = h.createRealm()
        let (rec, _, _) = h.createREC(realm)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        // The realm runs while the REC is marked running; a command issued from
        // another CPU at that moment sees RMI_ERROR_REC.
        var seen: RMIResult?
        h.machine.realmScript = [Step(.irq) { _ in seen = h.call(.recDestroy, rec) }]
        #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
        #expect(seen == RMIResult(x0: Status.rec))
        #expect(h.state(rec) == .rec)
        #expect(h.checkInvariants().isEmpty)
    }
}
