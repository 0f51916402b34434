// Exceptions the TMM takes into the realm by editing its state (Arm ARM AArch64.TakeException;
// TF-RMM rel0 inject_exp.c), and the synchronous exits it answers that way (TF-RMM rel0
// exit.c): ELR_EL1, SPSR_EL1, ESR_EL1, FAR_EL1, PC and PSTATE exactly.

import Testing
@testable import TMMCore

@Suite struct ExceptionInjectionTests {
    static let vbar: UInt64 = 0xFFFF_8000_0800_0000

    /// Sets up the realm's EL1 before the trapping instruction.
    static func at(_ pc: UInt64, pstate: UInt64 = 0x3C5, sctlr: UInt64 = RealmSCTLR.reset) -> (inout RealmCPUState) -> Void {
        { s in
            s.el1.vbar = vbar
            s.el1.sctlr = sctlr
            s.pc = pc
            s.pstate = pstate
        }
    }

    @Test func hvcIsUndefined() {
        let r = RunningRealm()
        let hvc = Step(.synchronous(esr: 0x16 << 26 | 1 << 25, far: 0, hpfar: 0)) { s in
            Self.at(0x4_0000, pstate: 0x8000_0005)(&s)
            s.pc = 0x4_0004                       // ELR_EL2 of an HVC: the next instruction
        }
        #expect(r.enter(script: [hvc]).x0 == 0)
        #expect(r.exit.reason == 1)               // handled in the TMM; the IRQ ends the run
        let s = r.machine.runs.last!.state
        #expect(s.el1.esr == 1 << 25 && s.el1.elr == 0x4_0000 && s.el1.spsr == 0x8000_0005)
        #expect(s.pc == Self.vbar + 0x200 && s.pstate == 0x8000_03C5)
    }

    @Test(arguments: [(UInt64(0x3C5), UInt64(0x200)), (0x3C4, 0x000), (0x0, 0x400), (0x10, 0x600)])
    func vectorDependsOnWhereTheExceptionCameFrom(pstate: UInt64, offset: UInt64) {
        let r = RunningRealm()
        let sve = Step(.synchronous(esr: 0x19 << 26 | 1 << 25, far: 0, hpfar: 0), edit: Self.at(0x7000, pstate: pstate))
        #expect(r.enter(script: [sve]).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.pc == Self.vbar + offset && s.el1.elr == 0x7000 && s.el1.spsr == pstate && s.el1.esr == 1 << 25)
        #expect(s.pstate == 0x3C5)
    }

    @Test func panFollowsSCTLRSPAN() {
        let r = RunningRealm()
        // SPAN = 0: PAN is set on entry. SPAN = 1: PAN keeps its value (here 1).
        let noSPAN = RealmSCTLR.reset & ~(1 << 23)
        #expect(r.enter(script: [Step(.synchronous(esr: 0x1D << 26, far: 0, hpfar: 0), edit: Self.at(0x7000, sctlr: noSPAN))]).x0 == 0)
        #expect(r.machine.runs.last!.state.pstate == 0x3C5 | 1 << 22)
        let pan = Step(.synchronous(esr: 0x1D << 26, far: 0, hpfar: 0), edit: Self.at(0x7000, pstate: 0x5 | 1 << 22))
        #expect(r.enter(script: [pan]).x0 == 0)
        #expect(r.machine.runs.last!.state.pstate == 0x3C5 | 1 << 22)
        // DSSBS sets SSBS; DIT is kept.
        let ssbs = Step(.synchronous(esr: 0x1D << 26, far: 0, hpfar: 0), edit: Self.at(0x7000, pstate: 0x5 | 1 << 24, sctlr: RealmSCTLR.reset | 1 << 44))
        #expect(r.enter(script: [ssbs]).x0 == 0)
        #expect(r.machine.runs.last!.state.pstate == 0x3C5 | 1 << 24 | 1 << 12)
    }

