// RMI_REC_ENTER (DEN0137 B4.3.12): its checks, what reaches the hardware, the host's
// completion of MMIO and SEA, and the RmiRecExit record the host gets back.

import Testing
@testable import TMMCore

@Suite struct RECEnterTests {
    @Test func runsTheRECAndReportsTheExit() {
        let r = RunningRealm { $0.vmid = 7 }
        let p = RECParams()
        #expect(r.enter(flags: 1 << 2 | 1 << 3, script: [.wfx()]) == RMIResult(x0: 0))
        let run = r.machine.runs[0]
        // The REC starts as REC_CREATE defined it: x0-x7 and PC from the parameters, EL1h with
        // DAIF masked, SCTLR_EL1 at reset, everything else zero.
        #expect(run.state.pc == p.pc)
        #expect((0..<8).allSatisfy { run.state.gprs[$0] == p.gprs[$0] } && (8..<31).allSatisfy { run.state.gprs[$0] == 0 })
        #expect(run.state.pstate == 0x3C5)
        var expectedEL1 = RealmEL1Registers()
        expectedEL1.sctlr = 0x30D5_0878
        #expect(run.state.el1 == expectedEL1 && run.state.timers == RealmTimerRegisters() && run.state.fpsimd == FPSIMDRegisters())
        #expect(run.realm.vmid == 7 && run.realm.rttBase.value == r.realm.params.rttBase && run.realm.ipaWidth == 40)
        #expect(run.realm.startLevel == 1 && run.realm.rootTableCount == 2 && run.realm.recIndex == 0 && run.realm.mpidr == 0)
        #expect(run.controls.trapWFI && run.controls.trapWFE && !run.controls.maskVirtualTimer && !run.controls.maskPhysicalTimer)
        // RmiRecExit: SYNC with the WFx syndrome (EC and TI only); PC past the WFI.
        #expect(r.exit.reason == 0 && r.exit.esr == 0x01 << 26)
        #expect(r.exit.nonZeroWords(except: [0x100, 0x390]).isEmpty)
        #expect(r.rec().cpu.pc == p.pc + 4)
        // WFE: TI = 1.
        #expect(r.enter(script: [.wfx(wfe: true)]).x0 == 0)
        #expect(r.exit.esr == 0x01 << 26 | 1)
        #expect(r.h.checkInvariants().isEmpty)
    }

    @Test(arguments: [(RealmHardwareExit.irq, UInt64(1)), (.fiq, 2)])
    func interruptExits(exit: RealmHardwareExit, reason: UInt64) {
        let r = RunningRealm()
        #expect(r.enter(script: [Step(exit) { $0.gprs[5] = 0x5EC2E7; $0.pc = 0x8000_1234 }]).x0 == 0)
        #expect(r.exit.reason == reason)
        // Nothing of the realm's registers: only the GIC VMCR (reset values) is set.
        #expect(r.exit.nonZeroWords(except: [0x000, 0x390]).isEmpty)
        #expect(r.rec().cpu.gprs[5] == 0x5EC2E7 && r.rec().cpu.pc == 0x8000_1234)
    }

