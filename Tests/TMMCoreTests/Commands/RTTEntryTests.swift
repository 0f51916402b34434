// RMI_RTT_READ_ENTRY, RMI_RTT_MAP_UNPROTECTED and RMI_RTT_UNMAP_UNPROTECTED (DEN0137
// B4.3.20, B4.3.18, B4.3.21).

import Testing
@testable import TMMCore

@Suite struct RTTReadEntryTests {
    @Test func walkStopsAtTheDeepestTable() {
        let h = Harness()
        let realm = h.createRealm()
        // Only the starting level exists: a level-3 read reports the level-1 entry.
        #expect(h.readEntry(realm, 0x5000, level: 3) == RMIResult(x0: 0, x1: 1, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        #expect(h.readEntry(realm, realm.parSize + 0x5000, level: 3) == RMIResult(x0: 0, x1: 1, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        #expect(h.call(.rttReadEntry, realm.rd + 8, 0, 1) == RMIResult(x0: Status.input))
        #expect(h.call(.rttReadEntry, h.delegated(), 0, 1) == RMIResult(x0: Status.input))
        // level_bound: starting level (1) ... 3
        for level: UInt64 in [0, 4, UInt64.max] { #expect(h.call(.rttReadEntry, realm.rd, 0, level) == RMIResult(x0: Status.input)) }
        // ipa_align, ipa_bound
        #expect(h.call(.rttReadEntry, realm.rd, 4096, 2) == RMIResult(x0: Status.input))
        #expect(h.call(.rttReadEntry, realm.rd, 1 << 40, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttReadEntry, realm.rd, UInt64.max & ~0xFFF, 3) == RMIResult(x0: Status.input))
    }

    @Test func destroyedEntries() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x2000).x0 == 0)
        let src = h.freshNS()
        let d = h.delegated()
        #expect(h.call(.dataCreate, realm.rd, d, 0x1000, src, 0).x0 == 0)
        #expect(h.call(.dataDestroy, realm.rd, 0x1000).x0 == 0)
        // A RAM page whose DATA was destroyed: UNASSIGNED, RIPAS DESTROYED.
        #expect(h.readEntry(realm, 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: Entry.destroyed))
        // DATA_CREATE_UNKNOWN on it keeps DESTROYED: ASSIGNED, RIPAS DESTROYED (TF-RMM rel0
        // reports the DATA address).
        let d2 = h.delegated()
        #expect(h.call(.dataCreateUnknown, realm.rd, d2, 0x1000).x0 == 0)
        #expect(h.readEntry(realm, 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: d2, x4: Entry.destroyed))
        // An invalid entry: the realm cannot reach the page.
        #expect(h.machine.read64(h.readEntry(realm, 0, level: 2).x3 + 8) & 0b11 == 0)
        #expect(h.checkInvariants().isEmpty)
    }
}

@Suite struct RTTMapUnprotectedTests {
    /// FWB MemAttr 0b110 (Normal Write-Back, Linux's MT_S2_FWB_NORMAL), S2AP read/write.
    let attrs: UInt64 = 0b110 << 2 | 0b11 << 6

    @Test func mapsPagesAndBlocks() {
        let h = Harness()
        let realm = h.createRealm()
        let ipa = realm.parSize + 2 * mib2
        h.createTables(realm, ipa: ipa, downTo: 3)
        #expect(h.call(.rttMapUnprotected, realm.rd, ipa + 0x3000, 3, Harness.ns(5) | attrs) == RMIResult(x0: 0))
        // Stage-2 page descriptor the walker sees (FWB = 0): MemAttr 0b1111, the host's S2AP,
        // inner shareable, AF, XN = 0b10, NS marker (bit 55), the host's MemAttr kept in
        // bits 58:56, page 0b11.
        #expect(h.machine.read64(h.readEntry(realm, ipa, level: 2).x3 + 3 * 8)
                == Harness.ns(5) | 0b1111 << 2 | 0b11 << 6 | 0b11 << 8 | 1 << 10 | 0b10 << 53 | 1 << 55 | 0b110 << 56 | 0b11)
        #expect(h.readEntry(realm, ipa + 0x3000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: Harness.ns(5) | attrs, x4: 0))
        // A 2 MiB block at level 2.
        let block = realm.parSize + 4 * mib2
        #expect(h.call(.rttMapUnprotected, realm.rd, block, 2, Harness.ns(512) | attrs).x0 == 0)
        #expect(h.readEntry(realm, block, level: 2) == RMIResult(x0: 0, x1: 2, x2: Entry.assigned, x3: Harness.ns(512) | attrs, x4: 0))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        let ipa = realm.parSize
        h.createTables(realm, ipa: ipa, downTo: 3)
        func map(_ ipa: UInt64, _ level: UInt64, _ desc: UInt64, rd: UInt64? = nil) -> UInt64 {
            h.call(.rttMapUnprotected, rd ?? realm.rd, ipa, level, desc).x0
        }
        let good = Harness.ns(1) | attrs
        // level_bound: 1...3
        for level: UInt64 in [0, 4, UInt64.max] { #expect(map(ipa, level, good) == Status.input) }
        #expect(map(ipa, 3, good, rd: h.delegated()) == Status.input)
        // desc_valid: fields the host may not set (SH, MemAttr[3], AF, NS, type, software
        // bits), a misaligned output address, the reserved FWB MemAttr 0b100.
        #expect(map(ipa, 3, good | 1 << 10) == Status.input)
        #expect(map(ipa, 3, good | 1 << 55) == Status.input)
        #expect(map(ipa, 3, good | 0b11) == Status.input)
        #expect(map(ipa, 3, good | 1 << 60) == Status.input)
        #expect(map(ipa + 4 * mib2, 2, Harness.ns(1) | attrs) == Status.input)
        for sh: UInt64 in [0b01, 0b10, 0b11] { #expect(map(ipa, 3, good | sh << 8) == Status.input) }
        #expect(map(ipa, 3, Harness.ns(1) | 0b1000 << 2) == Status.input)
        #expect(map(ipa, 3, good | 1 << 56) == Status.input)
        #expect(map(ipa, 3, Harness.ns(1) | 0b100 << 2) == Status.input)
        // TrustZone: the output must be normal-world memory outside the secure pool.
        for pa in [Harness.pool(3), FakeMachine.tmmMemory.base, 0x9000_0000] {
            #expect(map(ipa, 3, pa | attrs) == Status.input, "\(hex(pa))")
        }
        // ipa_align, ipa_bound, ipa in the protected half
        #expect(map(ipa + 0x800, 3, good) == Status.input)
        #expect(map(1 << 40, 3, good) == Status.input)
        #expect(map(0x1000, 3, good) == Status.input)
        // rtt_walk: no level-3 table at the next 2 MiB
        #expect(map(ipa + mib2, 3, good) == Status.rtt(2))
        // rtt_state: already mapped
        #expect(map(ipa, 3, good) == 0)
        #expect(map(ipa, 3, Harness.ns(2) | attrs) == Status.rtt(3))
        #expect(h.readEntry(realm, ipa, level: 3).x3 == good)
        // A level-2 map where a table exists: the walk goes past the level.
        #expect(map(ipa, 2, Harness.ns(0) | attrs) == Status.rtt(2))
        #expect(h.checkInvariants().isEmpty)
    }
}

@Suite struct RTTUnmapUnprotectedTests {
    let attrs: UInt64 = 0b110 << 2 | 0b11 << 6