    @Test func writesToFeatureIDRegistersAreUndefined() {
        let r = RunningRealm()
        // MSR ID_AA64PFR0_EL1, x5: the ID registers are read-only; x5 untouched.
        let trap = Step.sysreg(3, 0, 0, 4, 0, rt: 5, read: false) ~> Self.at(0x9000)
        #expect(r.enter(script: [trap]).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.pc == Self.vbar + 0x200 && s.el1.elr == 0x9000 && s.el1.esr == 1 << 25 && s.gprs[5] == 6)
    }

    /// Registers the TMM traps but does not give realms (debug, PMU, set/way maintenance,
    /// implementation defined) are RAZ/WI: the instruction completes, a read gives 0, and
    /// nothing is injected.
    @Test(arguments: [
        (UInt8(2), UInt8(0), UInt8(0), UInt8(2), UInt8(2), false),   // MSR MDSCR_EL1
        (2, 0, 1, 0, 4, false),                                      // MSR OSLAR_EL1
        (2, 0, 0, 0, 5, true),                                       // MRS DBGBCR0_EL1
        (3, 3, 9, 12, 0, true),                                      // MRS PMCR_EL0
        (3, 0, 1, 0, 1, true),                                       // MRS ACTLR_EL1
        (1, 0, 7, 14, 2, false),                                     // DC CISW
        (3, 0, 15, 2, 0, true),                                      // implementation defined
    ])
    func trappedRegistersRealmsDoNotHaveAreRAZWI(op0: UInt8, op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8, read: Bool) {
        let r = RunningRealm()
        let trap = Step.sysreg(op0, op1, crn, crm, op2, rt: 7, read: read) ~> { s in
            Self.at(0x9000)(&s)
            s.gprs[7] = 0x1234
        }
        #expect(r.enter(script: [trap]).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.pc == 0x9004 && s.el1.esr == 0)
        #expect(s.gprs[7] == (read ? 0 : 0x1234))
    }

    /// What a realm reads from the feature ID registers, on a CPU that has every feature
    /// (every field 0xF) and one with distinct values. Expected values are written out field
    /// by field from the Arm ARM's layouts.
    @Test func featureIDRegistersHideWhatRealmsAreNotGiven() {
        var all = CPUFeatureRegisters()
        all.pfr0 = ~0; all.pfr1 = ~0; all.dfr0 = ~0; all.isar0 = 0x0123_4567_89AB_CDEF; all.isar1 = ~0; all.isar2 = ~0
        all.mmfr0 = 0x1122_3344_5566_7788; all.mmfr1 = ~0; all.mmfr2 = ~0
        var caps = Harness.defaultCapabilities
        caps.featureRegisters = all
        let r = RunningRealm(capabilities: caps)
        let expected: [(crm: UInt8, op2: UInt8, value: UInt64)] = [
            (4, 0, 0xFFFF_00F0_FFFF_FFFF),   // PFR0: SVE [35:32], MPAM [43:40], AMU [47:44] clear
            (4, 1, 0xFFFF_000F_F0F0_F0FF),   // PFR1: MTE, MPAM_frac, SME, NMI, MTE_frac, GCS clear
            (4, 4, 0),                       // ZFR0: no SVE
            (4, 5, 0),                       // SMFR0: no SME
            (5, 0, 0x0000_00F0_0010_1006),   // DFR0: DebugVer v8, 2 BRPs, 2 WRPs, DoubleLock kept
            (5, 1, 0),                       // DFR1
            (5, 4, 0),                       // AFR0: implementation defined, not passed on
            (6, 0, 0x0123_4567_89AB_CDEF),   // ISAR0: unchanged
            (6, 1, 0x0FFF_FFFF_00FF_F00F),   // ISAR1: APA, API, GPA, GPI, LS64 clear
            (6, 2, 0xFFFF_FFFF_F0F0_00FF),   // ISAR2: GPA3, APA3, MOPS, PAC_frac clear
            (7, 0, 0x1122_3344_5566_7788),   // MMFR0: unchanged
            (7, 1, 0xFFFF_FFFF_FFF0_FFFF),   // MMFR1: LO clear
            (7, 2, 0xFFFF_FFFF_F0FF_FFFF),   // MMFR2: NV clear
            (7, 3, 0),                       // MMFR3: newer than this TMM
            (1, 0, 0),                       // ID_PFR0_EL1: AArch32 registers read as zero
            (3, 7, 0),                       // reserved encoding
        ]
        for e in expected {
            let read = Step.sysreg(3, 0, 0, e.crm, e.op2, rt: 3, read: true) ~> Self.at(0x9000)
            #expect(r.enter(script: [read]).x0 == 0)
            let s = r.machine.runs.last!.state
            #expect(s.gprs[3] == e.value, "CRm \(e.crm) op2 \(e.op2)")
            #expect(s.pc == 0x9004 && s.el1.esr == 0)
        }
        // A read into XZR changes nothing but completes.
        let xzr = Step.sysreg(3, 0, 0, 4, 0, rt: 31, read: true) ~> Self.at(0x9000)
        #expect(r.enter(script: [xzr]).x0 == 0)
        #expect(r.machine.runs.last!.state.pc == 0x9004)
    }

