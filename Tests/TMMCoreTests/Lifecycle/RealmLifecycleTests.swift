// A realm's whole life, as a host written for CCA would drive it, with the invariant checker
// run after every step and the results checked against the specification's definitions.

import Testing
@testable import TMMCore

@Suite struct RealmLifecycleTests {
    @Test func fullLifecycle() {
        let h = Harness()
        var step = 0
        func check(_ what: String, _ r: RMIResult? = nil, expect status: UInt64 = Status.success,
                   sourceLocation: SourceLocation = #_sourceLocation) {
            step += 1
            if let r { #expect(r.x0 == status, "step \(step) \(what): \(r)", sourceLocation: sourceLocation) }
            let problems = h.checkInvariants()
            #expect(problems.isEmpty, "after step \(step) \(what): \(problems)", sourceLocation: sourceLocation)
        }
        check("boot")

        // Realm with 2 concatenated level-1 starting tables (s2sz 40).
        let realm = h.createRealm { $0.rpv = Array(repeating: 0xAB, count: 64) }
        check("realm create")
        #expect(h.state(realm.rd) == .rd)
        #expect(h.state(realm.params.rttBase) == .rtt && h.state(realm.params.rttBase + 4096) == .rtt)
        var rim = Reference.initialRIM(realm.params)
        #expect(h.rim(realm) == rim)

        // Starting level: the protected half UNASSIGNED/EMPTY, the unprotected half
        // UNASSIGNED_NS (reported UNASSIGNED, RIPAS EMPTY).
        var r = h.readEntry(realm, 0, level: 1)
        #expect(r == RMIResult(x0: 0, x1: 1, x2: 0, x3: 0, x4: 0))
        r = h.readEntry(realm, realm.parSize, level: 1)
        #expect(r == RMIResult(x0: 0, x1: 1, x2: 0, x3: 0, x4: 0))

        // RTTs down to level 3 for IPA 0.
        let l2 = h.delegated(), l3 = h.delegated()
        check("rtt create l2", h.call(.rttCreate, realm.rd, l2, 0, 2))
        check("rtt create l3", h.call(.rttCreate, realm.rd, l3, 0, 3))
        #expect(h.readEntry(realm, 0, level: 1) == RMIResult(x0: 0, x1: 1, x2: 2, x3: l2, x4: 0))
        #expect(h.readEntry(realm, 0, level: 2) == RMIResult(x0: 0, x1: 2, x2: 2, x3: l3, x4: 0))
        #expect(h.refcount(realm.params.rttBase) == 1 && h.refcount(l2) == 1 && h.refcount(l3) == 0)

        // INIT_RIPAS [0, 16 KiB): RAM, each page measured.
        r = h.call(.rttInitRIPAS, realm.rd, 0, 0x4000)
        check("init ripas", r)
        #expect(r.x1 == 0x4000)
        for page in 0..<4 { rim = Reference.extendRIPAS(rim, base: UInt64(page) * 4096, top: UInt64(page + 1) * 4096, algorithm: 0) }
        #expect(h.rim(realm) == rim)
        #expect(h.readEntry(realm, 0x3000, level: 3) == RMIResult(x0: 0, x1: 3, x2: 0, x3: 0, x4: 1))

        // DATA_CREATE measured and unmeasured, DATA_CREATE_UNKNOWN on an EMPTY page.
        let content = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let src = h.freshNS()
        h.machine.fill(src, with: content)
        let d0 = h.delegated(), d1 = h.delegated(), d5 = h.delegated()
        check("data create measured", h.call(.dataCreate, realm.rd, d0, 0x0, src, 1))
        rim = Reference.extendData(rim, ipa: 0, flags: 1, content: content, algorithm: 0)
        check("data create unmeasured", h.call(.dataCreate, realm.rd, d1, 0x1000, src, 0))
        rim = Reference.extendData(rim, ipa: 0x1000, flags: 0, content: content, algorithm: 0)
        check("data create unknown", h.call(.dataCreateUnknown, realm.rd, d5, 0x5000))
        #expect(h.rim(realm) == rim)
        #expect(h.machine.bytes(d0, count: 4096) == content)
        #expect(h.readEntry(realm, 0x0, level: 3) == RMIResult(x0: 0, x1: 3, x2: 1, x3: d0, x4: 1))
        #expect(h.readEntry(realm, 0x5000, level: 3) == RMIResult(x0: 0, x1: 3, x2: 1, x3: d5, x4: 0))
        // The level-3 entry is a VMSAv8-64 stage-2 page descriptor: OA, AF, SH=IS, S2AP=RW,
        // MemAttr=Normal WB (0b1111), type 0b11.
        #expect(h.machine.read64(l3) == d0 | 1 << 10 | 0b11 << 8 | 0b11 << 6 | 0b1111 << 2 | 0b11)
        #expect(h.refcount(l3) == 3)

        // Unprotected mapping at the bottom of the unprotected half.
        let ns = realm.parSize
        h.createTables(realm, ipa: ns, downTo: 3)
        check("unprotected tables")
        let nsPage = h.freshNS()
        let desc = nsPage | 0b101 << 2 | 0b11 << 6
        check("map unprotected", h.call(.rttMapUnprotected, realm.rd, ns, 3, desc))
        #expect(h.readEntry(realm, ns, level: 3) == RMIResult(x0: 0, x1: 3, x2: 1, x3: desc, x4: 0))

        // A REC with its auxiliary granules.
        let (rec, recResult, recParams) = h.createREC(realm)
        check("rec create", recResult)
        rim = Reference.extendREC(rim, recParams, algorithm: 0)
        #expect(h.rim(realm) == rim)
        #expect(h.state(rec) == .rec && recParams.aux.allSatisfy { h.state($0) == .recAux })
        #expect(h.refcount(realm.rd) == 1)
        #expect(h.call(.recAuxCount, realm.rd) == RMIResult(x0: 0, x1: 4))

        // Fold and unfold: a 2 MiB region of 512 DATA granules at IPA 2 MiB.
        let blockIPA: UInt64 = 0x20_0000
        h.createTables(realm, ipa: blockIPA, downTo: 3)
        let blockTable = h.readEntry(realm, blockIPA, level: 2).x3
        for i in 0..<512 {
            let pa = Harness.pool(i)
            #expect(h.call(.granuleDelegate, pa).x0 == 0)
            #expect(h.call(.dataCreateUnknown, realm.rd, pa, blockIPA + UInt64(i) * 4096).x0 == 0)
        }
        check("512 data granules")
        r = h.call(.rttFold, realm.rd, blockIPA, 3)
        check("fold", r)
        #expect(r.x1 == blockTable && h.state(blockTable) == .delegated)
        #expect(h.readEntry(realm, blockIPA, level: 3) == RMIResult(x0: 0, x1: 2, x2: 1, x3: Harness.pool(0), x4: 0))
        let unfolded = h.delegated()
        check("unfold", h.call(.rttCreate, realm.rd, unfolded, blockIPA, 3))
        #expect(h.readEntry(realm, blockIPA + 0x7000, level: 3) == RMIResult(x0: 0, x1: 3, x2: 1, x3: Harness.pool(7), x4: 0))
        #expect(h.refcount(unfolded) == 512)

        check("activate", h.call(.realmActivate, realm.rd))
        check("data create after activate", h.call(.dataCreate, realm.rd, h.delegated(), 0x2000, src, 0), expect: Status.realm(0))

        // Run the REC once: a store to an unmapped unprotected page reaches the host's
        // RmiRecExit as an emulatable data abort (ISS kept to the fields the host may see).
        let run = h.freshNS()
        let mmio = realm.parSize + 0x5000
        h.machine.realmScript = [Step(.synchronous(esr: 0x9340_0046, far: 0xFFFF_0000_0000_1234, hpfar: mmio >> 8))]
        check("rec enter", h.call(.recEnter, rec, run))
        #expect(h.machine.read64(run + 0x800) == 0 && h.machine.read64(run + 0x900) == 0x9140_0046)   // IL dropped
        #expect(h.machine.read64(run + 0x908) == 0x234 && h.machine.read64(run + 0x910) == mmio >> 8)
        #expect(h.machine.runs.first?.state.pc == recParams.pc)

        // Teardown in the specification's order: RECs, DATA, unprotected mappings, RTTs
        // leaf first, the realm, then every granule back to the host.
        check("rec destroy", h.call(.recDestroy, rec))
        for ipa: UInt64 in [0, 0x1000, 0x5000] { check("data destroy", h.call(.dataDestroy, realm.rd, ipa)) }
        for i in 0..<512 { #expect(h.call(.dataDestroy, realm.rd, blockIPA + UInt64(i) * 4096).x0 == 0) }
        check("block data destroyed")
        r = h.call(.rttUnmapUnprotected, realm.rd, ns, 3)
        check("unmap unprotected", r)
        #expect(h.machine.invalidations.contains(.ipa(ns, level: 3, vmid: 1)))
        for (ipa, level) in [(blockIPA, 3), (0, 3), (ns, 3), (0, 2), (ns, 2)] {
            check("rtt destroy \(level)", h.call(.rttDestroy, realm.rd, ipa, UInt64(level)))
        }
        check("realm destroy", h.call(.realmDestroy, realm.rd))
        for i in 0..<1024 where h.state(Harness.pool(i)) == .delegated {
            #expect(h.call(.granuleUndelegate, Harness.pool(i)).x0 == 0)
        }
        check("undelegate all")
        for i in 0..<1024 {
            #expect(h.state(Harness.pool(i)) == .undelegated)
            #expect(h.machine.isZero(Harness.pool(i)))
        }
        #expect(!h.tmm.vmids.isInUse(1))
    }
}
