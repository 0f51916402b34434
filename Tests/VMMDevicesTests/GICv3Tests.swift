// EmulatedGICv3 against Arm IHI 0069: identification and control registers, the per-INTID
// register families in GICD and GICR SGI_base, SGI generation from ICC_SGI1R_EL1 values, and
// delivery through list registers (ICH_LR<n>_EL2) across REC entries and exits.

import Testing
import VMMDevices

/// GICD offsets (IHI 0069 12.9) and GICR SGI_base offsets (12.10), as the guest uses them.
private enum D {
    static let ctlr: UInt64 = 0x0, typer: UInt64 = 0x4, iidr: UInt64 = 0x8
    static let igroupr: UInt64 = 0x80, isenabler: UInt64 = 0x100, icenabler: UInt64 = 0x180
    static let ispendr: UInt64 = 0x200, icpendr: UInt64 = 0x280
    static let isactiver: UInt64 = 0x300, icactiver: UInt64 = 0x380
    static let ipriorityr: UInt64 = 0x400, icfgr: UInt64 = 0xC00, irouter: UInt64 = 0x6000
    static let pidr2: UInt64 = 0xFFE8
    static let sgiBase: UInt64 = 0x1_0000, stride: UInt64 = 0x2_0000
    static let gicrTyper: UInt64 = 0x8, gicrWaker: UInt64 = 0x14
}

/// A GIC with Group 1 enabled in the distributor and the given interrupts enabled, Group 1,
/// priority `priority` (SPIs routed to vCPU 0).
private func readyGIC(vcpus: Int = 2) -> EmulatedGICv3 {
    var gic = EmulatedGICv3(vcpuCount: vcpus)
    gic.writeDistributor(offset: D.ctlr, size: 4, value: 0b10)
    for v in 0..<vcpus {
        let sgi = UInt64(v) * D.stride + D.sgiBase
        gic.writeRedistributor(offset: UInt64(v) * D.stride + D.gicrWaker, size: 4, value: 0)
        gic.writeRedistributor(offset: sgi + D.igroupr, size: 4, value: 0xFFFF_FFFF)
    }
    gic.writeDistributor(offset: D.igroupr + 4, size: 4, value: 0xFFFF_FFFF)
    gic.writeDistributor(offset: D.igroupr + 8, size: 4, value: 0xFFFF_FFFF)
    return gic
}

private func enable(_ gic: inout EmulatedGICv3, _ intid: Int, vcpu: Int = 0, priority: UInt8 = 0xA0) {
    if intid < 32 {
        let sgi = UInt64(vcpu) * D.stride + D.sgiBase
        gic.writeRedistributor(offset: sgi + D.isenabler, size: 4, value: 1 << UInt64(intid))
        gic.writeRedistributor(offset: sgi + D.ipriorityr + UInt64(intid), size: 1, value: UInt64(priority))
    } else {
        gic.writeDistributor(offset: D.isenabler + UInt64(intid / 32) * 4, size: 4, value: 1 << UInt64(intid % 32))
        gic.writeDistributor(offset: D.ipriorityr + UInt64(intid), size: 1, value: UInt64(priority))
    }
}

private func state(_ lr: UInt64) -> UInt64 { lr >> 62 }
private func vintid(_ lr: UInt64) -> Int { Int(lr & 0xFFFF_FFFF) }

@Suite struct GICv3RegisterTests {
    @Test func identification() {
        var gic = EmulatedGICv3(vcpuCount: 3)
        let typer = gic.readDistributor(offset: D.typer, size: 4)
        #expect(typer & 0x1F == 2)              // ITLinesNumber: 96 INTIDs
        #expect(typer >> 19 & 0x1F == 15)       // IDbits
        #expect(typer >> 17 & 1 == 0)           // LPIS
        #expect(typer >> 25 & 1 == 1)           // No1N
        #expect(gic.readDistributor(offset: D.pidr2, size: 4) >> 4 & 0xF == 3)
        #expect(gic.readDistributor(offset: D.iidr, size: 4) & 0xFFF == 0x43B)
        for v in 0..<3 {
            let rd = UInt64(v) * D.stride
            let t = gic.readRedistributor(offset: rd + D.gicrTyper, size: 8)
            #expect(t >> 32 == UInt64(v))               // Affinity_Value: Aff0 = vCPU
            #expect(t >> 8 & 0xFFFF == UInt64(v))       // Processor_Number
            #expect(t >> 4 & 1 == (v == 2 ? 1 : 0))     // Last
            #expect(gic.readRedistributor(offset: rd + D.gicrTyper + 4, size: 4) == t >> 32)
            #expect(gic.readRedistributor(offset: rd + D.pidr2, size: 4) >> 4 & 0xF == 3)
        }
        // No fourth redistributor.
        #expect(gic.readRedistributor(offset: 3 * D.stride + D.gicrTyper, size: 8) == 0)
    }