    @Test func dataAbortOutsideTheIPASpaceOrAtEmptyRIPAS() {
        let r = RunningRealm()
        let iss = Step.accessISS(srt: 3, sas: 3, write: false)
        for ipa in [UInt64(1) << 40, 0x8000] {
            let abort = Step(.synchronous(esr: 0x24 << 26 | 1 << 25 | iss, far: 0xFFFF_0000_0000_8010, hpfar: (ipa >> 12) << 4),
                             edit: Self.at(0x6000, pstate: 0x5))
            #expect(r.enter(script: [abort]).x0 == 0)
            #expect(r.exit.reason == 1)
            let s = r.machine.runs.last!.state
            #expect(s.el1.esr == 0x25 << 26 | 1 << 25 | iss & ~0x3F | 1 << 9 | 0x10)
            #expect(s.el1.far == 0xFFFF_0000_0000_8010 && s.el1.elr == 0x6000 && s.el1.spsr == 0x5)
            #expect(s.pc == Self.vbar + 0x200 && s.pstate == 0x3C5)
        }
        // From EL0: EC 0x24 and the lower-EL vector.
        let el0 = Step(.synchronous(esr: 0x24 << 26 | 1 << 25 | 0x07 | 1 << 10 | 1 << 7, far: 0x40, hpfar: 0x80),
                       edit: Self.at(0x6000, pstate: 0x0))
        #expect(r.enter(script: [el0]).x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.el1.esr == 0x24 << 26 | 1 << 25 | 1 << 9 | 0x10)   // FnV and S1PTW cleared
        #expect(s.pc == Self.vbar + 0x400)
    }

