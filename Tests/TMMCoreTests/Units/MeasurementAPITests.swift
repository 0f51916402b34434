// The public measurement API a host tool uses to predict a realm's RIM offline, and REM
// extension, against the reference formulas.

import Testing
@testable import TMMCore

@Suite struct MeasurementAPITests {
    @Test func offlineRIMMatchesTheTMM() {
        let h = Harness()
        let realm = h.createRealm { $0.hashAlgorithm = 1 }
        h.createTables(realm, ipa: 0, downTo: 3)
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x2000).x0 == 0)
        let src = h.freshNS()
        let page = (0..<4096).map { UInt8(truncatingIfNeeded: $0 ^ 0x5A) }
        h.machine.fill(src, with: page)
        #expect(h.call(.dataCreate, realm.rd, h.delegated(), 0x1000, src, 1).x0 == 0)
        let (_, r, recParams) = h.createREC(realm)
        #expect(r.x0 == 0)

        // The same construction replayed with the public API only.
        let p = realm.params
        var rim = RealmInitialMeasurement(algorithm: .sha512, parameters: MeasuredRealmParameters(
            flags: p.flags, s2sz: p.s2sz, sveVL: p.sveVL, numBPs: p.numBPs, numWPs: p.numWPs,
            pmuNumCounters: p.pmuNumCounters, hashAlgorithm: p.hashAlgorithm))
        rim.extendRIPAS(base: 0, top: 0x1000)
        rim.extendRIPAS(base: 0x1000, top: 0x2000)
        page.withUnsafeBytes { rim.extendData(ipa: 0x1000, flags: 1, content: $0) }
        var gprs = InlineArray<8, UInt64>(repeating: 0)
        for i in 0..<8 { gprs[i] = recParams.gprs[i] }
        rim.extendREC(MeasuredRECParameters(flags: recParams.flags, pc: recParams.pc, gprs: gprs))
        let bytes = (0..<64).map { rim.value.bytes[$0] }
        #expect(bytes == h.rim(realm))
    }

    @Test func descriptorLayout() {
        var rim = MeasurementValue()
        for i in 0..<64 { rim.bytes[i] = UInt8(i) }
        let d = MeasurementDescriptor.ripas(rim: rim, base: 0x1122, top: 0x3344)
        let bytes = (0..<256).map { d.bytes[$0] }
        #expect(bytes[0] == 2 && bytes[8] == 0 && bytes[9] == 1)          // type 2, len 0x100
        #expect(Array(bytes[0x10..<0x50]) == (0..<64).map { UInt8($0) })
        #expect(bytes[0x50] == 0x22 && bytes[0x51] == 0x11 && bytes[0x58] == 0x44 && bytes[0x59] == 0x33)
        #expect(bytes[0x60...].allSatisfy { $0 == 0 })
    }

    @Test func remExtension() {
        // REM = H(REM[0..<digest] || value[0..<size]).
        var rem = MeasurementValue()
        var value = MeasurementValue()
        for i in 0..<64 { value.bytes[i] = UInt8(0xA0 + i % 16) }
        for algorithm: UInt8 in [0, 1] {
            let alg = MeasurementAlgorithm(rawValue: algorithm)!
            for size in [0, 1, 32, 64] {
                let next = extendedRealmMeasurement(rem, algorithm: alg, data: value, size: size)!
                let input = (0..<alg.digestSize).map { rem.bytes[$0] } + (0..<size).map { value.bytes[$0] }
                #expect((0..<64).map { next.bytes[$0] } == Reference.hash(input, algorithm: algorithm))
                rem = next
            }
            #expect(extendedRealmMeasurement(rem, algorithm: alg, data: value, size: 65) == nil)
        }
    }

    @Test func rdHoldsREMs() {
        var rd = RealmDescriptor(state: .new, hashAlgorithm: .sha256, ipaWidth: 40, startLevel: 1, rootTableCount: 2,
                                 vmid: 1, rttBase: 0, recCount: 0, flags: 0, sveVL: 0, pmuCounters: 0, breakpoints: 0,
                                 watchpoints: 0, measurements: InlineArray(repeating: MeasurementValue()),
                                 rpv: InlineArray(repeating: 0))
        var value = MeasurementValue()
        value.bytes[0] = 1
        var ok = rd.extendREM(slot: 2, value: value, size: 1)
        #expect(ok)
        ok = rd.extendREM(slot: 0, value: value, size: 1)   // the RIM is not a REM
        #expect(!ok)
        ok = rd.extendREM(slot: 5, value: value, size: 1)
        #expect(!ok)
        #expect((0..<64).map { rd.measurement(slot: 2)!.bytes[$0] } == Reference.hash([UInt8](repeating: 0, count: 32) + [1], algorithm: 0))
        #expect(rd.measurement(slot: 1) == MeasurementValue())
        #expect(rd.measurement(slot: 5) == nil)
    }
}
