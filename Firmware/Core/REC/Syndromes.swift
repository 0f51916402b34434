// ESR_EL2 fields of the exceptions a realm takes to the TMM (Arm ARM D24.2.40 ESR_EL2), and
// the masks that decide which of them the host may see (DEN0137 A4.3 "REC exit due to Data
// Abort"; the same field sets as TF-RMM rel0 lib/arch esr.h ESR_NONEMULATED_ABORT_MASK,
// ESR_EMULATED_ABORT_MASK, ESR_SERROR_MASK). Every function takes any 64-bit value: an ESR
// is hardware-reported but describes what the realm did, so nothing here trusts it.

enum ExceptionClass {
    static let unknown: UInt64 = 0x00
    static let wfx: UInt64 = 0x01
    static let hvc32: UInt64 = 0x12
    static let hvc64: UInt64 = 0x16
    static let smc64: UInt64 = 0x17
    static let systemRegister: UInt64 = 0x18
    static let sve: UInt64 = 0x19
    static let sme: UInt64 = 0x1D
    static let instructionAbortLower: UInt64 = 0x20
    static let dataAbortLower: UInt64 = 0x24
    static let serror: UInt64 = 0x2F

    static let shift: UInt64 = 26
    static let mask: UInt64 = 0x3F << 26
    /// IL: the trapped instruction was 32 bits.
    static let instructionLength: UInt64 = 1 << 25

    static func of(_ esr: UInt64) -> UInt64 { esr >> shift & 0x3F }
}

/// ESR_EL2 fields for data and instruction aborts from a lower EL.
enum DataAbortSyndrome {
    static let classDataAbortLower: UInt64 = ExceptionClass.dataAbortLower

    static let isv: UInt64 = 1 << 24
    static let sasMask: UInt64 = 0x3 << 22
    static let sixtyFour: UInt64 = 1 << 15
    static let setMask: UInt64 = 0x3 << 11
    static let fnv: UInt64 = 1 << 10
    static let externalAbort: UInt64 = 1 << 9
    static let s1ptw: UInt64 = 1 << 7
    static let writeNotRead: UInt64 = 1 << 6
    static let fscMask: UInt64 = 0x3F

    /// Fault status codes.
    static let fscTranslationLevel0: UInt64 = 0x04
    static let fscSynchronousExternal: UInt64 = 0x10
    static let fscExternalOnWalkFirst: UInt64 = 0x13
    static let fscExternalOnWalkLast: UInt64 = 0x17

    /// SET (synchronous error type, Arm ARM ESR_ELx ISS for a data abort with DFSC 0b010000):
    /// 0b00 recoverable (UER), 0b10 uncontainable (UC), 0b11 restartable (UEO).
    static let setRestartable: UInt64 = 0x3 << 11

    /// What the host learns of an abort it cannot emulate: the class, the error type and
    /// the fault status (with FnV and EA), nothing about the instruction.
    static let nonEmulatedMask: UInt64 = ExceptionClass.mask | setMask | fnv | externalAbort | fscMask
    /// ...and of an emulatable one: also ISV, the access size, SF and the direction. Never
    /// the register number (SRT) or sign extension: the TMM applies those itself.
    static let emulatedMask: UInt64 = nonEmulatedMask | isv | sasMask | sixtyFour | writeNotRead

    static func exceptionClass(_ esr: UInt64) -> UInt64 { ExceptionClass.of(esr) }
    static func isValidSyndrome(_ esr: UInt64) -> Bool { esr & isv != 0 }
    static func isWrite(_ esr: UInt64) -> Bool { esr & writeNotRead != 0 }
    static func register(_ esr: UInt64) -> Int { Int(esr >> 16 & 0x1F) }
    static func accessBytes(_ esr: UInt64) -> UInt64 { 1 << (esr >> 22 & 0x3) }
    static func signExtends(_ esr: UInt64) -> Bool { esr & 1 << 21 != 0 }
    static func is64Bit(_ esr: UInt64) -> Bool { esr & sixtyFour != 0 }
    static func faultStatus(_ esr: UInt64) -> UInt64 { esr & fscMask }

    /// A synchronous external abort, on the access itself or on a translation table walk.
    static func isExternalAbort(_ esr: UInt64) -> Bool {
        let fsc = faultStatus(esr)
        return fsc == fscSynchronousExternal || (fsc >= fscExternalOnWalkFirst && fsc <= fscExternalOnWalkLast)
    }

    static func isTranslationFault(_ esr: UInt64) -> Bool { faultStatus(esr) & ~0x3 == fscTranslationLevel0 }

    /// Mask of the bytes an access of this size moves.
    static func accessMask(_ esr: UInt64) -> UInt64 {
        let bytes = accessBytes(esr)
        return bytes == 8 ? UInt64.max : (1 << (bytes * 8)) - 1
    }

