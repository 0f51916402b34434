// RMI_REC_ENTER (DEN0137 B4.3.12): its checks, what reaches the REC-entry hook, and the
// RmiRecExit record the host gets back.

import Testing
@testable import TMMCore

@Suite struct RECEnterTests {
    func activeRealmWithREC(_ configure: (inout RECParams) -> Void = { _ in }) -> (Harness, TestRealm, UInt64, RECParams) {
        let h = Harness()
        let realm = h.createRealm { $0.vmid = 7 }
        let (rec, r, p) = h.createREC(realm, configure)
        #expect(r.x0 == 0)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        return (h, realm, rec, p)
    }

    @Test func runsTheRECAndReportsTheExit() {
        let (h, realm, rec, p) = activeRealmWithREC()
        let run = h.freshNS()
        h.machine.fill(run, with: Array(repeating: 0xFF, count: 4096))  // stale host data
        h.machine.write64(run, 1 << 2)                                    // TRAP_WFI
        for i in 0..<31 { h.machine.write64(run + 0x200 + UInt64(i) * 8, 0) }
        h.machine.write64(run + 0x300, 0)
        for i in 0..<16 { h.machine.write64(run + 0x308 + UInt64(i) * 8, 0) }
        h.machine.scriptedExits = [.sync(esr: 0x5A00_0000, far: 0, hpfar: 0)]
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: 0))
        let e = h.machine.entries.last!
        #expect(e.context.pc == p.pc)
        #expect((0..<8).allSatisfy { e.context.gprs[$0] == p.gprs[$0] })
        #expect(e.realm.vmid == 7 && e.realm.rttBase.value == realm.params.rttBase && e.realm.ipaWidth == 40)
        #expect(e.realm.startLevel == 1 && e.realm.recIndex == 0)
        #expect(e.entry.flags == 1 << 2)
        // RmiRecExit at 0x800: reason SYNC, ESR; everything else zero (no stale host data).
        #expect(h.machine.read64(run + 0x800) == 0)
        #expect(h.machine.read64(run + 0x900) == 0x5A00_0000)
        #expect(h.machine.bytes(run + 0x918, count: 0x800 - 0x118).allSatisfy { $0 == 0 })
        #expect(h.checkInvariants().isEmpty)
    }

    @Test(arguments: [
        (RECExit.irq, UInt64(1)), (.fiq, 2), (.serror(esr: 0xBE00_0000), 6), (.hostCall(immediate: 0x77), 5),
    ])
    func exitReasons(exit: RECExit, reason: UInt64) {
        let (h, _, rec, _) = activeRealmWithREC()
        let run = h.freshNS()
        h.machine.scriptedExits = [exit]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        #expect(h.machine.read64(run + 0x800) == reason)
        if case .hostCall = exit { #expect(h.machine.read64(run + 0xE00) == 0x77) }
        if case .serror = exit { #expect(h.machine.read64(run + 0x900) == 0xBE00_0000) }
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        let (rec, _, _) = h.createREC(realm)
        let (sleeper, _, _) = h.createREC(realm) { $0.mpidr = 1; $0.flags = 0 }
        let run = h.freshNS()
        // run_align, run_bound, run_pas
        for bad in [run + 8, Harness.pool(600), FakeMachine.tmmMemory.base, 0x9000_0000] {
            #expect(h.call(.recEnter, rec, bad) == RMIResult(x0: Status.input))
        }
        // rec_align, rec_bound, rec_gran_state
        for bad in [rec + 8, Harness.ns(9), realm.rd, h.delegated()] {
            #expect(h.call(.recEnter, bad, run) == RMIResult(x0: Status.input))
        }
        // realm_new, and it comes before the REC's own state
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.realm(0)))
        #expect(h.call(.recEnter, sleeper, run) == RMIResult(x0: Status.realm(0)))
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        // rec_runnable
        #expect(h.call(.recEnter, sleeper, run) == RMIResult(x0: Status.rec))
        // A faulting run buffer.
        h.machine.faultingNormalWorld.insert(run)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.input))
        h.machine.faultingNormalWorld.removeAll()
        #expect(h.machine.entries.isEmpty)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func gicStateChecks() {
        let (h, _, rec, _) = activeRealmWithREC()
        let run = h.freshNS()
        // gicv3_hcr: En (bit 0) and the trap bits belong to the TMM.
        h.machine.write64(run + 0x300, 1)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        h.machine.write64(run + 0x300, 1 << 10)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        h.machine.write64(run + 0x300, 0xFE | 1 << 14)
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        // List registers beyond the 4 implemented must be zero.
        h.machine.write64(run + 0x308 + 4 * 8, 1 << 62 | 27)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        h.machine.write64(run + 0x308 + 4 * 8, 0)
        // A pending special INTID.
        h.machine.write64(run + 0x308, 1 << 62 | 1023)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        h.machine.write64(run + 0x308, 1 << 62 | 27)
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        #expect(h.machine.entries.last!.entry.gicv3ListRegisters[0] == 1 << 62 | 27)
    }

    /// ESR_EL2 of an emulatable data abort: EC 0x24, ISV, SAS, SSE, SRT, SF, WnR.
    func dataAbort(srt: UInt64, sas: UInt64, sse: Bool = false, sf: Bool = true, write: Bool = false) -> UInt64 {
        0x24 << 26 | 1 << 25 | 1 << 24 | sas << 22 | (sse ? 1 << 21 : 0) | srt << 16 | (sf ? 1 << 15 : 0) | (write ? 1 << 6 : 0)
    }

    @Test func emulatedMMIORead() {
        let (h, realm, rec, p) = activeRealmWithREC()
        let run = h.freshNS()
        let mmio = realm.parSize + 0x1000
        h.machine.scriptedExits = [.sync(esr: dataAbort(srt: 5, sas: 2), far: 0, hpfar: mmio >> 8)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        h.machine.write64(run, 1)                      // EMUL_MMIO
        h.machine.write64(run + 0x200, 0x1_2345_6789)  // gprs[0]: the value read
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        let c = h.machine.entries.last!.context
        #expect(c.gprs[5] == 0x2345_6789)              // 4-byte access
        #expect(c.pc == p.pc + 4)
        // Sign-extended byte load into a 64-bit register.
        h.machine.scriptedExits = [.sync(esr: dataAbort(srt: 3, sas: 0, sse: true), far: 0, hpfar: mmio >> 8)]
        h.machine.write64(run, 0)
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        h.machine.write64(run, 1)
        h.machine.write64(run + 0x200, 0x80)
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        #expect(h.machine.entries.last!.context.gprs[3] == 0xFFFF_FFFF_FFFF_FF80)
    }

    @Test func completionFlagsNeedAMatchingExit() {
        let (h, realm, rec, _) = activeRealmWithREC()
        let run = h.freshNS()
        // EMUL_MMIO or INJECT_SEA after an IRQ exit.
        h.machine.scriptedExits = [.irq]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        h.machine.write64(run, 1)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        h.machine.write64(run, 1 << 1)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        // EMUL_MMIO after an abort without a valid syndrome (ISV = 0).
        h.machine.write64(run, 0)
        h.machine.scriptedExits = [.sync(esr: 0x24 << 26, far: 0, hpfar: realm.parSize >> 8)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        h.machine.write64(run, 1)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        // INJECT_SEA after an abort at a protected IPA.
        h.machine.write64(run, 0)
        h.machine.scriptedExits = [.sync(esr: dataAbort(srt: 1, sas: 3), far: 0, hpfar: 0x5000 >> 8)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        h.machine.write64(run, 1 << 1)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        // ...and at an unprotected IPA it is accepted.
        h.machine.write64(run, 0)
        h.machine.scriptedExits = [.sync(esr: dataAbort(srt: 1, sas: 3), far: 0, hpfar: (realm.parSize + 0x5000) >> 8)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        h.machine.write64(run, 1 << 1)
        #expect(h.call(.recEnter, rec, run).x0 == 0)
    }

    @Test func systemOffAndCPUOff() {
        let (h, _, rec, _) = activeRealmWithREC()
        let run = h.freshNS()
        // CPU_OFF: the REC is no longer runnable.
        h.machine.scriptedExits = [.psci(function: 0x8400_0002, x1: 0, x2: 0, x3: 0)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        #expect(h.machine.read64(run + 0x800) == 3 && h.machine.read64(run + 0xA00) == 0x8400_0002)
        #expect(h.call(.recEnter, rec, run) == RMIResult(x0: Status.rec))
        // SYSTEM_OFF from another REC: the realm is off (REALM error, index 1).
        let h2 = Harness()
        let realm2 = h2.createRealm()
        let (rec2, _, _) = h2.createREC(realm2)
        #expect(h2.call(.realmActivate, realm2.rd).x0 == 0)
        h2.machine.scriptedExits = [.psci(function: 0x8400_0008, x1: 0, x2: 0, x3: 0)]
        #expect(h2.call(.recEnter, rec2, h2.freshNS()).x0 == 0)
        #expect(h2.call(.recEnter, rec2, h2.freshNS()) == RMIResult(x0: Status.realm(1)))
        #expect(h2.checkInvariants().isEmpty)
    }
}

@Suite struct PSCICompleteTests {
    /// An active realm with REC 0 (runnable) and REC 1 (not runnable); REC 0 has exited with
    /// the PSCI call `function` naming `targetMPIDR`.
    func pending(_ function: UInt64, targetMPIDR: UInt64 = 1) -> (Harness, TestRealm, UInt64, UInt64) {
        let h = Harness()
        let realm = h.createRealm()
        let (caller, _, _) = h.createREC(realm)
        let (target, _, _) = h.createREC(realm) { $0.mpidr = 1; $0.flags = 0 }
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        h.machine.scriptedExits = [.psci(function: function, x1: targetMPIDR, x2: 0x9000, x3: 0x77)]
        let run = h.freshNS()
        #expect(h.call(.recEnter, caller, run).x0 == 0)
        // RmiRecExit: reason PSCI, gprs[0..3] = the call.
        #expect(h.machine.read64(run + 0x800) == 3)
        #expect(h.machine.read64(run + 0xA00) == function && h.machine.read64(run + 0xA08) == targetMPIDR)
        // A REC with a PSCI request pending cannot run.
        #expect(h.call(.recEnter, caller, run) == RMIResult(x0: Status.rec))
        return (h, realm, caller, target)
    }

    func contextAfterEntering(_ h: Harness, _ rec: UInt64) -> RECContext {
        #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
        return h.machine.entries.last!.context
    }

    @Test func cpuOnAccepted() {
        let (h, _, caller, target) = pending(0xC400_0003)
        #expect(h.call(.psciComplete, caller, target, 0) == RMIResult(x0: 0))
        let c = contextAfterEntering(h, caller)
        #expect(c.gprs[0] == 0 && c.gprs[1] == 0 && c.gprs[2] == 0 && c.gprs[3] == 0)
        // The target starts at the entry point with the context ID in x0.
        let t = contextAfterEntering(h, target)
        #expect(t.pc == 0x9000 && t.gprs[0] == 0x77)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func cpuOnDenied() {
        let (h, _, caller, target) = pending(0x8400_0003)
        #expect(h.call(.psciComplete, caller, target, UInt64(bitPattern: -3)) == RMIResult(x0: 0))
        #expect(contextAfterEntering(h, caller).gprs[0] == UInt64(bitPattern: -3))
        #expect(h.call(.recEnter, target, h.freshNS()) == RMIResult(x0: Status.rec))
    }

    @Test func cpuOnForARunningCPU() {
        let (h, _, caller, _) = pending(0xC400_0003, targetMPIDR: 0)
        // The target is the caller itself (MPIDR 0), which is on; it cannot be named twice.
        #expect(h.call(.psciComplete, caller, caller, 0) == RMIResult(x0: Status.input))
        // Another case: target REC 1 made runnable first, then asked for again.
        let (h2, _, caller2, target2) = pending(0xC400_0003)
        #expect(h2.call(.psciComplete, caller2, target2, 0).x0 == 0)
        h2.machine.scriptedExits = [.psci(function: 0xC400_0003, x1: 1, x2: 0, x3: 0)]
        #expect(h2.call(.recEnter, caller2, h2.freshNS()).x0 == 0)
        // DENIED is not allowed for a CPU that is on; nothing changes.
        #expect(h2.call(.psciComplete, caller2, target2, UInt64(bitPattern: -3)) == RMIResult(x0: Status.input))
        #expect(h2.call(.psciComplete, caller2, target2, 0) == RMIResult(x0: 0))
        #expect(contextAfterEntering(h2, caller2).gprs[0] == UInt64(bitPattern: -4))   // ALREADY_ON
    }

    @Test func affinityInfo() {
        let (h, _, caller, target) = pending(0xC400_0004)
        // Only SUCCESS is a valid status for AFFINITY_INFO.
        #expect(h.call(.psciComplete, caller, target, UInt64(bitPattern: -3)) == RMIResult(x0: Status.input))
        #expect(h.call(.psciComplete, caller, target, 0) == RMIResult(x0: 0))
        #expect(contextAfterEntering(h, caller).gprs[0] == 1)   // OFF
    }

    @Test func failureConditions() {
        let (h, _, caller, target) = pending(0xC400_0003)
        let other = h.createRealm { $0.vmid = 2 }
        let (foreign, _, _) = h.createREC(other) { $0.mpidr = 0 }
        for bad in [caller + 8, Harness.ns(1), h.delegated()] {
            #expect(h.call(.psciComplete, bad, target, 0) == RMIResult(x0: Status.input))
            #expect(h.call(.psciComplete, caller, bad, 0) == RMIResult(x0: Status.input))
        }
        // Target in another realm, or not the MPIDR named in the request.
        #expect(h.call(.psciComplete, caller, foreign, 0) == RMIResult(x0: Status.input))
        // A status PSCI does not allow here.
        #expect(h.call(.psciComplete, caller, target, 5) == RMIResult(x0: Status.input))
        // No request pending (the target has none).
        #expect(h.call(.psciComplete, target, caller, 0) == RMIResult(x0: Status.input))
        // A completed request cannot be completed twice.
        #expect(h.call(.psciComplete, caller, target, 0).x0 == 0)
        #expect(h.call(.psciComplete, caller, target, 0) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func wrongTargetMPIDR() {
        let h = Harness()
        let realm = h.createRealm()
        let (caller, _, _) = h.createREC(realm)
        let (t1, _, _) = h.createREC(realm) { $0.mpidr = 1; $0.flags = 0 }
        let (t2, _, _) = h.createREC(realm) { $0.mpidr = 2; $0.flags = 0 }
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        h.machine.scriptedExits = [.psci(function: 0xC400_0003, x1: 2, x2: 0, x3: 0)]
        #expect(h.call(.recEnter, caller, h.freshNS()).x0 == 0)
        #expect(h.call(.psciComplete, caller, t1, 0) == RMIResult(x0: Status.input))
        #expect(h.call(.psciComplete, caller, t2, 0) == RMIResult(x0: 0))
    }
}