    @Test func controlRegisterKeepsAffinityRoutingAndNeverWaits() {
        var gic = EmulatedGICv3(vcpuCount: 1)
        #expect(gic.readDistributor(offset: D.ctlr, size: 4) == 1 << 4 | 1 << 6)
        gic.writeDistributor(offset: D.ctlr, size: 4, value: 0xFFFF_FFFF)
        // EnableGrp0, EnableGrp1, ARE and DS; RWP [31] reads 0.
        #expect(gic.readDistributor(offset: D.ctlr, size: 4) == 0b101_0011)
        gic.writeDistributor(offset: D.ctlr, size: 4, value: 0)
        #expect(gic.readDistributor(offset: D.ctlr, size: 4) == 1 << 4 | 1 << 6)
    }

    @Test func wakerChildrenAsleepFollowsProcessorSleep() {
        var gic = EmulatedGICv3(vcpuCount: 2)
        #expect(gic.readRedistributor(offset: D.stride + D.gicrWaker, size: 4) == 0b110)
        gic.writeRedistributor(offset: D.stride + D.gicrWaker, size: 4, value: 0)
        #expect(gic.readRedistributor(offset: D.stride + D.gicrWaker, size: 4) == 0)
        #expect(gic.readRedistributor(offset: D.gicrWaker, size: 4) == 0b110)
    }

    @Test func setAndClearRegisterPairs() {
        var gic = EmulatedGICv3(vcpuCount: 1)
        for (set, clear) in [(D.isenabler, D.icenabler), (D.ispendr, D.icpendr), (D.isactiver, D.icactiver)] {
            gic.writeDistributor(offset: set + 4, size: 4, value: 0x8000_0001)
            gic.writeDistributor(offset: set + 4, size: 4, value: 0x10)
            #expect(gic.readDistributor(offset: set + 4, size: 4) == 0x8000_0011)
            #expect(gic.readDistributor(offset: clear + 4, size: 4) == 0x8000_0011)
            gic.writeDistributor(offset: clear + 4, size: 4, value: 0x1)
            #expect(gic.readDistributor(offset: set + 4, size: 4) == 0x8000_0010)
            // The same registers of the redistributor are separate state.
            gic.writeRedistributor(offset: D.sgiBase + set, size: 4, value: 0x4)
            #expect(gic.readRedistributor(offset: D.sgiBase + clear, size: 4) == 0x4)
            #expect(gic.readDistributor(offset: set + 4, size: 4) == 0x8000_0010)
        }
    }

    @Test func distributorCopiesOfPrivateInterruptsAreRAZWI() {
        var gic = EmulatedGICv3(vcpuCount: 1)
        for base in [D.igroupr, D.isenabler, D.ispendr, D.isactiver] {
            gic.writeDistributor(offset: base, size: 4, value: 0xFFFF_FFFF)
            #expect(gic.readDistributor(offset: base, size: 4) == 0)
        }
        gic.writeDistributor(offset: D.ipriorityr, size: 4, value: 0xFFFF_FFFF)
        #expect(gic.readDistributor(offset: D.ipriorityr, size: 4) == 0)
        gic.writeDistributor(offset: D.icfgr + 4, size: 4, value: 0xFFFF_FFFF)
        #expect(gic.readDistributor(offset: D.icfgr + 4, size: 4) == 0)
        // INTIDs beyond 95 are not implemented.
        gic.writeDistributor(offset: D.isenabler + 12, size: 4, value: 0xFFFF_FFFF)
        #expect(gic.readDistributor(offset: D.isenabler + 12, size: 4) == 0)
        #expect(gic.readRedistributor(offset: D.sgiBase + D.isenabler + 4, size: 4) == 0)
    }

    @Test func priorityBytesAndWords() {
        var gic = EmulatedGICv3(vcpuCount: 1)
        gic.writeDistributor(offset: D.ipriorityr + 40, size: 4, value: 0x4433_2211)
        gic.writeDistributor(offset: D.ipriorityr + 41, size: 1, value: 0xEE)
        #expect(gic.readDistributor(offset: D.ipriorityr + 40, size: 4) == 0x4433_EE11)
        #expect(gic.readDistributor(offset: D.ipriorityr + 43, size: 1) == 0x44)
        // A misaligned word access is not a register access.
        gic.writeDistributor(offset: D.ipriorityr + 41, size: 4, value: 0xFFFF_FFFF)
        #expect(gic.readDistributor(offset: D.ipriorityr + 41, size: 4) == 0)
        #expect(gic.readDistributor(offset: D.ipriorityr + 40, size: 4) == 0x4433_EE11)
        gic.writeRedistributor(offset: D.sgiBase + D.ipriorityr + 27, size: 1, value: 0x80)
        #expect(gic.readRedistributor(offset: D.sgiBase + D.ipriorityr + 24, size: 4) == 0x8000_0000)
    }

