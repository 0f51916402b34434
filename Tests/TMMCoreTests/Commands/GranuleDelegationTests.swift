// RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE (DEN0137 B4.3.5, B4.3.6) on a TrustZone
// platform: secure-pool granules in place; normal-world granules through a binding
// (NormalWorldDelegationTests).

import Testing
@testable import TMMCore

@Suite struct GranuleDelegationTests {
    @Test func delegateAndUndelegateScrub() {
        let h = Harness()
        let g = Harness.pool(5)
        // Pool granules start UNDELEGATED; whatever the host left there is wiped on delegation.
        #expect(h.state(g) == .undelegated)
        h.machine.fill(g, with: Array(repeating: 0x5A, count: 4096))
        #expect(h.call(.granuleDelegate, g) == RMIResult(x0: 0))
        #expect(h.state(g) == .delegated && h.machine.isZero(g))
        #expect(h.call(.granuleUndelegate, g) == RMIResult(x0: 0))
        #expect(h.state(g) == .undelegated && h.machine.isZero(g))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func everyPoolRangeIsDelegable() {
        let h = Harness()
        for g in [Harness.pool(0), Harness.pool(1023), Harness.poolB(0), Harness.poolB(15)] {
            #expect(h.call(.granuleDelegate, g).x0 == 0, "\(hex(g))")
        }
    }

    @Test func delegateFailureConditions() {
        let h = Harness()
        // gran_align
        #expect(h.call(.granuleDelegate, Harness.pool(1) + 0x800).x0 == Status.input)
        #expect(h.call(.granuleDelegate, Harness.pool(1) + 8).x0 == Status.input)
        // gran_bound: neither pool nor normal-world DRAM - TMM memory, devices, beyond the
        // pool's ends, past the end of DRAM, the top of the address space.
        #expect(h.call(.granuleDelegate, Harness.ns(0) + 0x800).x0 == Status.input)
        for pa: UInt64 in [FakeMachine.tmmMemory.base, 0x0900_0000, Harness.pool(1024),
                           FakeMachine.poolA.base - 4096, Harness.poolB(16), 0, UInt64.max & ~0xFFF,
                           FakeMachine.normalWorld.base + FakeMachine.normalWorld.size] {
            #expect(h.call(.granuleDelegate, pa).x0 == Status.input, "\(hex(pa))")
        }
        // gran_state: already delegated, or in use.
        let g = h.delegated()
        #expect(h.call(.granuleDelegate, g).x0 == Status.input)
        let realm = h.createRealm()
        #expect(h.call(.granuleDelegate, realm.rd).x0 == Status.input)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func undelegateFailureConditions() {
        let h = Harness()
        #expect(h.call(.granuleUndelegate, Harness.pool(2) + 4).x0 == Status.input)   // gran_align
        #expect(h.call(.granuleUndelegate, Harness.ns(3)).x0 == Status.input)         // gran_bound
        #expect(h.call(.granuleUndelegate, Harness.pool(2)).x0 == Status.input)      // gran_state: UNDELEGATED
        let realm = h.createRealm()
        for g in [realm.rd, realm.params.rttBase] {                                  // gran_state: RD, RTT
            #expect(h.call(.granuleUndelegate, g).x0 == Status.input)
        }
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func requiredStorageAndBadConfigurations() {
        var pool = MemoryRanges()
        var ok = pool.append(base: 0x1000_0000, size: 0x10000)
        #expect(ok)
        ok = pool.append(base: 0x1000_0800, size: 0x1000)          // unaligned base
        #expect(!ok)
        ok = pool.append(base: 0x2000_0000, size: 0)               // empty
        #expect(!ok)
        ok = pool.append(base: UInt64.max & ~0xFFF, size: 0x2000)  // wraps
        #expect(!ok)
        ok = pool.append(base: 0x1000_8000, size: 0x10000)         // overlaps the first one
        #expect(ok)
        // 16 + 16 granules, 8-bit VMIDs (8 words): 4 bytes each; then the bindings: one free
        // bitmap word, a name per granule, two index slots per granule, the lock and cursor.
        #expect(TMM<FakeHardware>.requiredStorageBytes(pool: pool, vmidWidth: 8) == 4 * (32 + 8) + 8 + 4 * 32 + 4 * 64 + 8)
        let machine = FakeMachine(storageBytes: 4096)
        let config = TMMConfiguration(securePool: pool, normalWorldMemory: MemoryRanges(),
                                      capabilities: Harness.defaultCapabilities, storage: machine.storage, storageBytes: 4096)
        let refusedTooSmall = TMM(configuration: config, hardware: FakeHardware(machine: machine)) == nil
        #expect(refusedTooSmall)
        var single = MemoryRanges()
        single.append(base: 0x1000_0000, size: 0x10000)
        let small = TMMConfiguration(securePool: single, normalWorldMemory: MemoryRanges(),
                                     capabilities: Harness.defaultCapabilities, storage: machine.storage, storageBytes: 8)
        let refusedSmall = TMM(configuration: small, hardware: FakeHardware(machine: machine)) == nil
        #expect(refusedSmall)
    }

    /// The storage the core needs, with the normal-world bindings (Docs/delegation.md's table):
    /// the default pool, the DRAM pool and a pool of 65536 granules, 16-bit VMIDs; the firmware
    /// reserves TMM_GRANULE_TABLE_BYTES (144 KiB) for up to 8192 granules.
    @Test(arguments: [(3328, 21_504, 61_864), (8192, 40_960, 140_296), (65536, 270_336, 1_064_968)])
    func bindingStorageCost(granules: Int, descriptorsAndVMIDs: Int, total: Int) {
        var pool = MemoryRanges()
        pool.append(base: 0x1_0000_0000, size: UInt64(granules) * 4096)
        #expect(TMM<FakeHardware>.bindingsOffset(pool: pool, vmidWidth: 16) == descriptorsAndVMIDs)
        #expect(TMM<FakeHardware>.requiredStorageBytes(pool: pool, vmidWidth: 16) == total)
        if granules <= 8192 { #expect(total <= 147_456) }
    }
}