    @Test func serrorReportsOnlyTheSyndromeFields() {
        let r = RunningRealm()
        // IDS clear, AET UEO (0b010), EA, DFSC async (0x11), plus IL and ISS bits the host must not see.
        let esr: UInt64 = 0x2F << 26 | 1 << 25 | 0x2 << 10 | 1 << 9 | 0x11 | 0xF << 14
        #expect(r.enter(script: [Step(.serror(esr: esr))]).x0 == 0)
        #expect(r.exit.reason == 6 && r.exit.esr == 0x2F << 26 | 0x2 << 10 | 1 << 9 | 0x11)
        #expect(r.exit.nonZeroWords(except: [0x000, 0x100, 0x390]).isEmpty)
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
        #expect(h.machine.runs.isEmpty)
        // rec_state: a REC running on another CPU.
        var nested: RMIResult?
        h.machine.realmScript = [Step(.irq) { _ in nested = h.call(.recEnter, rec, h.freshNS()) }]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        #expect(nested == RMIResult(x0: Status.rec))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func gicStateChecks() {
        let r = RunningRealm()
        // gicv3_hcr: En (bit 0) and the trap bits belong to the TMM.
        #expect(r.enter(hcr: 1) == RMIResult(x0: Status.rec))
        #expect(r.enter(hcr: 1 << 10) == RMIResult(x0: Status.rec))
        #expect(r.enter(hcr: 0xFE | 1 << 14).x0 == 0)
        // DEN0137 requires HW = 0 in every valid list register: a realm must not end a
        // physical interrupt. Refused whatever the pINTID.
        #expect(r.enter(lrs: [1 << 62 | 1 << 61 | 32 << 32 | 32]) == RMIResult(x0: Status.rec))
        #expect(r.enter(lrs: [1 << 62 | 1 << 61 | 27]) == RMIResult(x0: Status.rec))
        // With HW = 0 only the EOI bit [41] of the pINTID field may be set.
        #expect(r.enter(lrs: [1 << 62 | 5 << 32 | 27]) == RMIResult(x0: Status.rec))
        #expect(r.enter(lrs: [1 << 62 | 1 << 44 | 27]) == RMIResult(x0: Status.rec))
        // Priority bits below the 5 the interface implements are RES0.
        #expect(r.enter(lrs: [1 << 62 | 0xA1 << 48 | 27]) == RMIResult(x0: Status.rec))
        #expect(r.enter(lrs: [1 << 62 | 0x04 << 48 | 27]) == RMIResult(x0: Status.rec))
        // vINTIDs: the special INTIDs 1020-1023, the gap below the LPIs, LPIs above 16 bits.
        for bad: UInt64 in [1020, 1023, 1024, 4096, 8191, 0x1_0000, 0xFFFF_FFFF] {
            #expect(r.enter(lrs: [1 << 62 | bad]) == RMIResult(x0: Status.rec))
        }
        // Two valid list registers with one vINTID, in any states; an invalid one does not count.
        #expect(r.enter(lrs: [1 << 62 | 27, 0, 2 << 62 | 27]) == RMIResult(x0: Status.rec))
        #expect(r.enter(lrs: [0, 3 << 62 | 40, 1 << 62 | 40]) == RMIResult(x0: Status.rec))
        #expect(r.machine.runs.count == 1)
        // Accepted: every range boundary, an invalid duplicate, EOI with HW = 0.
        #expect(r.enter(lrs: [1 << 62 | 0, 1 << 62 | 1019, 0 << 62 | 1019, 1 << 62 | 8192]).x0 == 0)
        #expect(r.enter(lrs: [1 << 62 | 0xFFFF, 1 << 62 | 1 << 41 | 0xF8 << 48 | 31]).x0 == 0)
        // List registers beyond the 4 implemented are ignored, as TF-RMM does, and never reach
        // the realm: the exit reports them as zero.
        #expect(r.enter(lrs: [1 << 62 | 27, 0, 0, 0, 1 << 62 | 27, 1 << 61 | 0xFFFF_FFFF]).x0 == 0)
        #expect(r.exit.lr(0) == 1 << 62 | 27 && r.exit.lr(4) == 0 && r.exit.lr(5) == 0)
        #expect(r.machine.runs.count == 4)
    }