    @Test func configuration() {
        var gic = EmulatedGICv3(vcpuCount: 1)
        // SGIs edge (Int_config 0b10 each) and read-only; PPIs and SPIs level at reset.
        #expect(gic.readRedistributor(offset: D.sgiBase + D.icfgr, size: 4) == 0xAAAA_AAAA)
        gic.writeRedistributor(offset: D.sgiBase + D.icfgr, size: 4, value: 0)
        #expect(gic.readRedistributor(offset: D.sgiBase + D.icfgr, size: 4) == 0xAAAA_AAAA)
        #expect(gic.readRedistributor(offset: D.sgiBase + D.icfgr + 4, size: 4) == 0)
        gic.writeDistributor(offset: D.icfgr + 8, size: 4, value: 0xFFFF_FFFF)
        // Only Int_config[1] of each field is kept.
        #expect(gic.readDistributor(offset: D.icfgr + 8, size: 4) == 0xAAAA_AAAA)
    }

    @Test func routers() {
        var gic = EmulatedGICv3(vcpuCount: 2)
        let router40 = D.irouter + 8 * 40
        gic.writeDistributor(offset: router40, size: 8, value: 0xFFFF_FFFF_FFFF_FFFF)
        // Aff3 [39:32] and Aff2-Aff0 [23:0]; IRM [31] RAZ/WI (No1N).
        #expect(gic.readDistributor(offset: router40, size: 8) == 0xFF_00FF_FFFF)
        gic.writeDistributor(offset: router40, size: 4, value: 0x1)
        #expect(gic.readDistributor(offset: router40, size: 8) == 0xFF_0000_0001)
        #expect(gic.readDistributor(offset: router40 + 4, size: 4) == 0xFF)
        // SGIs and PPIs have no routers.
        gic.writeDistributor(offset: D.irouter + 8 * 5, size: 8, value: 1)
        #expect(gic.readDistributor(offset: D.irouter + 8 * 5, size: 8) == 0)
    }

    @Test func hostileAccessesAreHarmless() {
        var gic = readyGIC(vcpus: 4)
        enable(&gic, 33)
        var rng = SystemRandomNumberGenerator()
        let sizes = [0, 1, 2, 3, 4, 5, 8, 16, -1, Int.max, Int.min]
        for _ in 0..<20_000 {
            let offset: UInt64 = Bool.random() ? UInt64.random(in: 0..<0x1_0000, using: &rng) & ~3 : rng.next()
            let size = sizes.randomElement()!
            let value: UInt64 = rng.next()
            _ = gic.readDistributor(offset: offset, size: size)
            _ = gic.readRedistributor(offset: offset, size: size)
            gic.writeDistributor(offset: offset, size: size, value: value)
            gic.writeRedistributor(offset: offset & 0xF_FFFF, size: size, value: value)
        }
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        for v in 0..<4 {
            gic.fillListRegisters(vcpu: v, &lrs, count: 16)
            for i in 0..<16 where state(lrs[i]) != 0 {
                #expect(vintid(lrs[i]) < 96)
                #expect(lrs[i] >> 48 & 0x7 == 0)  // only implemented priority bits
                #expect(lrs[i] >> 61 & 1 == 0)    // HW = 0
                for j in (i + 1)..<16 where state(lrs[j]) != 0 { #expect(vintid(lrs[j]) != vintid(lrs[i])) }
            }
        }
        // vCPU indices out of range are ignored too.
        gic.fillListRegisters(vcpu: 7, &lrs, count: 16)
        gic.syncListRegisters(vcpu: -1, lrs, count: 99)
        #expect(!gic.hasPendingInterrupt(vcpu: 9))
    }
}

@Suite struct GICv3DeliveryTests {
    @Test func sgiTargets() {
        var gic = EmulatedGICv3(vcpuCount: 4)
        // TargetList 0b1010, INTID 5, Aff1-3 0, RS 0: vCPUs 1 and 3.
        #expect(gic.sendSGI(from: 0, icc_sgi1r: 5 << 24 | 0b1010) == 0b1010)
        #expect(gic.readRedistributor(offset: D.stride + D.sgiBase + D.ispendr, size: 4) == 1 << 5)
        #expect(gic.readRedistributor(offset: D.sgiBase + D.ispendr, size: 4) == 0)
        // Aff1 = 1 names no vCPU; RS = 1 covers Aff0 16-31: none either.
        #expect(gic.sendSGI(from: 0, icc_sgi1r: 1 << 24 | 1 << 16 | 0xF) == 0)
        #expect(gic.sendSGI(from: 0, icc_sgi1r: 1 << 24 | 1 << 44 | 0xF) == 0)
        // IRM: all but the sender, whatever the target list says.
        #expect(gic.sendSGI(from: 2, icc_sgi1r: 1 << 40 | 3 << 24) == 0b1011)
        #expect(gic.readRedistributor(offset: 2 * D.stride + D.sgiBase + D.ispendr, size: 4) == 0)
        #expect(gic.readRedistributor(offset: 3 * D.stride + D.sgiBase + D.ispendr, size: 4) == 1 << 5 | 1 << 3)
    }