    /// The IPA of the faulting page from HPFAR_EL2.FIPA (bits [43:4]: IPA[51:12]). Bits
    /// outside the field (HPFAR_EL2.NS among them) are dropped.
    static func faultingIPA(hpfar: UInt64) -> UInt64 { (hpfar >> 4 & 0xFF_FFFF_FFFF) << 12 }

    /// HPFAR_EL2 as the host sees it: the FIPA field only.
    static func sanitizedHPFAR(_ hpfar: UInt64) -> UInt64 { hpfar & 0xFF_FFFF_FFFF << 4 }

    /// A stage-2 translation fault at `level` at `ipa`, as TF-RMM's emulate_stage2_data_abort
    /// reports it when an RSI command needs a page the host has not mapped.
    static func emulatedTranslationFault(level: Int) -> UInt64 {
        ExceptionClass.dataAbortLower << ExceptionClass.shift | fscTranslationLevel0 + UInt64(level & 0x3)
    }
}

/// ESR_EL2 of a trapped WFI/WFE (EC 0x01): TI bit 0 tells WFE (1) from WFI (0).
enum WFxSyndrome {
    static let hostVisibleMask: UInt64 = ExceptionClass.mask | 1

    /// TI [1:0]: 0b00 WFI, 0b10 WFIT (FEAT_WFxT); bit 0 set for WFE and WFET.
    static func isWFI(_ esr: UInt64) -> Bool { esr & 1 == 0 }
}

/// ESR_EL2 of an SError: what the host may see (EC, IDS, AET, EA, DFSC).
enum SErrorSyndrome {
    static let hostVisibleMask: UInt64 = ExceptionClass.mask | 1 << 24 | 0x7 << 10 | 1 << 9 | 0x3F
}

/// ESR_EL2 of a trapped MSR/MRS the host emulates (EC 0x18; today the SGI register writes):
/// EC, IL and the ISS fields the architecture defines for the class, Op0 [21:20], Op2 [19:17],
/// Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0]. The host needs the register
/// encoding to know what to emulate, and Rt because a hypervisor's generic system-register code
/// (KVM's among them) reads the written value from that register, which it loads from
/// RecExit.gprs[0]. TF-RMM rel0 passes ESR_EL2 whole for these exits
/// handle_icc_el1_sysreg_trap); this mask keeps the same bits for every syndrome the
/// architecture can produce and drops ISS bits [24:22] and ISS2/[63:32], which are RES0 for
/// EC 0x18, so nothing a future extension puts there reaches the host unexamined.
enum SystemRegisterSyndrome {
    static let hostVisibleMask: UInt64 = ExceptionClass.mask | ExceptionClass.instructionLength | 0x3F_FFFF
}

/// ESR_EL2 ISS of a trapped MSR/MRS (EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14],
/// CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1 = read).
struct SystemRegisterAccess: Equatable {
    var op0: UInt8
    var op1: UInt8
    var crn: UInt8
    var crm: UInt8
    var op2: UInt8
    var rt: Int
    var isRead: Bool

    init(esr: UInt64) {
        op0 = UInt8(esr >> 20 & 0x3)
        op2 = UInt8(esr >> 17 & 0x7)
        op1 = UInt8(esr >> 14 & 0x7)
        crn = UInt8(esr >> 10 & 0xF)
        rt = Int(esr >> 5 & 0x1F)
        crm = UInt8(esr >> 1 & 0xF)
        isRead = esr & 1 != 0
    }

    /// Which of the TMM's handlers owns the access.
    enum Group: Equatable {
        /// The feature ID space: op0 3, op1 0, CRn 0, CRm 1-7 (HCR_EL2.TID3).
        case featureID
        /// The GIC CPU interface: ICC_PMR_EL1 (op0 3, op1 0, CRn 4, CRm 6, op2 0) and the
        /// ICC registers at op0 3, op1 0, CRn 12.
        case gicCPUInterface
        /// CPACR_EL1 (op0 3, op1 0, CRn 1, CRm 0, op2 2; CPTR_EL2.TCPAC).
        case architecturalFeatureAccessControl
        case other
    }

    var group: Group {
        guard op0 == 3, op1 == 0 else { return .other }
        if crn == 0 && crm >= 1 && crm <= 7 { return .featureID }
        if crn == 12 || (crn == 4 && crm == 6 && op2 == 0) { return .gicCPUInterface }
        if crn == 1 && crm == 0 && op2 == 2 { return .architecturalFeatureAccessControl }
        return .other
    }

    /// The ISS for op0/op1/CRn/CRm/op2, register and direction (tests build traps with it).
    static func syndrome(op0: UInt8, op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8, rt: Int, read: Bool) -> UInt64 {
        ExceptionClass.systemRegister << ExceptionClass.shift | ExceptionClass.instructionLength
            | UInt64(op0 & 3) << 20 | UInt64(op2 & 7) << 17 | UInt64(op1 & 7) << 14 | UInt64(crn & 0xF) << 10
            | UInt64(rt & 0x1F) << 5 | UInt64(crm & 0xF) << 1 | (read ? 1 : 0)
    }
}