    @Test func emulatedMMIORead() {
        let r = RunningRealm()
        let mmio = r.parSize + 0x1000
        let pc = RECParams().pc
        let load = Step.accessISS(srt: 5, sas: 2, write: false)
        #expect(r.enter(script: [.dataAbort(ipa: mmio + 0x10, va: 0xFFFF_8000_0012_3010, iss: load)]).x0 == 0)
        // The host sees the emulatable syndrome without SRT, the page offset of the VA, the IPA page.
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 1 << 24 | 2 << 22 | 1 << 15 | 0x07)
        #expect(r.exit.far == 0x010 && r.exit.hpfar == (mmio >> 12) << 4 && r.exit.gpr(0) == 0)
        #expect(r.exit.nonZeroWords(except: [0x100, 0x108, 0x110, 0x390]).isEmpty)
        #expect(r.enter(flags: 1, gprs: [0x1_2345_6789]).x0 == 0)       // EMUL_MMIO, value in gprs[0]
        #expect(r.machine.runs.last!.state.gprs[5] == 0x2345_6789)       // 4-byte access
        #expect(r.machine.runs.last!.state.pc == pc + 4)
        // Sign-extended byte load into a 64-bit register.
        let byte = Step.accessISS(srt: 3, sas: 0, sse: true, write: false)
        #expect(r.enter(script: [.dataAbort(ipa: mmio, va: 0x1000, iss: byte)]).x0 == 0)
        #expect(r.enter(flags: 1, gprs: [0x80]).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[3] == 0xFFFF_FFFF_FFFF_FF80)
        // ...and into a 32-bit register: the upper half is cleared.
        let byte32 = Step.accessISS(srt: 4, sas: 0, sse: true, sf: false, write: false)
        #expect(r.enter(script: [.dataAbort(ipa: mmio, va: 0x1000, iss: byte32)]).x0 == 0)
        #expect(r.enter(flags: 1, gprs: [0x80]).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[4] == 0xFFFF_FF80)
    }

    @Test func emulatedMMIOWriteExposesOnlyTheValue() {
        let r = RunningRealm()
        let mmio = r.parSize + 0x3000
        let store = Step.accessISS(srt: 7, sas: 1, write: true)
        let step = Step(.synchronous(esr: 0x24 << 26 | 1 << 25 | store, far: 0x4_0000_0abc, hpfar: (mmio >> 12) << 4)) {
            $0.gprs[7] = 0xDEAD_BEEF_CAFE_F00D
        }
        #expect(r.enter(script: [step]).x0 == 0)
        #expect(r.exit.esr == 0x24 << 26 | 1 << 24 | 1 << 22 | 1 << 15 | 1 << 6 | 0x07)
        #expect(r.exit.gpr(0) == 0xF00D && r.exit.far == 0xABC)      // 2-byte store
        // The host completes the write; the realm continues after the store.
        let pc = r.rec().cpu.pc
        #expect(r.enter(flags: 1).x0 == 0)
        #expect(r.machine.runs.last!.state.pc == pc + 4 && r.machine.runs.last!.state.gprs[7] == 0xDEAD_BEEF_CAFE_F00D)
    }

    @Test func completionFlagsNeedAMatchingExit() {
        let r = RunningRealm(ramRanges: [(0x8000, 0x9000)])
        // EMUL_MMIO or INJECT_SEA after an IRQ exit.
        #expect(r.enter(script: [.irq]).x0 == 0)
        #expect(r.enter(flags: 1) == RMIResult(x0: Status.rec))
        #expect(r.enter(flags: 1 << 1) == RMIResult(x0: Status.rec))
        // EMUL_MMIO after an abort without a valid syndrome (ISV = 0).
        #expect(r.enter(script: [.dataAbort(ipa: r.parSize, va: 0, iss: 0x07)]).x0 == 0)
        #expect(r.enter(flags: 1) == RMIResult(x0: Status.rec))
        // EMUL_MMIO and INJECT_SEA after an abort at a protected IPA (RIPAS RAM, unmapped):
        // the host learns only the fault, the syndrome's ISV is not its to use.
        let load = Step.accessISS(srt: 1, sas: 3, write: false)
        #expect(r.enter(script: [.dataAbort(ipa: 0x8000, va: 0x1234, iss: load)]).x0 == 0)
        #expect(r.exit.esr == 0x24 << 26 | 0x07 && r.exit.far == 0 && r.exit.hpfar == 0x80)
        #expect(r.enter(flags: 1) == RMIResult(x0: Status.rec))
        #expect(r.enter(flags: 1 << 1) == RMIResult(x0: Status.rec))
        // ...and at an unprotected IPA both are accepted.
        #expect(r.enter(script: [.dataAbort(ipa: r.parSize + 0x5000, va: 0, iss: load)]).x0 == 0)
        #expect(r.enter(flags: 1 << 1).x0 == 0)
        #expect(r.machine.runs.count == 5)
    }

    @Test func injectSEAAtTheHostsRequest() {
        let r = RunningRealm()
        let load = Step.accessISS(srt: 2, sas: 3, write: false)
        let va: UInt64 = 0xFFFF_0000_1234_5678
        let abort = Step(.synchronous(esr: 0x24 << 26 | 1 << 25 | load, far: va, hpfar: ((r.parSize + 0x7000) >> 12) << 4)) {
            $0.el1.vbar = 0xFFFF_8000_0001_0000
            $0.pc = 0xFFFF_8000_0000_4000
            $0.pstate = 0x3C5 & ~0x3C0 | 0x2000_0000   // EL1h, interrupts enabled, C flag
        }
        #expect(r.enter(script: [abort]).x0 == 0)
        // INJECT_SEA wins over EMUL_MMIO.
        #expect(r.enter(flags: 1 << 1 | 1).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.el1.elr == 0xFFFF_8000_0000_4000 && s.el1.spsr == 0x2000_0005 && s.el1.far == va)
        // ESR_EL1: EC 0x25 (same EL), IL, ISV/SAS/SRT kept, EA, DFSC = SEA.
        #expect(s.el1.esr == 0x25 << 26 | 1 << 25 | 1 << 24 | 3 << 22 | 2 << 16 | 1 << 15 | 1 << 9 | 0x10)
        #expect(s.pc == 0xFFFF_8000_0001_0000 + 0x200 && s.pstate == 0x2000_0000 | 0x3C5)   // SPAN set: PAN kept (0)
        #expect(s.gprs[2] == 3)   // the load never completed: x2 as REC_CREATE set it
    }
}

