// RMI_RTT_CREATE, RMI_RTT_DESTROY and RMI_RTT_FOLD (DEN0137 B4.3.14, B4.3.15, B4.3.17).
// Default realm: s2sz 40, starting level 1 with two concatenated tables, PAR [0, 2^39).

import Testing
@testable import TMMCore

/// RmiRttEntryState and RIPAS as READ_ENTRY reports them.
enum Entry {
    static let unassigned: UInt64 = 0, assigned: UInt64 = 1, table: UInt64 = 2
    static let empty: UInt64 = 0, ram: UInt64 = 1, destroyed: UInt64 = 2
}

let gib: UInt64 = 1 << 30
let mib2: UInt64 = 1 << 21

@Suite struct RTTCreateTests {
    @Test func createsEmptyTablesDownToLevel3() {
        let h = Harness()
        let realm = h.createRealm()
        let l2 = h.delegated(), l3 = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, l2, 3 * gib, 2) == RMIResult(x0: 0))
        #expect(h.call(.rttCreate, realm.rd, l3, 3 * gib + 5 * mib2, 3) == RMIResult(x0: 0))
        #expect(h.state(l2) == .rtt && h.state(l3) == .rtt)
        #expect(h.readEntry(realm, 3 * gib, level: 1) == RMIResult(x0: 0, x1: 1, x2: Entry.table, x3: l2, x4: 0))
        #expect(h.readEntry(realm, 3 * gib + 5 * mib2, level: 2) == RMIResult(x0: 0, x1: 2, x2: Entry.table, x3: l3, x4: 0))
        for ipa in [3 * gib + 5 * mib2, 3 * gib + 5 * mib2 + 511 * 4096] {
            #expect(h.readEntry(realm, ipa, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        }
        // A table descriptor: next-level table address, bits[1:0] = 0b11.
        #expect(h.machine.read64(l2 + 5 * 8) == l3 | 0b11)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func childrenInheritRIPASAndNS() {
        let h = Harness()
        let realm = h.createRealm()
        // RAM at level 1 (INIT_RIPAS over a whole 1 GiB entry), then a child table.
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, gib) == RMIResult(x0: 0, x1: gib))
        #expect(h.call(.rttCreate, realm.rd, h.delegated(), 0, 2).x0 == 0)
        #expect(h.readEntry(realm, 7 * mib2, level: 2) == RMIResult(x0: 0, x1: 2, x2: Entry.unassigned, x3: 0, x4: Entry.ram))
        // DESTROYED: what RTT_DESTROY leaves in a protected parent.
        #expect(h.call(.rttCreate, realm.rd, h.delegated(), gib, 2).x0 == 0)
        #expect(h.call(.rttDestroy, realm.rd, gib, 2).x0 == 0)
        #expect(h.call(.rttCreate, realm.rd, h.delegated(), gib, 2).x0 == 0)
        #expect(h.readEntry(realm, gib + mib2, level: 2) == RMIResult(x0: 0, x1: 2, x2: Entry.unassigned, x3: 0, x4: Entry.destroyed))
        // UNASSIGNED_NS in the unprotected half.
        let t = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, t, realm.parSize, 2).x0 == 0)
        #expect((0..<512).allSatisfy { h.machine.read64(t + UInt64($0) * 8) == 1 << 55 })
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func unfoldsAnUnprotectedBlock() {
        let h = Harness()
        let realm = h.createRealm()
        let base = realm.parSize + 4 * mib2
        h.createTables(realm, ipa: base, downTo: 2)
        let desc = Harness.ns(0) | 0b110 << 2 | 0b01 << 6
        #expect(h.call(.rttMapUnprotected, realm.rd, base, 2, desc).x0 == 0)
        h.machine.invalidations.removeAll()
        let t = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, t, base, 3).x0 == 0)
        // Break-before-make on the valid block: the block's TLB entries are invalidated.
        #expect(h.machine.invalidations == [.ipa(base, level: 2, vmid: 1)])
        for i in 0..<512 {
            let page = Harness.ns(0) + UInt64(i) * 4096
            #expect(h.readEntry(realm, base + UInt64(i) * 4096, level: 3)
                    == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: page | 0b110 << 2 | 0b01 << 6, x4: 0))
        }
        #expect(h.refcount(t) == 512)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func unfoldsAnAssignedEmptyBlock() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        for i in 0..<512 {
            #expect(h.call(.granuleDelegate, Harness.pool(i)).x0 == 0)
            #expect(h.call(.dataCreateUnknown, realm.rd, Harness.pool(i), UInt64(i) * 4096).x0 == 0)
        }
        #expect(h.call(.rttFold, realm.rd, 0, 3).x0 == 0)
        #expect(h.readEntry(realm, 0, level: 3) == RMIResult(x0: 0, x1: 2, x2: Entry.assigned, x3: Harness.pool(0), x4: Entry.empty))
        h.machine.invalidations.removeAll()
        #expect(h.call(.rttCreate, realm.rd, h.delegated(), 0, 3).x0 == 0)
        // The block was invalid (EMPTY): nothing the walker could have cached.
        #expect(h.machine.invalidations.isEmpty)
        for i in 0..<512 {
            #expect(h.readEntry(realm, UInt64(i) * 4096, level: 3)
                    == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: Harness.pool(i), x4: Entry.empty))
        }
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        let rtt = h.delegated()
        func create(_ rd: UInt64, _ rtt: UInt64, _ ipa: UInt64, _ level: UInt64) -> UInt64 {
            let r = h.call(.rttCreate, rd, rtt, ipa, level)
            #expect(h.checkInvariants().isEmpty)
            return r.x0
        }
        // rd_*, rtt_align, rtt_bound, rtt_state
        #expect(create(realm.rd + 8, rtt, 0, 2) == Status.input)
        #expect(create(h.delegated(), rtt, 0, 2) == Status.input)
        #expect(create(realm.rd, rtt + 8, 0, 2) == Status.input)
        #expect(create(realm.rd, Harness.ns(1), 0, 2) == Status.input)
        #expect(create(realm.rd, h.freshGranule(), 0, 2) == Status.input)
        #expect(create(realm.rd, realm.rd, 0, 2) == Status.input)
        #expect(create(realm.rd, realm.params.rttBase, 0, 2) == Status.input)
        // level_bound: only start + 1 ... 3
        for level: UInt64 in [0, 1, 4, UInt64.max] { #expect(create(realm.rd, rtt, 0, level) == Status.input) }
        // ipa_align: aligned to the parent entry (level - 1); ipa_bound: inside 2^s2sz
        #expect(create(realm.rd, rtt, mib2, 2) == Status.input)
        #expect(create(realm.rd, rtt, 4096, 3) == Status.input)
        #expect(create(realm.rd, rtt, 1 << 40, 2) == Status.input)
        #expect(create(realm.rd, rtt, UInt64.max & ~(gib - 1), 2) == Status.input)
        // rtt_walk: the level-2 parent does not exist yet
        #expect(create(realm.rd, rtt, mib2, 3) == Status.rtt(1))
        // rtt_state: the parent entry is already a table
        #expect(create(realm.rd, rtt, 0, 2) == 0)
        #expect(create(realm.rd, h.delegated(), 0, 2) == Status.rtt(1))
        // Priority: a bad RTT granule is reported before the walk.
        #expect(create(realm.rd, h.freshGranule(), 5 * gib + mib2, 3) == Status.input)
        #expect(h.state(rtt) == .rtt)
    }
}