    @Test func highestPriorityFirstIntoTheFreeListRegisters() {
        var gic = readyGIC()
        enable(&gic, 3, priority: 0x80)
        enable(&gic, 27, priority: 0x20)
        enable(&gic, 40, priority: 0x40)
        enable(&gic, 41, priority: 0x40)
        gic.sendSGI(from: 1, icc_sgi1r: 3 << 24 | 1)
        gic.setLine(intid: 27, vcpu: 0, high: true)
        gic.raise(intid: 40)
        gic.raise(intid: 41)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 2)
        // Pending, Group 1, priority, vINTID; the other list registers stay empty.
        #expect(lrs[0] == 1 << 62 | 1 << 60 | 0x20 << 48 | 27)
        #expect(lrs[1] == 1 << 62 | 1 << 60 | 0x40 << 48 | 40)
        for i in 2..<16 { #expect(lrs[i] == 0) }
        #expect(gic.hasPendingInterrupt(vcpu: 0))
        #expect(!gic.hasPendingInterrupt(vcpu: 1))
    }

    @Test func edgeInterruptAcknowledgedThenDeactivated() {
        var gic = readyGIC()
        enable(&gic, 40)
        gic.raise(intid: 40)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 40 && state(lrs[0]) == 1)
        // The realm acknowledged it: active.
        lrs[0] = lrs[0] & ~(3 << 62) | 2 << 62
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        #expect(gic.readDistributor(offset: D.isactiver + 4, size: 4) == 1 << 8)
        #expect(gic.readDistributor(offset: D.ispendr + 4, size: 4) == 0)
        #expect(!gic.hasPendingInterrupt(vcpu: 0))
        // A new edge while active: pending and active in the same list register.
        gic.raise(intid: 40)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 40 && state(lrs[0]) == 3)
        for i in 1..<16 { #expect(lrs[i] == 0) }
        // Deactivated, and the second edge acknowledged and deactivated too.
        lrs[0] = 0
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        #expect(gic.readDistributor(offset: D.isactiver + 4, size: 4) == 0)
        #expect(gic.readDistributor(offset: D.ispendr + 4, size: 4) == 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        for i in 0..<16 { #expect(lrs[i] == 0) }
    }

