// RMI_REALM_ACTIVATE, RMI_REALM_DESTROY and RMI_REC_AUX_COUNT (DEN0137 B4.3.10, B4.3.12,
// B4.3.16).

import Testing
@testable import TMMCore

@Suite struct RealmStateTests {
    @Test func activate() {
        let h = Harness()
        let realm = h.createRealm()
        // rd_align, rd_bound, rd_state
        for bad in [realm.rd + 8, Harness.ns(1), realm.params.rttBase, h.delegated()] {
            #expect(h.call(.realmActivate, bad).x0 == Status.input)
        }
        #expect(h.call(.realmActivate, realm.rd) == RMIResult(x0: 0))
        // realm_state: no longer NEW
        #expect(h.call(.realmActivate, realm.rd) == RMIResult(x0: Status.realm(0)))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyReleasesEverything() {
        let h = Harness()
        let realm = h.createRealm { $0.vmid = 9 }
        h.machine.invalidations.removeAll()
        #expect(h.call(.realmDestroy, realm.rd) == RMIResult(x0: 0))
        #expect(h.state(realm.rd) == .delegated && h.machine.isZero(realm.rd))
        for t in 0..<2 {
            let g = realm.params.rttBase + UInt64(t) * 4096
            #expect(h.state(g) == .delegated && h.machine.isZero(g))
        }
        // No TLB entry tagged with the VMID may survive its reuse.
        #expect(h.machine.invalidations == [.vmid(9)])
        #expect(!h.tmm.vmids.isInUse(9))
        #expect(h.createRealm { $0.vmid = 9 }.rd != 0)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyFailureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        for bad in [realm.rd + 8, Harness.ns(1), realm.params.rttBase, h.delegated()] {
            #expect(h.call(.realmDestroy, bad).x0 == Status.input)
        }
        // realm_live: an RTT below the starting level
        let rtt = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, rtt, 0, 2).x0 == 0)
        #expect(h.call(.realmDestroy, realm.rd) == RMIResult(x0: Status.realm(0)))
        #expect(h.call(.rttDestroy, realm.rd, 0, 2).x0 == 0)
        // realm_live: a REC
        let (rec, r, _) = h.createREC(realm)
        #expect(r.x0 == 0)
        #expect(h.call(.realmDestroy, realm.rd) == RMIResult(x0: Status.realm(0)))
        #expect(h.call(.recDestroy, rec).x0 == 0)
        #expect(h.call(.realmDestroy, realm.rd).x0 == 0)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyRefusedWhileAnyRootTableIsLive() {
        let h = Harness()
        let realm = h.createRealm()
        // A table under the second (unprotected) starting-level table.
        let rtt = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, rtt, realm.parSize, 2).x0 == 0)
        #expect(h.call(.realmDestroy, realm.rd).x0 == Status.realm(0))
        #expect(h.state(realm.rd) == .rd)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func auxCount() {
        let h = Harness()
        let realm = h.createRealm()
        let r = h.call(.recAuxCount, realm.rd)
        #expect(r.x0 == 0 && r.x1 >= 1 && r.x1 <= 16)
        for bad in [realm.rd + 1, Harness.ns(2), h.delegated(), realm.params.rttBase] {
            #expect(h.call(.recAuxCount, bad) == RMIResult(x0: Status.input))
        }
    }
}