    @Test func unmapReturnsTopAndInvalidates() {
        let h = Harness()
        let realm = h.createRealm { $0.vmid = 3 }
        let ipa = realm.parSize
        h.createTables(realm, ipa: ipa, downTo: 3)
        #expect(h.call(.rttMapUnprotected, realm.rd, ipa, 3, Harness.ns(1) | attrs).x0 == 0)
        #expect(h.call(.rttMapUnprotected, realm.rd, ipa + 0x5000, 3, Harness.ns(2) | attrs).x0 == 0)
        h.machine.invalidations.removeAll()
        // x1: next live entry after the unmapped one.
        #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa, 3) == RMIResult(x0: 0, x1: ipa + 0x5000))
        #expect(h.machine.invalidations == [.ipa(ipa, level: 3, vmid: 3)])
        #expect(h.readEntry(realm, ipa, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: 0))
        // Last one: top is the end of the level-3 table's range.
        #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa + 0x5000, 3) == RMIResult(x0: 0, x1: ipa + mib2))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        let ipa = realm.parSize
        h.createTables(realm, ipa: ipa, downTo: 3)
        #expect(h.call(.rttMapUnprotected, realm.rd, ipa + 0x2000, 3, Harness.ns(1) | attrs).x0 == 0)
        for level: UInt64 in [0, 4] { #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa, level) == RMIResult(x0: Status.input)) }
        #expect(h.call(.rttUnmapUnprotected, h.delegated(), ipa, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa + 8, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttUnmapUnprotected, realm.rd, 0, 3) == RMIResult(x0: Status.input))
        #expect(h.call(.rttUnmapUnprotected, realm.rd, 1 << 40, 3) == RMIResult(x0: Status.input))
        // rtt_state: nothing mapped at ipa; x1 = the next live entry.
        #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa, 3) == RMIResult(x0: Status.rtt(3), x1: ipa + 0x2000))
        // rtt_walk: no table below 1 GiB further; x1 = end of the non-live run at level 2.
        #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa + gib + mib2, 3) == RMIResult(x0: Status.rtt(1), x1: 1 << 40))
        // Asking at level 2 where a table is: the walk reaches level 2 but the entry is a table.
        #expect(h.call(.rttUnmapUnprotected, realm.rd, ipa, 2) == RMIResult(x0: Status.rtt(2), x1: ipa))
        #expect(h.checkInvariants().isEmpty)
    }
}

@Suite struct UnprotectedAttributeTests {
    /// Every FWB MemAttr the host may give, the FWB = 0 MemAttr[3:0] the walker gets (Arm ARM
    /// stage 2 memory attributes with and without FEAT_S2FWB), and what RTT_READ_ENTRY reports.
    @Test func hostMemAttrBecomesTheEquivalentWalkerMemAttr() {
        let expected: [(host: UInt64, walker: UInt64)] = [
            (0b000, 0b0000), (0b001, 0b0001), (0b010, 0b0010), (0b011, 0b0011),   // Device types
            (0b101, 0b0101),                                                        // Normal NC
            (0b110, 0b1111), (0b111, 0b1111),                                       // WB, stage 1's
        ]
        let h = Harness()
        let realm = h.createRealm()
        let ipa = realm.parSize
        h.createTables(realm, ipa: ipa, downTo: 3)
        let table = h.readEntry(realm, ipa, level: 2).x3
        for (i, e) in expected.enumerated() {
            let page = ipa + UInt64(i) * 4096
            let desc = Harness.ns(i) | e.host << 2 | 0b01 << 6
            #expect(h.call(.rttMapUnprotected, realm.rd, page, 3, desc).x0 == 0)
            #expect(h.machine.read64(table + UInt64(i) * 8) >> 2 & 0xF == e.walker, "host MemAttr \(e.host)")
            #expect(h.readEntry(realm, page, level: 3).x3 == desc)
        }
        #expect(h.checkInvariants().isEmpty)
    }
}
