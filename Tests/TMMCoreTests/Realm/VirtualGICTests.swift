// The emulated GICv3 CPU interface (VirtualGIC.swift) as a realm and its host see it: list
// registers from RmiRecEnter, the realm's trapped ICC_* accesses, IRQ injection, and the LR,
// MISR, VMCR and HCR values in RmiRecExit; SGI register writes, which exit to the host; and the
// timer mask controls.

import Testing
@testable import TMMCore

/// ICC registers as (CRn, CRm, op2).
enum ICC {
    static let pmr: (UInt8, UInt8, UInt8) = (4, 6, 0)
    static let iar0: (UInt8, UInt8, UInt8) = (12, 8, 0)
    static let ap1r0: (UInt8, UInt8, UInt8) = (12, 9, 0)
    static let ap1r1: (UInt8, UInt8, UInt8) = (12, 9, 1)
    static let dir: (UInt8, UInt8, UInt8) = (12, 11, 1)
    static let rpr: (UInt8, UInt8, UInt8) = (12, 11, 3)
    static let sgi1r: (UInt8, UInt8, UInt8) = (12, 11, 5)
    static let asgi1r: (UInt8, UInt8, UInt8) = (12, 11, 6)
    static let sgi0r: (UInt8, UInt8, UInt8) = (12, 11, 7)
    static let iar1: (UInt8, UInt8, UInt8) = (12, 12, 0)
    static let eoir1: (UInt8, UInt8, UInt8) = (12, 12, 1)
    static let hppir1: (UInt8, UInt8, UInt8) = (12, 12, 2)
    static let bpr1: (UInt8, UInt8, UInt8) = (12, 12, 3)
    static let ctlr: (UInt8, UInt8, UInt8) = (12, 12, 4)
    static let sre: (UInt8, UInt8, UInt8) = (12, 12, 5)
    static let igrpen0: (UInt8, UInt8, UInt8) = (12, 12, 6)
    static let igrpen1: (UInt8, UInt8, UInt8) = (12, 12, 7)

    static func write(_ r: (UInt8, UInt8, UInt8), _ value: UInt64) -> Step { .icc(r.0, r.1, r.2, rt: 9, read: false, value: value) }
    static func read(_ r: (UInt8, UInt8, UInt8), into rt: Int = 10) -> Step { .icc(r.0, r.1, r.2, rt: rt, read: true) }
}

/// An LR: state, HW, group 1, priority, INTIDs.
func lr(_ intid: UInt64, state: UInt64 = 1, priority: UInt64 = 0xA0, group1: Bool = true, hw: UInt64? = nil, eoi: Bool = false) -> UInt64 {
    var v = state << 62 | priority << 48 | intid | (group1 ? 1 << 60 : 0) | (eoi ? 1 << 41 : 0)
    if let hw { v |= 1 << 61 | hw << 32 }
    return v
}

@Suite struct VirtualGICTests {
    static let vbar: UInt64 = 0x8_0000

    /// A realm whose interface is set up (PMR 0xF0, Group 1 enabled) with IRQs unmasked.
    func prepared(_ configure: [Step] = []) -> RunningRealm {
        let r = RunningRealm()
        let setup = [ICC.write(ICC.pmr, 0xF0), ICC.write(ICC.igrpen1, 1)] + configure
        #expect(r.enter(script: setup + [Step(.irq) { $0.pstate = 0x5; $0.el1.vbar = Self.vbar; $0.pc = 0x3000 }]).x0 == 0)
        return r
    }

