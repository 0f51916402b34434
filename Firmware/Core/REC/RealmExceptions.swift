// Taking an exception into the realm's EL1 in software, as the architecture's exception entry
// does (Arm ARM AArch64.TakeException; TF-RMM rel0 runtime/core/inject_exp.c follows the
// same pseudocode): save the return address and PSTATE in ELR_EL1/SPSR_EL1, write ESR_EL1
// (and FAR_EL1 for aborts), then continue at VBAR_EL1 + the vector offset for the EL and
// stack pointer the exception came from, at EL1h with every exception masked.
//
// Only `RealmCPUState` changes: the hardware then simply runs the realm from the new PC.

enum RealmPSTATE {
    /// M[3:0] = EL1h (EL1 with SP_EL1); M[4] = 1 would be AArch32.
    static let el1h: UInt64 = 0b0101
    static let el1t: UInt64 = 0b0100
    static let el0t: UInt64 = 0b0000
    static let modeMask: UInt64 = 0xF
    static let aarch32: UInt64 = 1 << 4
    static let f: UInt64 = 1 << 6
    static let i: UInt64 = 1 << 7
    static let a: UInt64 = 1 << 8
    static let d: UInt64 = 1 << 9
    static let daif: UInt64 = d | a | i | f
    static let ssbs: UInt64 = 1 << 12
    static let pan: UInt64 = 1 << 22
    static let dit: UInt64 = 1 << 24
    static let nzcv: UInt64 = 0xF << 28

    /// The state of a REC at REC_CREATE and after PSCI CPU_ON (DEN0137 A2.3.3): EL1h, AArch64,
    /// every exception masked.
    static let reset: UInt64 = el1h | daif
}

enum RealmSCTLR {
    static let ee: UInt64 = 1 << 25
    static let span: UInt64 = 1 << 23
    static let dssbs: UInt64 = 1 << 44

    /// SCTLR_EL1 of a REC at REC_CREATE and CPU_ON: MMU and caches off, little-endian, and
    /// 1 in every bit that is RES1 when its feature is absent (LSMAOE 29, nTLSMD 28, SPAN 23,
    /// EIS 22, TSCXT 20, EOS 11) or whose safe value is 1 (nTWE 18, nTWI 16: WFE/WFI not
    /// trapped to EL1; nAA 6, CP15BEN 5, SA0 4, SA 3). TF-RMM's SCTLR_EL1_FLAGS plus the
    /// three RES1 bits it leaves out.
    static let reset: UInt64 = 1 << 29 | 1 << 28 | 1 << 23 | 1 << 22 | 1 << 20 | 1 << 18 | 1 << 16
        | 1 << 11 | 1 << 6 | 1 << 5 | 1 << 4 | 1 << 3
}

enum RealmException {
    /// Vector offsets from VBAR_EL1 (Arm ARM D1.3.1).
    static let currentSP0: UInt64 = 0x000
    static let currentSPx: UInt64 = 0x200
    static let lowerAArch64: UInt64 = 0x400
    static let lowerAArch32: UInt64 = 0x600
    static let synchronous: UInt64 = 0x000
    static let irq: UInt64 = 0x080

    /// ESR_EL1 of an Undefined Instruction exception: EC 0 with IL set.
    static let undefinedSyndrome: UInt64 = ExceptionClass.instructionLength

    /// Where the exception is taken from: the vector group of the mode in `pstate`.
    static func vectorGroup(_ pstate: UInt64) -> UInt64 {
        if pstate & RealmPSTATE.aarch32 != 0 { return lowerAArch32 }
        switch pstate & RealmPSTATE.modeMask {
        case RealmPSTATE.el0t: return lowerAArch64
        case RealmPSTATE.el1t: return currentSP0
        // EL1h, and any mode the realm cannot be in (EL2/EL3): treated as EL1h.
        default: return currentSPx
        }
    }

    static func fromEL0(_ pstate: UInt64) -> Bool {
        pstate & RealmPSTATE.aarch32 != 0 || pstate & RealmPSTATE.modeMask == RealmPSTATE.el0t
    }

    /// PSTATE on exception entry to EL1 (AArch64.TakeException): EL1h, DAIF masked, NZCV and
    /// DIT kept, PAN set unless SCTLR_EL1.SPAN says to keep it, SSBS from SCTLR_EL1.DSSBS
    /// (RES0 without FEAT_SSBS, so 0 there); IL, SS, BTYPE, UAO and every other bit 0. The
    /// FEAT_NMI, FEAT_MTE2 and FEAT_GCS bits stay 0: realms get none of those features.
    static func enteredPSTATE(from old: UInt64, sctlr: UInt64) -> UInt64 {
        var p = RealmPSTATE.el1h | RealmPSTATE.daif | old & (RealmPSTATE.nzcv | RealmPSTATE.dit)
        if sctlr & RealmSCTLR.span == 0 || old & RealmPSTATE.pan != 0 { p |= RealmPSTATE.pan }
        if sctlr & RealmSCTLR.dssbs != 0 { p |= RealmPSTATE.ssbs }
        return p
    }

    /// Takes an exception to the realm's EL1 with return address `returnAddress`.
    static func take(_ state: inout RealmCPUState, offset: UInt64, returnAddress: UInt64) {
        let old = state.pstate
        state.el1.elr = returnAddress
        state.el1.spsr = old
        state.pc = state.el1.vbar &+ vectorGroup(old) &+ offset
        state.pstate = enteredPSTATE(from: old, sctlr: state.el1.sctlr)
    }

    /// An Undefined Instruction exception for the instruction at `address` (an HVC, a
    /// system-register access or an SVE/SME instruction the realm may not use).
    static func injectUndefined(_ state: inout RealmCPUState, at address: UInt64) {
        state.el1.esr = undefinedSyndrome
        take(&state, offset: synchronous, returnAddress: address)
    }

    /// A synchronous external abort for the access described by `esr` (an ESR_EL2 of a data or
    /// instruction abort from the realm) at virtual address `far`, by the instruction at
    /// `state.pc`. ESR_EL1 keeps the ISS except the fault status (SEA, 0x10), FnV and S1PTW
    /// (cleared), with EA set and the class for the EL the abort came from.
    static func injectSynchronousExternalAbort(_ state: inout RealmCPUState, esr: UInt64, far: UInt64) {
        var ec = ExceptionClass.of(esr) == ExceptionClass.instructionAbortLower
            ? ExceptionClass.instructionAbortLower : ExceptionClass.dataAbortLower
        // EC 0x21/0x25: the abort was taken without a change of EL.
        if !fromEL0(state.pstate) { ec += 1 }
        let keep = esr & ~(ExceptionClass.mask | DataAbortSyndrome.fscMask | DataAbortSyndrome.fnv | DataAbortSyndrome.s1ptw)
            & 0xFFFF_FFFF
        state.el1.esr = keep | ec << ExceptionClass.shift | DataAbortSyndrome.externalAbort
            | DataAbortSyndrome.fscSynchronousExternal
        state.el1.far = far
        take(&state, offset: synchronous, returnAddress: state.pc)
    }

    /// An IRQ, taken before the instruction at `state.pc` (the emulated GIC's; see the run
    /// loop).
    static func injectIRQ(_ state: inout RealmCPUState) {
        take(&state, offset: irq, returnAddress: state.pc)
    }
}
