// Identity placement (PlatformCapabilities.identityPlacement, the EL3 image, Docs/el3-realms.md):
// without stage 2 a realm's IPA is a physical address, so DATA_CREATE, DATA_CREATE_UNKNOWN and
// RTT_MAP_UNPROTECTED that would place memory elsewhere fail with RMI_ERROR_INPUT and change
// nothing; placed as the rule says, the RTTs record exactly what RMI defines.

import Testing
@testable import TMMCore

@Suite struct IdentityPlacementTests {
    static let identity: PlatformCapabilities = {
        var c = Harness.defaultCapabilities
        c.identityPlacement = true
        return c
    }()
    /// FWB MemAttr 0b110 (Normal Write-Back), S2AP read/write.
    let attrs: UInt64 = 0b110 << 2 | 0b11 << 6

    @Test func dataAtItsOwnAddressIsAccepted() {
        let h = Harness(capabilities: Self.identity)
        let realm = h.createRealm()
        let d = h.delegated(), u = h.delegated()
        h.createTables(realm, ipa: d, downTo: 3)
        let src = h.freshNS()
        h.machine.fill(src, with: Array(repeating: 0x5A, count: 4096))
        #expect(h.call(.dataCreate, realm.rd, d, d, src, 1) == RMIResult(x0: 0))
        #expect(h.readEntry(realm, d, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: d, x4: Entry.ram))
        #expect(h.call(.dataCreateUnknown, realm.rd, u, u) == RMIResult(x0: 0))
        #expect(h.state(u) == .data)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func dataElsewhereIsRefusedAndChangesNothing() {
        let h = Harness(capabilities: Self.identity)
        let realm = h.createRealm()
        let d = h.delegated()
        h.createTables(realm, ipa: d, downTo: 3)
        let src = h.freshNS()
        let rim = h.rim(realm)
        let before = h.readEntry(realm, d - 0x1000, level: 3)
        #expect(h.call(.dataCreate, realm.rd, d, d - 0x1000, src, 1).x0 == Status.input)
        #expect(h.call(.dataCreateUnknown, realm.rd, d, d - 0x1000).x0 == Status.input)
        #expect(h.state(d) == .delegated)
        #expect(h.rim(realm) == rim)
        #expect(h.readEntry(realm, d - 0x1000, level: 3) == before)
        #expect(h.checkInvariants().isEmpty)
    }

    /// The same calls on a platform with stage 2 place the granule anywhere.
    @Test func withoutTheCapabilityAnyIPAIsAccepted() {
        let h = Harness()
        let realm = h.createRealm()
        let d = h.delegated()
        h.createTables(realm, ipa: d, downTo: 3)
        #expect(h.call(.dataCreateUnknown, realm.rd, d, d - 0x1000).x0 == Status.success)
    }

    @Test func unprotectedMappingsAtTheirOutputAddress() {
        let h = Harness(capabilities: Self.identity)
        let realm = h.createRealm()
        let page = Harness.ns(5)
        let ipa = realm.parSize | page
        h.createTables(realm, ipa: ipa, downTo: 3)
        #expect(h.call(.rttMapUnprotected, realm.rd, ipa + 0x1000, 3, page | attrs).x0 == Status.input)
        #expect(h.readEntry(realm, ipa + 0x1000, level: 3).x2 == Entry.unassigned)
        #expect(h.call(.rttMapUnprotected, realm.rd, ipa, 3, page | attrs) == RMIResult(x0: 0))
        #expect(h.readEntry(realm, ipa, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: page | attrs, x4: 0))
        #expect(h.checkInvariants().isEmpty)
    }
}
