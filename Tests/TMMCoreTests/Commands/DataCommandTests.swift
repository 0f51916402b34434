// RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY (DEN0137 B4.3.1-3).

import Testing
@testable import TMMCore

@Suite struct DataCommandTests {
    func prepared() -> (Harness, TestRealm, UInt64) {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        let src = h.freshNS()
        h.machine.fill(src, with: (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31) })
        return (h, realm, src)
    }

    @Test func createCopiesAndMeasures() {
        let (h, realm, src) = prepared()
        let d = h.delegated()
        let before = h.rim(realm)
        #expect(h.call(.dataCreate, realm.rd, d, 0x7000, src, 1) == RMIResult(x0: 0))
        #expect(h.state(d) == .data)
        #expect(h.machine.bytes(d, count: 4096) == h.machine.bytes(src, count: 4096))
        #expect(h.rim(realm) == Reference.extendData(before, ipa: 0x7000, flags: 1, content: h.machine.bytes(src, count: 4096), algorithm: 0))
        // DATA_CREATE maps RAM regardless of the entry's previous RIPAS (TF-RMM rel0).
        #expect(h.readEntry(realm, 0x7000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: d, x4: Entry.ram))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func measuredWithSHA512() {
        let h = Harness()
        let realm = h.createRealm { $0.hashAlgorithm = 1 }
        h.createTables(realm, ipa: 0, downTo: 3)
        let src = h.freshNS()
        h.machine.fill(src, with: Array(repeating: 0xC3, count: 4096))
        let before = h.rim(realm)
        #expect(h.call(.dataCreate, realm.rd, h.delegated(), 0, src, 1).x0 == 0)
        #expect(h.rim(realm) == Reference.extendData(before, ipa: 0, flags: 1, content: Array(repeating: 0xC3, count: 4096), algorithm: 1))
    }

    @Test func createUnknownKeepsRIPASAndDoesNotMeasure() {
        let (h, realm, _) = prepared()
        #expect(h.call(.rttInitRIPAS, realm.rd, 0x1000, 0x2000).x0 == 0)
        let before = h.rim(realm)
        let empty = h.delegated(), ram = h.delegated()
        #expect(h.call(.dataCreateUnknown, realm.rd, empty, 0x0).x0 == 0)
        #expect(h.call(.dataCreateUnknown, realm.rd, ram, 0x1000).x0 == 0)
        #expect(h.rim(realm) == before)
        #expect(h.readEntry(realm, 0x0, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: empty, x4: Entry.empty))
        #expect(h.readEntry(realm, 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: ram, x4: Entry.ram))
        // Allowed after activation.
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        #expect(h.call(.dataCreateUnknown, realm.rd, h.delegated(), 0x2000).x0 == 0)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func createFailureConditions() {
        let (h, realm, src) = prepared()
        let d = h.delegated()
        func create(rd: UInt64? = nil, data: UInt64? = nil, ipa: UInt64 = 0x3000, src s: UInt64? = nil, flags: UInt64 = 0) -> UInt64 {
            let r = h.call(.dataCreate, rd ?? realm.rd, data ?? d, ipa, s ?? src, flags)
            #expect(h.checkInvariants().isEmpty)
            return r.x0
        }
        // flags: only MEASURE_CONTENT (1) or NO_MEASURE_CONTENT (0)
        #expect(create(flags: 2) == Status.input)
        // src_align, src_bound, src_pas
        for s in [src + 8, Harness.pool(700), FakeMachine.tmmMemory.base, 0x9000_0000] {
            #expect(create(src: s) == Status.input)
        }
        // data_*, rd_*
        #expect(create(data: d + 8) == Status.input)
        #expect(create(data: h.freshGranule()) == Status.input)
        #expect(create(data: realm.rd) == Status.input)
        #expect(create(rd: realm.rd + 8) == Status.input)
        #expect(create(rd: h.delegated()) == Status.input)
        // ipa_bound, ipa_align, protected
        #expect(create(ipa: 0x3008) == Status.input)
        #expect(create(ipa: realm.parSize) == Status.input)
        #expect(create(ipa: 1 << 40) == Status.input)
        // rtt_walk
        #expect(create(ipa: mib2) == Status.rtt(2))
        #expect(create(ipa: gib) == Status.rtt(1))
        // rtt_state: already assigned
        #expect(create() == 0)
        #expect(create(data: h.delegated()) == Status.rtt(3))
        // A source page whose access faults: nothing is left behind in the granule.
        h.machine.faultingNormalWorld.insert(src)
        let e = h.delegated()
        #expect(create(data: e, ipa: 0x4000) == Status.input)
        #expect(h.state(e) == .delegated && h.machine.isZero(e))
        h.machine.faultingNormalWorld.removeAll()
        // realm_state: after activation; it comes before the IPA and walk checks.
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        #expect(create(data: h.delegated(), ipa: 0x5000) == Status.realm(0))
        #expect(create(data: h.delegated(), ipa: gib) == Status.realm(0))
        #expect(create(data: h.delegated(), ipa: realm.parSize) == Status.realm(0))
        // ...but after the granule checks.
        #expect(create(data: h.freshGranule(), ipa: 0x5000) == Status.input)
    }

    @Test func createUnknownFailureConditions() {
        let (h, realm, _) = prepared()
        #expect(h.call(.dataCreateUnknown, realm.rd, h.freshGranule(), 0x3000).x0 == Status.input)
        #expect(h.call(.dataCreateUnknown, h.delegated(), h.delegated(), 0x3000).x0 == Status.input)
        #expect(h.call(.dataCreateUnknown, realm.rd, h.delegated(), realm.parSize).x0 == Status.input)
        #expect(h.call(.dataCreateUnknown, realm.rd, h.delegated(), 0x3001).x0 == Status.input)
        #expect(h.call(.dataCreateUnknown, realm.rd, h.delegated(), mib2).x0 == Status.rtt(2))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroy() {
        let (h, realm, src) = prepared()
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x1000).x0 == 0)
        let ram = h.delegated(), empty = h.delegated(), later = h.delegated()
        #expect(h.call(.dataCreate, realm.rd, ram, 0x0, src, 0).x0 == 0)
        #expect(h.call(.dataCreateUnknown, realm.rd, empty, 0x1000).x0 == 0)
        #expect(h.call(.dataCreateUnknown, realm.rd, later, 0x9000).x0 == 0)
        h.machine.invalidations.removeAll()
        // x1 = the DATA granule, x2 = next live entry. A mapped RAM page becomes DESTROYED and
        // its TLB entry is invalidated.
        #expect(h.call(.dataDestroy, realm.rd, 0x0) == RMIResult(x0: 0, x1: ram, x2: 0x1000))
        #expect(h.machine.invalidations == [.ipa(0, level: 3, vmid: 1)])
        #expect(h.state(ram) == .delegated && h.machine.isZero(ram))
        #expect(h.readEntry(realm, 0, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: Entry.destroyed))
        // An EMPTY page goes back to UNASSIGNED EMPTY, no invalidation needed.
        h.machine.invalidations.removeAll()
        #expect(h.call(.dataDestroy, realm.rd, 0x1000) == RMIResult(x0: 0, x1: empty, x2: 0x9000))
        #expect(h.machine.invalidations.isEmpty)
        #expect(h.readEntry(realm, 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        #expect(h.call(.dataDestroy, realm.rd, 0x9000) == RMIResult(x0: 0, x1: later, x2: mib2))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyFailureConditions() {
        let (h, realm, _) = prepared()
        #expect(h.call(.dataCreateUnknown, realm.rd, h.delegated(), 0x6000).x0 == 0)
        #expect(h.call(.dataDestroy, realm.rd + 8, 0) == RMIResult(x0: Status.input))
        #expect(h.call(.dataDestroy, h.delegated(), 0) == RMIResult(x0: Status.input))
        #expect(h.call(.dataDestroy, realm.rd, 0x10) == RMIResult(x0: Status.input))
        #expect(h.call(.dataDestroy, realm.rd, realm.parSize) == RMIResult(x0: Status.input))
        #expect(h.call(.dataDestroy, realm.rd, 1 << 40) == RMIResult(x0: Status.input))
        // rtt_walk: x2 = top of the non-live region from the entry where the walk stopped.
        #expect(h.call(.dataDestroy, realm.rd, mib2) == RMIResult(x0: Status.rtt(2), x2: gib))
        // rtt_state: not assigned; x2 = the next live entry (0x6000).
        #expect(h.call(.dataDestroy, realm.rd, 0x2000) == RMIResult(x0: Status.rtt(3), x2: 0x6000))
        #expect(h.checkInvariants().isEmpty)
    }
}