    @Test func pendingInterruptIsInjectedWhenUnmasked() {
        let r = prepared()
        #expect(r.enter(lrs: [lr(27)]).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.pc == Self.vbar + 0x280 && s.el1.elr == 0x3000 && s.el1.spsr == 0x5 && s.pstate == 0x3C5)
        // The realm acknowledges it: IAR1 returns 27, the LR becomes active, RPR is its priority.
        #expect(r.enter(lrs: [lr(27)], script: [ICC.read(ICC.iar1), ICC.read(ICC.rpr, into: 11), ICC.read(ICC.hppir1, into: 12)]).x0 == 0)
        let t = r.machine.runs.last!.state
        #expect(t.gprs[10] == 27 && t.gprs[11] == 0xA0 && t.gprs[12] == 1023)
        #expect(r.exit.lr(0) == lr(27, state: 2))
        #expect(r.exit.reason == 1)
        // Nothing left to signal: no interrupt window.
        #expect(!r.lastRun.controls.interruptWindow)
        // EOImode 0: EOIR1 drops the priority and deactivates; the LR comes back invalid.
        #expect(r.enter(lrs: [r.exit.lr(0)], script: [ICC.write(ICC.eoir1, 27), ICC.read(ICC.rpr)]).x0 == 0)
        #expect(r.exit.lr(0) == lr(27, state: 0) && r.machine.runs.last!.state.gprs[10] == 0xFF)
    }

