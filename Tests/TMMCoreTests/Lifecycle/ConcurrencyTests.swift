// Several host threads calling one TMM at once, as the firmware's CPUs will: granule locks
// and the VMID bitmap must keep every command atomic. Only commands that do not touch the
// fake TLB recorder are used, so the fake itself needs no locking.

import Dispatch
import Testing
@testable import TMMCore

private struct Shared: @unchecked Sendable {
    let h: Harness
}

@Suite struct ConcurrencyTests {
    @Test func racingCommandsKeepTheInvariants() {
        let h = Harness(poolAGranules: 64)
        let shared = Shared(h: h)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let h = shared.h
            var rng = SplitMix64(seed: UInt64(worker) &* 0x9E37)
            let params = Harness.ns(100 + worker)
            for _ in 0..<1500 {
                let g = Harness.pool(rng.below(64))
                switch rng.below(6) {
                case 0: _ = h.call(.granuleDelegate, g)
                case 1: _ = h.call(.granuleUndelegate, g)
                case 2:
                    // A realm with one level-2 starting table (s2sz 32), any VMID 1...4.
                    var p = RealmParams()
                    p.s2sz = 32
                    p.rttLevelStart = 2
                    p.rttNumStart = 4
                    p.rttBase = Harness.pool(rng.below(60))
                    p.vmid = UInt64(rng.below(4) + 1)
                    h.writeRealmParams(p, at: params)
                    _ = h.call(.realmCreate, g, params)
                case 3: _ = h.call(.rttCreate, Harness.pool(rng.below(64)), g, UInt64(rng.below(4)) << 21, 3)
                case 4: _ = h.call(.dataCreateUnknown, Harness.pool(rng.below(64)), g, UInt64(rng.below(8)) << 12)
                default: _ = h.call(.rttReadEntry, Harness.pool(rng.below(64)), UInt64(rng.below(8)) << 12, 3)
                }
            }
        }
        #expect(h.checkInvariants().isEmpty)
    }

    /// The same races with normal-world pages: bindings made, moved (REALM_CREATE's starting
    /// tables) and removed on several CPUs at once, over a pool small enough to run out.
    @Test func racingDelegationsOfHostPagesKeepTheInvariants() {
        let h = Harness(poolAGranules: 32)
        let shared = Shared(h: h)
        @Sendable func name(_ rng: inout SplitMix64) -> UInt64 {
            rng.chance(25) ? Harness.pool(rng.below(32)) : Harness.ns(300 + rng.below(40))
        }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let h = shared.h
            var rng = SplitMix64(seed: UInt64(worker) &* 0x51_7CC1 &+ 5)
            let params = Harness.ns(100 + worker)
            for _ in 0..<1500 {
                let g = name(&rng)
                switch rng.below(6) {
                case 0, 1: _ = h.call(.granuleDelegate, g)
                case 2: _ = h.call(.granuleUndelegate, g)
                case 3:
                    var p = RealmParams()
                    p.s2sz = 32
                    p.rttLevelStart = 2
                    p.rttNumStart = 4
                    p.rttBase = Harness.ns(300 + 4 * rng.below(10))
                    p.vmid = UInt64(rng.below(4) + 1)
                    h.writeRealmParams(p, at: params)
                    _ = h.call(.realmCreate, g, params)
                case 4: _ = h.call(.rttCreate, name(&rng), g, UInt64(rng.below(4)) << 21, 3)
                default: _ = h.call(.dataCreateUnknown, name(&rng), g, UInt64(rng.below(8)) << 12)
                }
            }
        }
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func onePageDelegatedOnce() {
        // Eight threads delegate the same host page: one binds it, the others get
        // RMI_ERROR_INPUT and return the pool granules they had claimed.
        let h = Harness(poolAGranules: 64)
        let shared = Shared(h: h)
        let results = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 8)
        defer { results.deallocate() }
        let out = SharedResults(p: results)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            out.p[i] = shared.h.call(.granuleDelegate, Harness.ns(500)).x0
        }
        #expect(results.filter { $0 == 0 }.count == 1)
        #expect(h.tmm.bindings.boundCount() == 1)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func oneVMIDForOneRealm() {
        // Eight threads race to create realms that all ask for VMID 3: exactly one wins.
        let h = Harness(poolAGranules: 64)
        let shared = Shared(h: h)
        var calls: [(UInt64, UInt64)] = []
        for i in 0..<8 {
            let base = Harness.pool(i * 5)
            for j in 0..<5 { #expect(h.call(.granuleDelegate, base + UInt64(j) * 4096).x0 == 0) }
            var p = RealmParams()
            p.s2sz = 32
            p.rttLevelStart = 2
            p.rttNumStart = 4
            p.rttBase = base + 4096
            p.vmid = 3
            h.writeRealmParams(p, at: Harness.ns(200 + i))
            calls.append((base, Harness.ns(200 + i)))
        }
        let results = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 8)
        defer { results.deallocate() }
        let out = SharedResults(p: results)
        let c = calls
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            out.p[i] = shared.h.call(.realmCreate, c[i].0, c[i].1).x0
        }
        #expect(results.filter { $0 == 0 }.count == 1)
        #expect(results.filter { $0 == Status.input }.count == 7)
        #expect(h.checkInvariants().isEmpty)
    }
}

private struct SharedResults: @unchecked Sendable {
    let p: UnsafeMutableBufferPointer<UInt64>
}
