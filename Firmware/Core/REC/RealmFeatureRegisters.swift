// What a realm reads from the AArch64 feature ID registers. HCR_EL2.TID3 traps every EL1 read
// of the ID space (op0 3, op1 0, CRn 0, CRm 1-7) to the TMM, which answers from the CPU's own
// values with the features it does not give realms taken out. An OS enables what these fields
// advertise (Linux turns on pointer authentication, MTE, SVE, SME, the PMU... from them), so a
// feature whose state the TMM does not switch, or whose controls it traps, must read as absent:
// otherwise an unmodified guest takes UNDEFINED exceptions, or worse, shares state with the
// normal world. TF-RMM rel0 (runtime/core/sysregs.c) hides the same class of features.
//
// The realm's view is an allowlist by register: the AArch64 registers named in
// `CPUFeatureRegisters` pass through with fields cleared or fixed; every other encoding of the
// ID space (AArch32 registers, ZFR0, SMFR0, AFR0/1, registers newer than this TMM) reads as
// zero, so a future CPU's new feature is hidden until someone decides to expose it.

/// The CPU's own AArch64 feature ID registers, read once at boot (host tests choose them).
public struct CPUFeatureRegisters: Equatable, Sendable {
    public var pfr0: UInt64 = 0    // ID_AA64PFR0_EL1
    public var pfr1: UInt64 = 0    // ID_AA64PFR1_EL1
    public var dfr0: UInt64 = 0    // ID_AA64DFR0_EL1
    public var isar0: UInt64 = 0   // ID_AA64ISAR0_EL1
    public var isar1: UInt64 = 0   // ID_AA64ISAR1_EL1
    public var isar2: UInt64 = 0   // ID_AA64ISAR2_EL1
    public var mmfr0: UInt64 = 0   // ID_AA64MMFR0_EL1
    public var mmfr1: UInt64 = 0   // ID_AA64MMFR1_EL1
    public var mmfr2: UInt64 = 0   // ID_AA64MMFR2_EL1

    public init() {}
}

enum RealmFeatureRegisters {
    /// A 4-bit ID field at `shift`.
    private static func field(_ shift: UInt64) -> UInt64 { 0xF << shift }

    /// ID_AA64PFR0_EL1: SVE [35:32] (the TMM switches no SVE state; RMI FEATURES says SVE_EN 0),
    /// MPAM [43:40] (not switched), AMU [47:44] (CPTR_EL2.TAM traps it).
    static let pfr0Hidden = field(32) | field(40) | field(44)

    /// ID_AA64PFR1_EL1: MTE [11:8] (tag registers trapped by HCR_EL2.ATA = 0), MPAM_frac
    /// [19:16], SME [27:24] (CPTR_EL2.TSM), NMI [39:36] (ALLINT not switched), MTE_frac
    /// [43:40], GCS [47:44] (GCS registers not switched).
    static let pfr1Hidden = field(8) | field(16) | field(24) | field(36) | field(40) | field(44)

    /// ID_AA64DFR0_EL1: realms get no self-hosted debug (MDCR_EL3.SDD disables debug in the
    /// Secure state; the debug registers are RAZ/WI), no PMU, trace, SPE or BRBE. Only
    /// DoubleLock [39:36] is the CPU's; the rest is fixed as TF-RMM fixes it: DebugVer [3:0]
    /// Armv8 (6), BRPs [15:12] and WRPs [23:20] 1 (two of each, the minimum the architecture
    /// allows), every other field 0.
    static let dfr0FromCPU = field(36)
    static let dfr0Fixed: UInt64 = 0x6 | 0x1 << 12 | 0x1 << 20

    /// ID_AA64ISAR1_EL1: APA [7:4], API [11:8], GPA [27:24], GPI [31:28]: the pointer
    /// authentication keys are not switched (HCR_EL2.API/APK stay 0), so with these fields
    /// zero an OS leaves SCTLR_EL1.EnIA..EnDB clear and PACIASP-style hints stay NOPs.
    /// LS64 [63:60]: its HCRX_EL2 enables are not set.
    static let isar1Hidden = field(4) | field(8) | field(24) | field(28) | field(60)

    /// ID_AA64ISAR2_EL1: GPA3 [11:8], APA3 [15:12], PAC_frac [27:24] (pointer authentication,
    /// as above), MOPS [19:16] (HCRX_EL2.MSCEn is not set).
    static let isar2Hidden = field(8) | field(12) | field(16) | field(24)

    /// ID_AA64MMFR1_EL1: LO [19:16] (LORegion registers are trapped by HCR_EL2.TLOR and RAZ/WI).
    static let mmfr1Hidden = field(16)

    /// ID_AA64MMFR2_EL1: NV [27:24] (realms have no EL2 to nest).
    static let mmfr2Hidden = field(24)

    /// The value a realm reads from ID register op0 3, op1 0, CRn 0, `crm`, `op2`.
    static func value(crm: UInt8, op2: UInt8, cpu: CPUFeatureRegisters) -> UInt64 {
        switch (crm, op2) {
        case (4, 0): return cpu.pfr0 & ~pfr0Hidden
        case (4, 1): return cpu.pfr1 & ~pfr1Hidden
        case (5, 0): return cpu.dfr0 & dfr0FromCPU | dfr0Fixed
        case (6, 0): return cpu.isar0
        case (6, 1): return cpu.isar1 & ~isar1Hidden
        case (6, 2): return cpu.isar2 & ~isar2Hidden
        case (7, 0): return cpu.mmfr0
        case (7, 1): return cpu.mmfr1 & ~mmfr1Hidden
        case (7, 2): return cpu.mmfr2 & ~mmfr2Hidden
        default: return 0
        }
    }
}