@Suite struct RTTDestroyTests {
    @Test func destroyProtectedReturnsTopOfNonLiveRegion() {
        let h = Harness()
        let realm = h.createRealm()
        let a = h.delegated(), b = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, a, 0, 2).x0 == 0)
        #expect(h.call(.rttCreate, realm.rd, b, 3 * gib, 2).x0 == 0)
        h.machine.invalidations.removeAll()
        // x1: the RTT; x2: the next live entry of the parent table (the table at 3 GiB).
        #expect(h.call(.rttDestroy, realm.rd, 0, 2) == RMIResult(x0: 0, x1: a, x2: 3 * gib))
        #expect(h.state(a) == .delegated && h.machine.isZero(a))
        #expect(h.readEntry(realm, 0, level: 1) == RMIResult(x0: 0, x1: 1, x2: Entry.unassigned, x3: 0, x4: Entry.destroyed))
        #expect(h.machine.invalidations == [.vmid(1)])
        // With nothing live after it, the top is the end of the parent table's range
        // (the first starting-level table maps [0, 2^39)).
        #expect(h.call(.rttDestroy, realm.rd, 3 * gib, 2) == RMIResult(x0: 0, x1: b, x2: 1 << 39))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyUnprotectedLeavesUnassignedNS() {
        let h = Harness()
        let realm = h.createRealm()
        let t = h.delegated()
        #expect(h.call(.rttCreate, realm.rd, t, realm.parSize + gib, 2).x0 == 0)
        #expect(h.call(.rttDestroy, realm.rd, realm.parSize + gib, 2) == RMIResult(x0: 0, x1: t, x2: 1 << 40))
        #expect(h.machine.read64(realm.params.rttBase + 4096 + 8) == 1 << 55)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        let data = h.delegated()
        #expect(h.call(.dataCreateUnknown, realm.rd, data, 0x3000).x0 == 0)
        // rd_*, level_bound, ipa_align, ipa_bound: RMI_ERROR_INPUT, x2 = 0
        #expect(h.call(.rttDestroy, realm.rd + 8, 0, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttDestroy, h.delegated(), 0, 3) == RMIResult(x0: Status.input))
        for level: UInt64 in [0, 1, 4] { #expect(h.call(.rttDestroy, realm.rd, 0, level) == RMIResult(x0: Status.input)) }
        #expect(h.call(.rttDestroy, realm.rd, 4096, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttDestroy, realm.rd, 1 << 40, 2) == RMIResult(x0: Status.input))
        // rtt_walk: no level-2 table at 2 GiB; x2 = top of the non-live region from there
        // (the whole first starting-level table is non-live after entry 0).
        #expect(h.call(.rttDestroy, realm.rd, 2 * gib, 3) == RMIResult(x0: Status.rtt(1), x2: 1 << 39))
        // rtt_state: the level-2 entry at 2 MiB is not a table; x2 = end of the level-2 table.
        #expect(h.call(.rttDestroy, realm.rd, mib2, 3) == RMIResult(x0: Status.rtt(2), x2: gib))
        // rtt_live: the level-3 table maps DATA; x2 = the IPA itself.
        #expect(h.call(.rttDestroy, realm.rd, 0, 3) == RMIResult(x0: Status.rtt(3), x2: 0))
        // Parent level 2 is live too (it holds a table).
        #expect(h.call(.rttDestroy, realm.rd, 0, 2) == RMIResult(x0: Status.rtt(2), x2: 0))
        #expect(h.checkInvariants().isEmpty)
    }
}