    @Test func maskedInterruptWaitsForTheRealmToUnmask() {
        // PSTATE.I set: not taken, but the run must stop once the realm may have unmasked IRQs.
        let r = prepared([Step(.irq) { $0.pstate = 0x3C5; $0.pc = 0x3000; $0.el1.vbar = Self.vbar }])
        let runs = r.machine.runs.count
        // Still masked at the first window; unmasked (MSR DAIFClr, no trap) at the second.
        #expect(r.enter(lrs: [lr(27)], script: [
            Step(.interruptWindow) { $0.pc = 0x3010 },
            Step(.interruptWindow) { $0.pc = 0x3020; $0.pstate = 0x5 },
        ]).x0 == 0)
        let all = Array(r.machine.runs.dropFirst(runs))
        // Three runs, no exit to the host in between: the window is the core's.
        #expect(all.count == 3)
        #expect(all.map(\.controls.interruptWindow) == [true, true, true])
        // The host did not ask for WFI traps; the core takes them while a window is open, so that
        // a WFI completes at once (and only then).
        #expect(all.map(\.controls.trapWFI) == [true, true, true])
        #expect(r.enter().x0 == 0 && !r.lastRun.controls.trapWFI)
        #expect(all[0].state.pc == 0x3000 && all[1].state.pc == 0x3010)
        // Taken as soon as the loop saw it unmasked, returning to where the realm was.
        #expect(all[2].state.pc == Self.vbar + 0x280 && all[2].state.el1.elr == 0x3020 && all[2].state.el1.spsr == 0x5)
        #expect(r.exit.reason == 1 && r.exit.esr == 0)
    }

    @Test func interruptsTheInterfaceDoesNotSignalAreNotTaken() {
        // Priority not below PMR; Group 1 disabled; a Group 0 interrupt; an active one.
        let p = prepared()
        let at = p.rec().cpu.pc
        for lrs in [[lr(27, priority: 0xF0)], [lr(27, group1: false)], [lr(27, state: 2)]] {
            #expect(p.enter(lrs: lrs).x0 == 0)
            #expect(p.lastRun.state.pc == at && !p.lastRun.controls.interruptWindow)
        }
        #expect(p.enter(script: [ICC.write(ICC.igrpen1, 0)]).x0 == 0)
        #expect(p.enter(lrs: [lr(27)]).x0 == 0)
        #expect(p.lastRun.state.pc == at + 4 && p.lastRun.state.pstate == 0x5 && !p.lastRun.controls.interruptWindow)
        // IAR1 sees nothing to acknowledge: 1023.
        #expect(p.enter(lrs: [lr(27)], script: [ICC.read(ICC.iar1)]).x0 == 0)
        #expect(p.lastRun.state.gprs[10] == 1023 && p.exit.lr(0) == lr(27))
    }

    // MARK: WFI (HCR_EL2.TWI) and the interrupts the interface signals

    @Test func wfiWithASignalledInterruptCompletesWithoutTheHost() {
        // Masked or not, the interrupt wakes WFI (Arm ARM, "Wait for Interrupt"); unmasked, it is
        // then taken after the WFI.
        for pstate: UInt64 in [0x3C5, 0x5] {
            let r = prepared()
            let wfi = Step.wfx() ~> { $0.pc = 0x5000; $0.pstate = pstate }
            let runs = r.machine.runs.count
            #expect(r.enter(flags: RECEntryFlags.trapWFI, lrs: [lr(27, priority: 0x80)], script: [wfi]).x0 == 0)
            // Not a SYNC exit: the run continued after the WFI and ended with the script's IRQ.
            #expect(r.machine.runs.count == runs + 2)
            #expect(r.exit.reason == 1 && r.exit.esr == 0)
            let s = r.lastRun.state
            if pstate == 0x5 {
                #expect(s.pc == Self.vbar + 0x280 && s.el1.elr == 0x5004)
            } else {
                #expect(s.pc == 0x5004 && s.pstate == pstate && r.lastRun.controls.interruptWindow)
            }
        }
    }

    @Test func wakingFromWFIWithTheInterruptMaskedAsksForAnEarlyWindow() {
        // Linux idles as `local_irq_disable; WFI; local_irq_enable` in a loop: each WFI traps
        // long before a full window period, so the run right after the WFI must ask the
        // platform to look early, or the realm is only ever seen masked.
        let r = prepared([Step(.irq) { $0.pstate = 0x3C5; $0.pc = 0x3000; $0.el1.vbar = Self.vbar }])
        let runs = r.machine.runs.count
        let wfi = Step.wfx() ~> { $0.pc = 0x5000; $0.pstate = 0x3C5 }
        #expect(r.enter(flags: RECEntryFlags.trapWFI, lrs: [lr(27)], script: [
            wfi,
            Step(.interruptWindow) { $0.pc = 0x5010 },
            Step(.interruptWindow) { $0.pc = 0x5020; $0.pstate = 0x5 },
        ]).x0 == 0)
        let all = Array(r.machine.runs.dropFirst(runs))
        #expect(all.count == 4)
        #expect(all.map(\.controls.interruptWindow) == [true, true, true, true])
        // Only the run that follows the WFI; a window that found the realm still masked is an
        // ordinary one again.
        #expect(all.map(\.controls.interruptWindowAfterWFI) == [false, true, false, false])
        #expect(all[1].state.pc == 0x5004)
        #expect(all[3].state.pc == Self.vbar + 0x280 && all[3].state.el1.elr == 0x5020)
    }

    @Test func wfiWithNothingSignalledExitsToTheHost() {
        for lrs in [[UInt64](), [lr(27, priority: 0xF0)], [lr(27, state: 2)], [lr(27, group1: false)]] {
            let r = prepared()
            let wfi = Step.wfx() ~> { $0.pc = 0x5000; $0.pstate = 0x3C5 }
            #expect(r.enter(flags: RECEntryFlags.trapWFI, lrs: lrs, script: [wfi]).x0 == 0)
            #expect(r.exit.reason == 0 && r.exit.esr == 0x01 << 26)
            #expect(r.rec().cpu.pc == 0x5004)
        }
        // Running priority: the only pending interrupt cannot preempt the active one.
        let r = prepared()
        let wfi = Step.wfx() ~> { $0.pc = 0x5000 }
        #expect(r.enter(flags: RECEntryFlags.trapWFI, lrs: [lr(27, priority: 0x80), lr(28, priority: 0x90)],
                        script: [ICC.read(ICC.iar1), wfi]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x01 << 26 && r.lastRun.state.gprs[10] == 27)
    }

    @Test func wfeStillExitsToTheHost() {
        let r = prepared()
        let wfe = Step.wfx(wfe: true) ~> { $0.pc = 0x5000 }
        #expect(r.enter(flags: RECEntryFlags.trapWFE, lrs: [lr(27)], script: [wfe]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x01 << 26 | 1)
    }

    // MARK: priority order

    @Test func twoPendingInterruptsAreTakenInPriorityOrderOnePerAcknowledge() {
        // A timer in LR 0 and an SGI of higher priority in LR 1 (the list-register order must
        // not matter), both pending, IRQs unmasked at 0x3000.
        let r = prepared()
        let lrs = [lr(27, priority: 0xA0), lr(2, priority: 0x90)]
        #expect(r.enter(lrs: lrs, script: [
            ICC.read(ICC.iar1, into: 10),                // run 1: in the IRQ handler
            ICC.read(ICC.rpr, into: 11),                 // run 2
            ICC.write(ICC.eoir1, 2),                     // run 3
            // run 4: the handler returns (ERET, IRQs unmasked) and the window ends the run.
            Step(.interruptWindow) { $0.pc = 0x3000; $0.pstate = 0x5 },
            ICC.read(ICC.iar1, into: 12),                // run 5: in the handler again
            ICC.read(ICC.rpr, into: 13),                 // run 6
            ICC.write(ICC.eoir1, 27),                    // run 7
            Step(.irq) { $0.pc = 0x3000; $0.pstate = 0x5 },   // run 8
        ]).x0 == 0)
        let runs = Array(r.machine.runs.suffix(8))
        // Run 1 and run 5 start at the IRQ vector, from 0x3000.
        #expect(runs[0].state.pc == Self.vbar + 0x280 && runs[4].state.pc == Self.vbar + 0x280 && runs[4].state.el1.elr == 0x3000)
        // A window while the timer waits behind IRQs masked in the SGI's handler, once ended.
        #expect(runs.map(\.controls.interruptWindow) == [true, false, false, true, true, false, false, false])
        let s = r.lastRun.state
        #expect(s.gprs[10] == 2 && s.gprs[11] == 0x90 && s.gprs[12] == 27 && s.gprs[13] == 0xA0)
        #expect(r.exit.lr(0) == lr(27, state: 0, priority: 0xA0) && r.exit.lr(1) == lr(2, state: 0, priority: 0x90))
        #expect(r.exit.reason == 1)
    }

    @Test func binaryPointDecidesPreemption() {
        // Active at 0x88, pending at 0x80. BPR1 3 (the minimum): group priorities 0x88 and 0x80,
        // so the pending one preempts. BPR1 4: both are in group 0x80, so it must wait.
        for (bpr, preempts) in [(UInt64(3), true), (4, false)] {
            let r = prepared([ICC.write(ICC.bpr1, bpr), Step(.irq) { $0.pstate = 0x3C5 }])
            #expect(r.enter(lrs: [lr(40, priority: 0x88)], script: [ICC.read(ICC.iar1, into: 10)]).x0 == 0)
            #expect(r.lastRun.state.gprs[10] == 40)
            // The host adds the second interrupt while the first is active.
            #expect(r.enter(lrs: [r.exit.lr(0), lr(41, priority: 0x80)],
                            script: [ICC.read(ICC.rpr, into: 11), ICC.read(ICC.iar1, into: 12)]).x0 == 0)
            let s = r.lastRun.state
            #expect(s.gprs[11] == (preempts ? 0x88 : 0x80))
            #expect(s.gprs[12] == (preempts ? 41 : 1023))
            #expect(r.machine.runs.suffix(3).first!.controls.interruptWindow == preempts)
        }
    }

    @Test func runningPriorityBlocksEqualOrLowerPriorities() {
        let r = prepared([Step(.irq) { $0.pstate = 0x3C5 }])   // masked, so the test drives IAR itself
        #expect(r.enter(lrs: [lr(27, priority: 0x80), lr(28, priority: 0x80), lr(29, priority: 0x40)],
                        script: [ICC.read(ICC.iar1, into: 10), ICC.read(ICC.iar1, into: 11), ICC.read(ICC.iar1, into: 12)]).x0 == 0)
        let s = r.machine.runs.last!.state
        // 29 (0x40) first; 27 and 28 (0x80) cannot preempt the running priority 0x40.
        #expect(s.gprs[10] == 29 && s.gprs[11] == 1023 && s.gprs[12] == 1023)
        #expect(r.exit.lr(2) == lr(29, state: 2, priority: 0x40))
    }

    @Test func splitPriorityDropAndDeactivation() {
        let r = prepared([ICC.write(ICC.ctlr, 1 << 1), Step(.irq) { $0.pstate = 0x3C5 }])
        #expect(r.enter(lrs: [lr(40), lr(41, eoi: true)],
                        script: [ICC.read(ICC.iar1), ICC.write(ICC.eoir1, 40), ICC.read(ICC.rpr, into: 11)]).x0 == 0)
        // EOImode 1: EOIR only drops the priority; the interrupt stays active.
        #expect(r.machine.runs.last!.state.gprs[11] == 0xFF && r.exit.lr(0) == lr(40, state: 2))
        #expect(r.exit.vmcr & 1 << 9 != 0)
        // DIR deactivates it.
        #expect(r.enter(lrs: [r.exit.lr(0), lr(41, eoi: true)], script: [ICC.write(ICC.dir, 40)]).x0 == 0)
        #expect(r.exit.lr(0) == lr(40, state: 0))
        // A DIR for an INTID in no LR counts in EOIcount; with LRENPIE the host is told.
        #expect(r.enter(hcr: 1 << 2, script: [ICC.write(ICC.dir, 99)]).x0 == 0)
        #expect(r.exit.gicHCR == 1 << 2 | 1 << 27 && r.exit.misr & 1 << 2 != 0)
    }

    @Test func maintenanceStatusAndVMCR() {
        let r = prepared([Step(.irq) { $0.pstate = 0x3C5 }])
        // UIE (at most one valid LR), NPIE (none pending), VGrp0DIE, VGrp1EIE, VGrp1DIE.
        let hcr: UInt64 = 1 << 1 | 1 << 3 | 1 << 5 | 1 << 6 | 1 << 7
        #expect(r.enter(hcr: hcr, lrs: [lr(41, eoi: true)], script: [ICC.read(ICC.iar1), ICC.write(ICC.eoir1, 41)]).x0 == 0)
        // LR 41 with EOI set is now invalid: MISR.EOI; U; NP; VGrp0D; VGrp1E (Group 1 enabled).
        #expect(r.exit.misr == 1 << 0 | 1 << 1 | 1 << 3 | 1 << 5 | 1 << 6)
        #expect(r.exit.gicHCR == hcr)
        // VMCR: VENG1, VBPR1 3, VBPR0 2, VPMR 0xF0.
        #expect(r.exit.vmcr == 1 << 1 | 3 << 18 | 2 << 21 | 0xF0 << 24)
        // BPR1 below the minimum reads as the minimum; PMR keeps the implemented bits only.
        #expect(r.enter(script: [ICC.write(ICC.bpr1, 0), ICC.write(ICC.pmr, 0xFF), ICC.write(ICC.igrpen1, 0),
                                 ICC.read(ICC.bpr1, into: 11)]).x0 == 0)
        #expect(r.exit.vmcr == 3 << 18 | 2 << 21 | 0xF8 << 24 && r.machine.runs.last!.state.gprs[11] == 3)
        #expect(r.enter(hcr: 1 << 7 | 1 << 6).x0 == 0)
        #expect(r.exit.misr == 1 << 7)
    }

    // MARK: binary points (ICV_BPR0_EL1, ICV_BPR1_EL1, ICV_CTLR_EL1.CBPR, ICH_VMCR_EL2)

    static let bpr0: (UInt8, UInt8, UInt8) = (12, 8, 3)

    /// VMCR's VBPR0 [23:21], VBPR1 [20:18], VCBPR [4].
    static func vmcrBinaryPoints(_ vmcr: UInt64) -> (bpr0: UInt64, bpr1: UInt64, cbpr: Bool) {
        (vmcr >> 21 & 7, vmcr >> 18 & 7, vmcr & 1 << 4 != 0)
    }

    @Test func binaryPointsReadAsTheExitReportsThem() {
        let r = RunningRealm()
        // Reset: the minimums, 2 for Group 0 and 3 for Group 1 (5 preemption bits).
        #expect(r.enter(script: [ICC.read(Self.bpr0, into: 10), ICC.read(ICC.bpr1, into: 11), ICC.read(ICC.ctlr, into: 12)]).x0 == 0)
        var s = r.lastRun.state
        #expect(s.gprs[10] == 2 && s.gprs[11] == 3 && s.gprs[12] & 1 == 0)
        #expect(Self.vmcrBinaryPoints(r.exit.vmcr) == (2, 3, false))
        // Below the minimum reads as the minimum; other values as written.
        #expect(r.enter(script: [ICC.write(Self.bpr0, 0), ICC.read(Self.bpr0, into: 10),
                                 ICC.write(Self.bpr0, 4), ICC.read(Self.bpr0, into: 11), ICC.write(ICC.bpr1, 6)]).x0 == 0)
        s = r.lastRun.state
        #expect(s.gprs[10] == 2 && s.gprs[11] == 4)
        #expect(Self.vmcrBinaryPoints(r.exit.vmcr) == (4, 6, false))
        // CBPR: BPR1 reads as BPR0 + 1 and ignores writes; VMCR keeps the stored BPR1.
        #expect(r.enter(script: [ICC.write(ICC.ctlr, 1), ICC.read(ICC.ctlr, into: 10), ICC.read(ICC.bpr1, into: 11),
                                 ICC.write(ICC.bpr1, 3), ICC.read(ICC.bpr1, into: 12)]).x0 == 0)
        s = r.lastRun.state
        #expect(s.gprs[10] & 1 == 1 && s.gprs[11] == 5 && s.gprs[12] == 5)
        #expect(Self.vmcrBinaryPoints(r.exit.vmcr) == (4, 6, true))
        // Saturates at 7.
        #expect(r.enter(script: [ICC.write(Self.bpr0, 7), ICC.read(ICC.bpr1, into: 10)]).x0 == 0)
        #expect(r.lastRun.state.gprs[10] == 7)
        // CBPR cleared: BPR1 as written before.
        #expect(r.enter(script: [ICC.write(ICC.ctlr, 0), ICC.read(ICC.bpr1, into: 10)]).x0 == 0)
        #expect(r.lastRun.state.gprs[10] == 6 && Self.vmcrBinaryPoints(r.exit.vmcr) == (7, 6, false))
    }

    @Test func commonBinaryPointDecidesGroup1Preemption() {
        // Active at 0xA8, pending at 0xA0. BPR1 3: group priorities 0xA8 and 0xA0, so it
        // preempts. CBPR with BPR0 4: Group 1 splits at BPR0 + 1 = 5, both in group 0xA0.
        for cbpr in [false, true] {
            let setup = cbpr ? [ICC.write(Self.bpr0, 4), ICC.write(ICC.ctlr, 1)] : []
            let r = prepared(setup + [Step(.irq) { $0.pstate = 0x3C5 }])
            #expect(r.enter(lrs: [lr(40, priority: 0xA8)], script: [ICC.read(ICC.iar1, into: 10)]).x0 == 0)
            #expect(r.enter(lrs: [r.exit.lr(0), lr(41, priority: 0xA0)],
                            script: [ICC.read(ICC.rpr, into: 11), ICC.read(ICC.iar1, into: 12)]).x0 == 0)
            let s = r.lastRun.state
            #expect(s.gprs[11] == (cbpr ? 0xA0 : 0xA8) && s.gprs[12] == (cbpr ? 1023 : 41))
        }
    }

    @Test func otherRegisters() {
        let r = prepared()
        #expect(r.enter(lrs: [lr(27)], script: [
            Step(.irq) { $0.pstate = 0x3C5 },
        ]).x0 == 0)
        let pc = r.rec().cpu.pc
        #expect(r.enter(lrs: [lr(27)], script: [
            ICC.read(ICC.iar0, into: 10), ICC.read(ICC.ctlr, into: 11), ICC.read(ICC.sre, into: 12),
            ICC.write(ICC.igrpen0, 1), ICC.read(ICC.igrpen0, into: 13),
            ICC.write(ICC.ap1r0, 1 << 4), ICC.read(ICC.rpr, into: 14),
        ]).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.gprs[10] == 1023 && s.gprs[11] == 4 << 8 && s.gprs[12] == 0x7 && s.gprs[13] == 0 && s.gprs[14] == 0x20)
        #expect(s.pc == pc + 7 * 4)
        // Registers this interface does not have: UNDEFINED.
        #expect(r.enter(script: [ICC.read(ICC.ap1r1) ~> { $0.el1.vbar = Self.vbar; $0.pc = 0x6000 }]).x0 == 0)
        #expect(r.machine.runs.last!.state.pc == Self.vbar + 0x200 && r.machine.runs.last!.state.el1.elr == 0x6000)
        #expect(r.enter(script: [ICC.write(ICC.iar1, 0) ~> { $0.pc = 0x6000 }]).x0 == 0)
        #expect(r.machine.runs.last!.state.el1.elr == 0x6000 && r.machine.runs.last!.state.el1.esr == 1 << 25)
    }

    // MARK: SGI generation: the host's to do (TF-RMM rel0 handle_icc_el1_sysreg_trap)

    /// The syndrome of MSR ICC_SGI*R_EL1, x<rt> (op0 3, op1 0, CRn 12, CRm 11), as the
    /// hardware reports it and, having no RES0 bits set, as the host must see it.
    static func sgiSyndrome(_ register: (UInt8, UInt8, UInt8), rt: Int) -> UInt64 {
        0x18 << 26 | 1 << 25 | 3 << 20 | UInt64(register.2) << 17 | 12 << 10 | UInt64(rt) << 5 | 11 << 1
    }

    /// Every general register holds a recognisable value; x<rt> holds `value`.
    static func realmRegisters(pc: UInt64, rt: Int, value: UInt64) -> (inout RealmCPUState) -> Void {
        { s in
            for i in 0..<31 { s.gprs[i] = 0xA5A5_0000_0000_0000 | UInt64(i) }
            if rt < 31 { s.gprs[rt] = value }
            s.pc = pc
        }
    }

    @Test(arguments: [ICC.sgi1r, ICC.asgi1r, ICC.sgi0r].map { [$0.0, $0.1, $0.2] })
    func sgiRegisterWritesExitToTheHost(register: [UInt8]) {
        let reg = (register[0], register[1], register[2])
        let r = prepared([Step(.irq) { $0.pstate = 0x3C5 }])
        // SGI 5 to Aff3.Aff2.Aff1 = 0.0.0, target list {0, 1}.
        let value: UInt64 = 5 << 24 | 0b11
        let msr = Step.sysreg(3, 0, reg.0, reg.1, reg.2, rt: 7, read: false,
                              edit: Self.realmRegisters(pc: 0x4000, rt: 7, value: value))
        let runs = r.machine.runs.count
        #expect(r.enter(script: [msr, .irq]).x0 == 0)
        // One run: the write ends it. SYNC, the trap's syndrome, the value, and nothing else but
        // the interface state every exit carries (VMCR: PMR 0xF0, Group 1 enabled).
        #expect(r.machine.runs.count == runs + 1)
        #expect(r.exit.reason == 0)
        #expect(r.exit.esr == Self.sgiSyndrome(reg, rt: 7))
        #expect(r.exit.gpr(0) == value)
        #expect(r.exit.far == 0 && r.exit.hpfar == 0)
        #expect(r.exit.nonZeroWords(except: [0x100, 0x200, 0x390]).isEmpty)
        // The MSR is complete: the realm goes on after it, its registers as they were.
        let cpu = r.rec().cpu
        #expect(cpu.pc == 0x4004 && cpu.gprs[7] == value && cpu.gprs[8] == 0xA5A5_0000_0000_0008)
        #expect(r.machine.realmScript.count == 1)
    }

    @Test func sgiWriteFromXZRReportsZero() {
        let r = prepared()
        let msr = Step.sysreg(3, 0, 12, 11, 5, rt: 31, read: false,
                              edit: Self.realmRegisters(pc: 0x4000, rt: 31, value: 0))
        #expect(r.enter(script: [msr]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == Self.sgiSyndrome(ICC.sgi1r, rt: 31))
        #expect(r.exit.gpr(0) == 0 && r.exit.nonZeroWords(except: [0x100, 0x390]).isEmpty)
        #expect(r.rec().cpu.pc == 0x4004)
    }

    @Test func sgiExitSyndromeKeepsOnlyTheArchitectedFields() {
        let r = prepared()
        // RES0 ISS bits [24:22] and ISS2/upper bits set by a (hypothetical) future CPU.
        let raw = Self.sgiSyndrome(ICC.sgi1r, rt: 3) | 0x7 << 22 | 0xFFFF_FFFF << 32
        let msr = Step(.synchronous(esr: raw, far: 0x1234, hpfar: 0x5670),
                       edit: Self.realmRegisters(pc: 0x4000, rt: 3, value: 1 << 40 | 9 << 24))
        #expect(r.enter(script: [msr]).x0 == 0)
        #expect(r.exit.esr == Self.sgiSyndrome(ICC.sgi1r, rt: 3))
        #expect(SystemRegisterSyndrome.hostVisibleMask == 0xFE3F_FFFF)
        // FAR and HPFAR are not meaningful for a system-register trap: never reported.
        #expect(r.exit.far == 0 && r.exit.hpfar == 0 && r.exit.gpr(0) == 1 << 40 | 9 << 24)
    }

    @Test func sgiExitIsCompletedWithoutWriteBack() {
        let r = prepared()
        let msr = Step.sysreg(3, 0, 12, 11, 5, rt: 7, read: false,
                              edit: Self.realmRegisters(pc: 0x4000, rt: 7, value: 3 << 24 | 1))
        #expect(r.enter(script: [msr]).x0 == 0)
        // The host cannot complete it as MMIO or answer it with an SEA.
        #expect(r.enter(flags: 1) == RMIResult(x0: Status.rec))
        #expect(r.enter(flags: 1 << 1) == RMIResult(x0: Status.rec))
        // The next entry writes nothing back: RecEnter.gprs are ignored, the PC stays past the MSR.
        #expect(r.enter(gprs: Array(repeating: 0xBAD, count: 31)).x0 == 0)
        let s = r.lastRun.state
        #expect(s.pc == 0x4004 && s.gprs[0] == 0xA5A5_0000_0000_0000 && s.gprs[7] == 3 << 24 | 1)
        #expect(r.exit.reason == 1 && r.exit.esr == 0 && r.exit.gpr(0) == 0)
    }

    @Test(arguments: [ICC.sgi1r, ICC.asgi1r, ICC.sgi0r].map { [$0.0, $0.1, $0.2] })
    func sgiRegisterReadsAreUndefined(register: [UInt8]) {
        let r = prepared()
        let mrs = ICC.read((register[0], register[1], register[2]), into: 4) ~> { $0.el1.vbar = Self.vbar; $0.pc = 0x6000 }
        #expect(r.enter(script: [mrs]).x0 == 0)
        let s = r.lastRun.state
        #expect(s.pc == Self.vbar + 0x200 && s.el1.elr == 0x6000 && s.el1.esr == 1 << 25)
        // Handled in the TMM: the run ended with the script's IRQ, not with a SYNC exit.
        #expect(r.exit.reason == 1 && r.exit.esr == 0)
    }

    @Test func timerMasking() {
        let r = RunningRealm()
        // The realm's virtual timer fires while it runs: the hardware exits with an IRQ and
        // the host learns the timer state.
        #expect(r.enter(script: [Step(.irq) { $0.timers.cntvCTL = 0x5; $0.timers.cntvCVAL = 0x1234; $0.timers.cntpCVAL = 99 }]).x0 == 0)
        #expect(r.exit.cntvCTL == 0x5 && r.exit.cntvCVAL == 0x1234 && r.exit.cntpCTL == 0 && r.exit.cntpCVAL == 99)
        #expect(r.exit.nonZeroWords(except: [0, 0x390, 0x410, 0x418, 0x408]).isEmpty)
        // On the next entry the asserted timer is masked so the realm can take its interrupt.
        #expect(r.enter().x0 == 0)
        #expect(r.lastRun.controls.maskVirtualTimer && !r.lastRun.controls.maskPhysicalTimer)
        // IMASK set by the realm: no longer asserted. The change is reported at once (IRQ exit
        // before the realm runs again), then the mask is lifted.
        let runs = r.machine.runs.count
        #expect(r.enter(script: [.smc(RSI.version, 0x1_0000) ~> { $0.timers.cntvCTL = 0x7 }]).x0 == 0)
        #expect(r.machine.runs.count == runs + 1 && r.exit.reason == 1 && r.exit.cntvCTL == 0x7)
        #expect(r.enter().x0 == 0)
        #expect(!r.lastRun.controls.maskVirtualTimer)
        // The physical timer, likewise.
        #expect(r.enter(script: [Step(.irq) { $0.timers.cntpCTL = 0x5 }]).x0 == 0)
        #expect(r.enter().x0 == 0)
        #expect(r.lastRun.controls.maskPhysicalTimer && !r.lastRun.controls.maskVirtualTimer)
    }
}