    @Test func levelInterruptRepeatsWhileTheLineIsHigh() {
        var gic = readyGIC()
        enable(&gic, 33)
        gic.setLine(intid: 33, high: true)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 33 && state(lrs[0]) == 1)
        lrs[0] = lrs[0] & ~(3 << 62) | 2 << 62
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        // Still asserted: pending and active.
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(state(lrs[0]) == 3)
        // The handler cleared the source (line low) before deactivating: active only.
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        gic.setLine(intid: 33, high: false)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(state(lrs[0]) == 2)
        lrs[0] = 0
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        // Deactivated with the line still high: taken again.
        gic.setLine(intid: 33, high: true)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        lrs[0] = 0
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 33 && state(lrs[0]) == 1)
    }

    @Test func levelInterruptWithdrawnWhenTheLineFallsBeforeAcknowledge() {
        var gic = readyGIC()
        enable(&gic, 27)
        gic.setLine(intid: 27, vcpu: 0, high: true)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 1)
        #expect(vintid(lrs[0]) == 27)
        gic.syncListRegisters(vcpu: 0, lrs, count: 1)   // not acknowledged
        gic.setLine(intid: 27, vcpu: 0, high: false)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 1)
        #expect(lrs[0] == 0)
        #expect(!gic.hasPendingInterrupt(vcpu: 0))
    }

    @Test func disabledOrGroup0OrDistributorOffIsNotDelivered() {
        var gic = readyGIC()
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.raise(intid: 50)   // not enabled
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        enable(&gic, 50)
        gic.writeDistributor(offset: D.igroupr + 4, size: 4, value: 0)   // Group 0
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        gic.writeDistributor(offset: D.igroupr + 4, size: 4, value: 0xFFFF_FFFF)
        gic.writeDistributor(offset: D.ctlr, size: 4, value: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        gic.writeDistributor(offset: D.ctlr, size: 4, value: 2)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 50)
        // Cleared pending before the realm took it: withdrawn.
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        gic.writeDistributor(offset: D.icpendr + 4, size: 4, value: 1 << 18)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
    }

    @Test func spiGoesToTheRoutedVCPUOnly() {
        var gic = readyGIC(vcpus: 2)
        enable(&gic, 60)
        gic.writeDistributor(offset: D.irouter + 8 * 60, size: 8, value: 1)   // Aff0 = 1
        gic.raise(intid: 60)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        #expect(!gic.hasPendingInterrupt(vcpu: 0))
        #expect(gic.hasPendingInterrupt(vcpu: 1))
        gic.fillListRegisters(vcpu: 1, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 60)
        // Routed to an affinity no vCPU has: delivered nowhere.
        gic.syncListRegisters(vcpu: 1, lrs, count: 4)
        gic.writeDistributor(offset: D.icpendr + 4, size: 4, value: 1 << 28)
        gic.fillListRegisters(vcpu: 1, &lrs, count: 4)
        gic.writeDistributor(offset: D.irouter + 8 * 60, size: 8, value: 1 << 8)
        gic.raise(intid: 60)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        gic.fillListRegisters(vcpu: 1, &lrs, count: 4)
        #expect(lrs[0] == 0)
    }

    @Test func reroutedSPIStaysInItsListRegisterUntilDeactivated() {
        var gic = readyGIC(vcpus: 2)
        enable(&gic, 70)
        gic.raise(intid: 70)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 70)
        lrs[0] = lrs[0] & ~(3 << 62) | 2 << 62
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        gic.writeDistributor(offset: D.irouter + 8 * 70, size: 8, value: 1)
        gic.raise(intid: 70)
        // Not a second copy in vCPU 1's list registers while vCPU 0 holds it.
        #expect(gic.hasPendingInterrupt(vcpu: 0))
        #expect(!gic.hasPendingInterrupt(vcpu: 1))
        var other = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 1, &other, count: 4)
        #expect(other[0] == 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(vintid(lrs[0]) == 70 && state(lrs[0]) == 3)
        #expect(lrs[1] == 0)
        // Deactivated on vCPU 0 with the new edge still pending there.
        lrs[0] = lrs[0] & ~(3 << 62) | 1 << 62
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        lrs[0] = 0
        gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] == 0)
        gic.fillListRegisters(vcpu: 1, &other, count: 4)
        #expect(vintid(other[0]) == 70 && state(other[0]) == 1)
    }

    @Test func moreInterruptsThanListRegisters() {
        var gic = readyGIC()
        for intid in 32..<40 { enable(&gic, intid, priority: UInt8(0x80 - 8 * (intid - 32))); gic.raise(intid: intid) }
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        var seen: [Int] = []
        // One list register: each entry offers the most urgent one left.
        for _ in 0..<8 {
            gic.fillListRegisters(vcpu: 0, &lrs, count: 1)
            seen.append(vintid(lrs[0]))
            lrs[0] = 0   // acknowledged, handled and deactivated during the run
            gic.syncListRegisters(vcpu: 0, lrs, count: 1)
        }
        #expect(seen == [39, 38, 37, 36, 35, 34, 33, 32])
        #expect(!gic.hasPendingInterrupt(vcpu: 0))
    }

    @Test func priorityMaskHoldsBackAWakeUp() {
        var gic = readyGIC()
        enable(&gic, 45, priority: 0xA7)
        gic.raise(intid: 45)
        #expect(gic.hasPendingInterrupt(vcpu: 0))
        #expect(gic.hasPendingInterrupt(vcpu: 0, priorityMask: 0xA8))
        #expect(!gic.hasPendingInterrupt(vcpu: 0, priorityMask: 0xA0))
        #expect(!gic.hasPendingInterrupt(vcpu: 0, priorityMask: 0))
    }

    @Test func listRegisterPriorityKeepsImplementedBitsOnly() {
        var gic = readyGIC()
        enable(&gic, 45, priority: 0xA7)
        gic.raise(intid: 45)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] >> 48 & 0xFF == 0xA0)
    }
}
