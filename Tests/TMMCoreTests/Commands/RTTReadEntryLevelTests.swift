// RMI_RTT_READ_ENTRY at every level a 48-bit realm with a level-0 starting table has
// (DEN0137 1.0-rel0 B4.3.20; TF-RMM rel0 smc_rtt_read_entry): x1 is the level the walk
// reached, x2 the entry's state, x3 the next table's or the output address, x4 the RIPAS
// (EMPTY for tables and unprotected entries); the IPA must be aligned to the level asked for.

import Testing
@testable import TMMCore

@Suite struct RTTReadEntryLevelTests {
    @Test func everyLevelOfALevelZeroRealm() {
        let h = Harness()
        let realm = h.createRealm {
            $0.s2sz = 48
            $0.rttLevelStart = 0
            $0.rttNumStart = 1
        }
        let ipa: UInt64 = 3 * gib + 5 * mib2 + 0x7000
        // Before any table: every level reports the level-0 entry.
        for level in 0...3 {
            #expect(h.readEntry(realm, ipa & ~(UInt64(1) << (12 + 9 * UInt64(3 - level)) - 1), level: level)
                    == RMIResult(x0: 0, x1: 0, x2: Entry.unassigned, x3: 0, x4: Entry.empty), "level \(level)")
        }
        var tables: [UInt64] = []
        for level in 1...3 {
            let size: UInt64 = 1 << (12 + 9 * UInt64(4 - level))
            let t = h.delegated()
            #expect(h.call(.rttCreate, realm.rd, t, ipa & ~(size - 1), UInt64(level)).x0 == 0)
            tables.append(t)
        }
        #expect(h.call(.rttInitRIPAS, realm.rd, ipa, ipa + 0x1000).x0 == 0)
        let data = h.delegated()
        #expect(h.call(.dataCreate, realm.rd, data, ipa, h.freshNS(), 0).x0 == 0)
        // Levels 0-2: TABLE with the next level's RTT; level 3: the DATA granule, RIPAS RAM.
        #expect(h.readEntry(realm, 0, level: 0) == RMIResult(x0: 0, x1: 0, x2: Entry.table, x3: tables[0], x4: Entry.empty))
        #expect(h.readEntry(realm, 3 * gib, level: 1) == RMIResult(x0: 0, x1: 1, x2: Entry.table, x3: tables[1], x4: Entry.empty))
        #expect(h.readEntry(realm, 3 * gib + 5 * mib2, level: 2)
                == RMIResult(x0: 0, x1: 2, x2: Entry.table, x3: tables[2], x4: Entry.empty))
        #expect(h.readEntry(realm, ipa, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: data, x4: Entry.ram))
        // Neighbours in the same tables: unassigned, RIPAS EMPTY, at the level reached.
        #expect(h.readEntry(realm, ipa + 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        #expect(h.readEntry(realm, 3 * gib, level: 3) == RMIResult(x0: 0, x1: 2, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        #expect(h.readEntry(realm, 0, level: 3) == RMIResult(x0: 0, x1: 1, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        // The unprotected half: unassigned_ns, UNASSIGNED with RIPAS EMPTY, at level 0.
        let par: UInt64 = 1 << 47
        for level in 0...3 {
            #expect(h.readEntry(realm, par, level: level) == RMIResult(x0: 0, x1: 0, x2: Entry.unassigned, x3: 0, x4: Entry.empty))
        }
        // ipa_align per level; ipa_bound at the top of the IPA space.
        #expect(h.readEntry(realm, 3 * gib + 4 * mib2, level: 1).x0 == Status.input)
        #expect(h.readEntry(realm, 3 * gib, level: 0).x0 == Status.input)
        #expect(h.readEntry(realm, ipa, level: 2).x0 == Status.input)
        #expect(h.readEntry(realm, 1 << 48, level: 0).x0 == Status.input)
        // level_bound: 0...3 here.
        for level: UInt64 in [4, UInt64.max, UInt64(bitPattern: -1 as Int64)] {
            #expect(h.call(.rttReadEntry, realm.rd, 0, level) == RMIResult(x0: Status.input))
        }
        #expect(h.checkInvariants().isEmpty)
    }
}
