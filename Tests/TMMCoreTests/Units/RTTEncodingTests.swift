// The RTT entry encoding (cca-reference.md section 4, TF-RMM rel0 layout) and geometry,
// checked bit by bit against the VMSAv8-64 stage-2 descriptor format.

import Testing
@testable import TMMCore

@Suite struct RTTEncodingTests {
    @Test func invalidEntriesCarryHIPASAndRIPAS() {
        // DESC_TYPE [1:0] = 0, HIPAS [4:2], RIPAS [6:5], NS [55].
        #expect(RTTEntry.unassigned(.empty).raw == 0)
        #expect(RTTEntry.unassigned(.ram).raw == 1 << 5)
        #expect(RTTEntry.unassigned(.destroyed).raw == 2 << 5)
        #expect(RTTEntry.unassignedNS.raw == 1 << 55)
        #expect(RTTEntry.assignedInvalid(.empty, 0x1234_5000).raw == 0x1234_5000 | 1 << 2)
        #expect(RTTEntry.assignedInvalid(.destroyed, 0x1234_5000).raw == 0x1234_5000 | 1 << 2 | 2 << 5)
        for level in 0...3 {
            #expect(RTTEntry.unassigned(.ram).kind(level: level) == .unassigned(.ram))
            #expect(RTTEntry.unassignedNS.kind(level: level) == .unassignedNS)
            #expect(!RTTEntry.unassigned(.destroyed).isLive(level: level))
        }
    }

    @Test func validDescriptorsFollowTheArchitecture() {
        // Page (level 3): type 0b11; block (levels 1, 2): type 0b01; table (0...2): 0b11.
        let page = RTTEntry.assignedRAM(0x8000_1000, level: 3)
        #expect(page.raw & 0b11 == 0b11 && page.raw & 0xFFFF_FFFF_F000 == 0x8000_1000)
        #expect(page.raw >> 2 & 0xF == 0b1111 && page.raw >> 6 & 0b11 == 0b11 && page.raw >> 8 & 0b11 == 0b11)
        #expect(page.raw & 1 << 10 != 0 && page.raw >> 53 & 0b11 == 0)
        #expect(page.kind(level: 3) == .assigned(.ram, 0x8000_1000))
        let block = RTTEntry.assignedRAM(0x8020_0000, level: 2)
        #expect(block.raw & 0b11 == 0b01 && block.kind(level: 2) == .assigned(.ram, 0x8020_0000))
        // The same bits mean a table at levels 0-2 and a page at level 3.
        let table = RTTEntry.table(0x9000_0000)
        #expect(table.raw == 0x9000_0000 | 0b11)
        #expect(table.kind(level: 2) == .table(0x9000_0000))
        #expect(table.kind(level: 3) == .assigned(.ram, 0x9000_0000))
        // A block at level 0 or level 3 is not a descriptor the RMM writes.
        #expect(RTTEntry(raw: 0x4000_0000 | 0b01).kind(level: 0) == .malformed)
        #expect(RTTEntry(raw: 0x4000_0000 | 0b01).kind(level: 3) == .malformed)
        #expect(RTTEntry(raw: 0b10).kind(level: 2) == .malformed)
        #expect(RTTEntry(raw: 3 << 5).kind(level: 3) == .malformed)
    }

    @Test func unprotectedDescriptors() {
        // FWB MemAttr 0b101 (Normal Non-cacheable) is FWB = 0 MemAttr 0b0101 for the walker.
        let host: UInt64 = 0x4000_3000 | 0b101 << 2 | 0b01 << 6
        let e = RTTEntry.assignedNS(hostDescriptor: host, level: 3)
        #expect(e.raw == 0x4000_3000 | 0b0101 << 2 | 0b01 << 6 | 0b11 << 8 | 1 << 10 | 0b10 << 53 | 1 << 55 | 0b101 << 56 | 0b11)
        #expect(e.kind(level: 3) == .assignedNS && e.hostVisibleNSDescriptor == host)
        #expect(RTTEntry.assignedNS(hostDescriptor: 0x4020_0000, level: 2).raw & 0b11 == 0b01)
    }

    @Test func geometry() {
        #expect(RTTGeometry.mapSize(3) == 4096)
        #expect(RTTGeometry.mapSize(2) == 2 << 20)
        #expect(RTTGeometry.mapSize(1) == 1 << 30)
        #expect(RTTGeometry.mapSize(0) == 512 << 30)
        #expect(RTTGeometry.index(of: 0x20_3000, level: 3) == 3)
        #expect(RTTGeometry.index(of: 0x20_3000, level: 2) == 1)
        #expect(RTTGeometry.index(of: (5 << 39) | (7 << 30), level: 0) == 5)
    }

    @Test func startLevelGeometryMatchesTheArchitecture() {
        // For every IPA width and level, the count is the number of 4 KiB tables needed to
        // resolve the bits above a single table's reach, if that is 1...16.
        for s2sz in UInt64(20)...52 {
            for level in Int64(0)...3 {
                let reach = UInt64(12 + 9 * (4 - level))      // bits one table resolves
                let below = UInt64(12 + 9 * (3 - level))      // bits below the starting level
                var expected: Int?
                if s2sz > below && s2sz <= reach + 4 {
                    expected = s2sz <= reach ? 1 : 1 << Int(s2sz - reach)
                }
                let got = StartLevelGeometry.rootTableCount(ipaWidth: s2sz, level: level, maxIPAWidth: 48)
                #expect(got == expected, "s2sz \(s2sz) level \(level)")
            }
        }
    }
}