@Suite struct PSCICompleteTests {
    /// An active realm with REC 0 (runnable) and REC 1 (not runnable); REC 0 has called
    /// `function` naming `targetMPIDR`.
    func pending(_ function: UInt64, targetMPIDR: UInt64 = 1) -> RunningRealm {
        let r = RunningRealm(recs: 3)
        // CPU_ON: entry point, context ID; AFFINITY_INFO: lowest affinity level 0.
        let isCPUOn = function & 0xF == 3
        #expect(r.enter(script: [.smc(function, targetMPIDR, isCPUOn ? 0x9000 : 0, 0x77)]).x0 == 0)
        // RmiRecExit: reason PSCI, gprs[0] = FID, gprs[1] = target; the entry point and
        // context ID stay in the realm.
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == function && r.exit.gpr(1) == targetMPIDR)
        #expect(r.exit.nonZeroWords(except: [0, 0x200, 0x208, 0x390]).isEmpty)
        // A REC with a PSCI request pending cannot run.
        #expect(r.enter() == RMIResult(x0: Status.rec))
        return r
    }

    func stateAfterEntering(_ r: RunningRealm, _ rec: Int) -> RealmCPUState {
        #expect(r.enter(rec).x0 == 0)
        return r.machine.runs.last!.state
    }

    @Test func cpuOnAccepted() {
        let r = pending(0xC400_0003)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: 0))
        let c = stateAfterEntering(r, 0)
        #expect(c.gprs[0] == 0 && c.gprs[1] == 0 && c.gprs[2] == 0 && c.gprs[3] == 0)
        // The target starts at the entry point with the context ID in x0, as out of reset.
        let t = stateAfterEntering(r, 1)
        #expect(t.pc == 0x9000 && t.gprs[0] == 0x77 && (1..<31).allSatisfy { t.gprs[$0] == 0 })
        #expect(t.pstate == 0x3C5 && t.el1.sctlr == 0x30D5_0878)
        #expect(r.h.checkInvariants().isEmpty)
    }

    @Test func cpuOnCopiesTheCallersEndianness() {
        let r = RunningRealm(recs: 2)
        #expect(r.enter(script: [Step.smc(0x8400_0003, 1, 0x9000, 0) ~> { $0.el1.sctlr |= 1 << 25 }]).x0 == 0)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0).x0 == 0)
        #expect(stateAfterEntering(r, 1).el1.sctlr == 0x30D5_0878 | 1 << 25)
    }

    @Test func cpuOnDenied() {
        let r = pending(0x8400_0003)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], UInt64(bitPattern: -3)) == RMIResult(x0: 0))
        #expect(stateAfterEntering(r, 0).gprs[0] == UInt64(bitPattern: -3))
        #expect(r.enter(1) == RMIResult(x0: Status.rec))
    }

    @Test func cpuOnForARunningCPU() {
        let r = pending(0xC400_0003)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0).x0 == 0)
        #expect(r.enter(script: [.smc(0xC400_0003, 1, 0x9000, 0)]).x0 == 0)
        // DENIED is not allowed for a CPU that is on; nothing changes.
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], UInt64(bitPattern: -3)) == RMIResult(x0: Status.input))
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: 0))
        #expect(stateAfterEntering(r, 0).gprs[0] == UInt64(bitPattern: -4))   // ALREADY_ON
    }

    @Test func affinityInfo() {
        let r = pending(0xC400_0004)
        // Only SUCCESS is a valid status for AFFINITY_INFO.
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], UInt64(bitPattern: -3)) == RMIResult(x0: Status.input))
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: 0))
        #expect(stateAfterEntering(r, 0).gprs[0] == 1)   // OFF
    }

    @Test func failureConditions() {
        let r = pending(0xC400_0003)
        let h = r.h
        let (caller, target) = (r.recs[0], r.recs[1])
        let other = h.createRealm { $0.vmid = 2 }
        let (foreign, _, _) = h.createREC(other) { $0.mpidr = 1 }
        for bad in [caller + 8, Harness.ns(1), h.delegated()] {
            #expect(h.call(.psciComplete, bad, target, 0) == RMIResult(x0: Status.input))
            #expect(h.call(.psciComplete, caller, bad, 0) == RMIResult(x0: Status.input))
        }
        // Target in another realm, or not the MPIDR named in the request.
        #expect(h.call(.psciComplete, caller, foreign, 0) == RMIResult(x0: Status.input))
        #expect(h.call(.psciComplete, caller, r.recs[2], 0) == RMIResult(x0: Status.input))
        // A status PSCI does not allow here.
        #expect(h.call(.psciComplete, caller, target, 5) == RMIResult(x0: Status.input))
        // No request pending (the target has none).
        #expect(h.call(.psciComplete, target, caller, 0) == RMIResult(x0: Status.input))
        // A completed request cannot be completed twice.
        #expect(h.call(.psciComplete, caller, target, 0).x0 == 0)
        #expect(h.call(.psciComplete, caller, target, 0) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
    }
}

infix operator ~>: AdditionPrecedence

/// A step with an extra edit applied after its own.
func ~> (step: Step, extra: @escaping (inout RealmCPUState) -> Void) -> Step {
    Step(step.exit) { s in
        step.edit(&s)
        extra(&s)
    }
}