    @Test func dataAbortAtUnmappedRAMGoesToTheHost() {
        let r = RunningRealm(ramRanges: [(0x10000, 0x20000)])
        let store = Step.accessISS(srt: 4, sas: 3, write: true)
        #expect(r.enter(script: [.dataAbort(ipa: 0x12345, va: 0xABCDE, iss: store) ~> { $0.gprs[4] = 0x5EC2E7 }]).x0 == 0)
        // Only class, error type, FnV, EA and fault status: no ISV, no value, no FAR.
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x07 && r.exit.far == 0 && r.exit.hpfar == 0x120)
        #expect(r.exit.nonZeroWords(except: [0x100, 0x110, 0x390]).isEmpty)
        // A DESTROYED page is reported the same way (the host cannot map it; TF-RMM rel0).
        #expect(r.h.call(.dataDestroy, r.realm.rd, 0x1000).x0 == 0)
        #expect(r.enter(script: [.dataAbort(ipa: 0x1000, va: 0, iss: store)]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x07 && r.exit.hpfar == 0x10)
    }

    @Test func aarch32AccessesAreNotEmulated() {
        let r = RunningRealm()
        let store = Step.accessISS(srt: 4, sas: 2, write: true)
        #expect(r.enter(script: [.dataAbort(ipa: r.parSize + 0x1000, va: 0x1234, iss: store) ~> { $0.pstate = 0x10 }]).x0 == 0)
        #expect(r.exit.esr == 0x24 << 26 | 0x07 && r.exit.far == 0 && r.exit.gpr(0) == 0)
        #expect(r.enter(flags: 1) == RMIResult(x0: Status.rec))
    }

    @Test func instructionAborts() {
        let r = RunningRealm(ramRanges: [(0x10000, 0x20000)])
        // Fetching from unprotected memory, outside the IPA space, or RIPAS EMPTY: SEA.
        for ipa in [r.parSize + 0x1000, UInt64(1) << 40, 0x8000] {
            let fetch = Step.instructionAbort(ipa: ipa, va: 0x7000) ~> Self.at(0x7000)
            #expect(r.enter(script: [fetch]).x0 == 0)
            let s = r.machine.runs.last!.state
            #expect(s.el1.esr == 0x21 << 26 | 1 << 25 | 1 << 9 | 0x10 && s.el1.far == 0x7000 && s.el1.elr == 0x7000)
            #expect(s.pc == Self.vbar + 0x200)
        }
        // Protected RAM the host has not mapped: reported.
        #expect(r.enter(script: [.instructionAbort(ipa: 0x13000, va: 0x7000)]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x20 << 26 | 0x07 && r.exit.hpfar == 0x130 && r.exit.far == 0)
        // A permission fault cannot happen with the TMM's mappings: the host learns nothing.
        #expect(r.enter(script: [.instructionAbort(ipa: 0x13000, va: 0x7000, fsc: 0x0F)]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.nonZeroWords(except: [0x390]).isEmpty)
    }

    @Test func externalAborts() {
        let r = RunningRealm()
        // Recoverable (SET = 0b00 UER): injected and reported.
        let uer = Step(.synchronous(esr: 0x24 << 26 | 1 << 25 | 1 << 24 | 0x10, far: 0x1234, hpfar: 0x10), edit: Self.at(0x6000))
        #expect(r.enter(script: [uer]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x10 && r.exit.far == 0 && r.exit.hpfar == 0)
        #expect(r.rec().cpu.pc == Self.vbar + 0x200 && r.rec().cpu.el1.far == 0x1234)
        // Restartable (SET = 0b11 UEO): reported only; the realm retries.
        let ueo = Step(.synchronous(esr: 0x24 << 26 | 0x3 << 11 | 0x13, far: 0x1234, hpfar: 0x10), edit: Self.at(0x6000))
        #expect(r.enter(script: [ueo]).x0 == 0)
        #expect(r.exit.esr == 0x24 << 26 | 0x3 << 11 | 0x13 && r.rec().cpu.pc == 0x6000)
        // Uncontainable (SET = 0b10 UC): handled as a recoverable one, injected and reported.
        let uc = Step(.synchronous(esr: 0x24 << 26 | 0x2 << 11 | 0x10, far: 0x1234, hpfar: 0x10), edit: Self.at(0x6000))
        #expect(r.enter(script: [uc]).x0 == 0)
        #expect(r.exit.esr == 0x24 << 26 | 0x2 << 11 | 0x10 && r.rec().cpu.pc == Self.vbar + 0x200)
    }

    @Test func unexpectedExceptionClassesTellTheHostNothing() {
        let r = RunningRealm()
        // A BRK (EC 0x3C) or an FP trap the TMM never asks for.
        for esr: UInt64 in [0x3C << 26 | 0xFFFF, 0x07 << 26 | 1 << 25, 0x00 << 26] {
            #expect(r.enter(script: [Step(.synchronous(esr: esr, far: 0x1234, hpfar: 0x5670))]).x0 == 0)
            #expect(r.exit.reason == 0 && r.exit.nonZeroWords(except: [0x390]).isEmpty)
        }
    }
}