@Suite struct RTTFoldTests {
    @Test func foldsHomogeneousUnassignedTables() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        let l3 = h.readEntry(realm, 0, level: 2).x3
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, mib2).x0 == 0)
        h.machine.invalidations.removeAll()
        #expect(h.call(.rttFold, realm.rd, 0, 3) == RMIResult(x0: 0, x1: l3))
        #expect(h.state(l3) == .delegated && h.machine.isZero(l3))
        #expect(h.readEntry(realm, 0, level: 3) == RMIResult(x0: 0, x1: 2, x2: Entry.unassigned, x3: 0, x4: Entry.ram))
        #expect(h.machine.invalidations == [.vmid(1)])
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func foldsContiguousRAMIntoABlockDescriptor() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, mib2).x0 == 0)
        let src = h.freshNS()
        for i in 0..<512 {
            #expect(h.call(.granuleDelegate, Harness.pool(i)).x0 == 0)
            #expect(h.call(.dataCreate, realm.rd, Harness.pool(i), UInt64(i) * 4096, src, 0).x0 == 0)
        }
        let l2 = h.readEntry(realm, 0, level: 1).x3
        #expect(h.call(.rttFold, realm.rd, 0, 3).x0 == 0)
        #expect(h.readEntry(realm, 0, level: 3) == RMIResult(x0: 0, x1: 2, x2: Entry.assigned, x3: Harness.pool(0), x4: Entry.ram))
        // A stage-2 level-2 block descriptor: bits[1:0] = 0b01, OA, same attributes as pages.
        #expect(h.machine.read64(l2) == Harness.pool(0) | 1 << 10 | 0b11 << 8 | 0b11 << 6 | 0b1111 << 2 | 0b01)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func foldsContiguousUnprotectedMappings() {
        let h = Harness()
        let realm = h.createRealm()
        let base = realm.parSize
        h.createTables(realm, ipa: base, downTo: 3)
        let attrs: UInt64 = 0b101 << 2 | 0b11 << 6
        for i in 0..<512 {
            #expect(h.call(.rttMapUnprotected, realm.rd, base + UInt64(i) * 4096, 3, Harness.ns(i) | attrs).x0 == 0)
        }
        #expect(h.call(.rttFold, realm.rd, base, 3).x0 == 0)
        #expect(h.readEntry(realm, base, level: 3) == RMIResult(x0: 0, x1: 2, x2: Entry.assigned, x3: Harness.ns(0) | attrs, x4: 0))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func refusesMixedOrMisalignedTables() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        // Mixed RIPAS.
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 4096).x0 == 0)
        #expect(h.call(.rttFold, realm.rd, 0, 3) == RMIResult(x0: Status.rtt(3)))
        // Assigned but starting one granule off a 2 MiB boundary.
        h.createTables(realm, ipa: mib2, downTo: 3)
        for i in 0..<512 {
            #expect(h.call(.granuleDelegate, Harness.pool(i + 1)).x0 == 0)
            #expect(h.call(.dataCreateUnknown, realm.rd, Harness.pool(i + 1), mib2 + UInt64(i) * 4096).x0 == 0)
        }
        #expect(h.call(.rttFold, realm.rd, mib2, 3) == RMIResult(x0: Status.rtt(3)))
        // Contiguous and aligned but one page missing.
        #expect(h.call(.dataDestroy, realm.rd, mib2 + 4096).x0 == 0)
        #expect(h.call(.rttFold, realm.rd, mib2, 3) == RMIResult(x0: Status.rtt(3)))
        #expect(h.checkInvariants().isEmpty)
    }

    /// Folding a level-1 RTT would make a level-0 entry, where the RMM makes no block. As in
    /// TF-RMM rel0, a table whose 512 entries all hold granules (here: tables) fails at the
    /// parent's level before its entries are compared; one holding only some fails at its own.
    @Test func levelOneFoldErrorLevels() {
        let h = Harness()
        let realm = h.createRealm { $0.s2sz = 48; $0.rttLevelStart = 0; $0.rttNumStart = 1 }
        h.createTables(realm, ipa: 0, downTo: 1)
        #expect(h.call(.rttCreate, realm.rd, h.delegated(), 0, 2).x0 == 0)
        #expect(h.call(.rttFold, realm.rd, 0, 1) == RMIResult(x0: Status.rtt(1)))
        for i in 1..<512 {
            #expect(h.call(.rttCreate, realm.rd, h.delegated(), UInt64(i) * gib, 2).x0 == 0)
        }
        #expect(h.call(.rttFold, realm.rd, 0, 1) == RMIResult(x0: Status.rtt(0)))
        // An all-unassigned level-1 RTT still folds into the level-0 entry.
        h.createTables(realm, ipa: 512 * gib, downTo: 1)
        #expect(h.call(.rttFold, realm.rd, 512 * gib, 1).x0 == 0)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 2)
        #expect(h.call(.rttFold, realm.rd + 8, 0, 2) == RMIResult(x0: Status.input))
        for level: UInt64 in [0, 1, 4] { #expect(h.call(.rttFold, realm.rd, 0, level) == RMIResult(x0: Status.input)) }
        #expect(h.call(.rttFold, realm.rd, 4096, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttFold, realm.rd, 1 << 40, 2) == RMIResult(x0: Status.input))
        // rtt_walk: no level-2 table at 4 GiB
        #expect(h.call(.rttFold, realm.rd, 4 * gib, 3) == RMIResult(x0: Status.rtt(1)))
        // rtt_state: the level-2 entry is not a table
        #expect(h.call(.rttFold, realm.rd, 0, 3) == RMIResult(x0: Status.rtt(2)))
        #expect(h.checkInvariants().isEmpty)
    }
}
