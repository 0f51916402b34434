import AArch64

// Feature fields of the ID registers (Arm ARM D19.2), read once where a decision needs them.

enum CPUFeatures {
    private static func field(_ register: UInt64, _ shift: UInt64) -> UInt64 { register >> shift & 0xF }

    /// FEAT_SEL2: ID_AA64PFR0_EL1.SEL2, bits [39:36].
    static var hasSecureEL2: Bool { field(read_id_aa64pfr0_el1(), 36) == 1 }
    /// FEAT_SVE: ID_AA64PFR0_EL1.SVE, bits [35:32].
    static var hasSVE: Bool { field(read_id_aa64pfr0_el1(), 32) != 0 }
    /// FEAT_SME: ID_AA64PFR1_EL1.SME, bits [27:24].
    static var hasSME: Bool { field(read_id_aa64pfr1_el1(), 24) != 0 }
    /// FEAT_MTE2 and later: ID_AA64PFR1_EL1.MTE, bits [11:8], value 2 or more.
    static var hasMTE2: Bool { field(read_id_aa64pfr1_el1(), 8) >= 2 }
    /// Pointer authentication: any of APA, API, GPA, GPI in ID_AA64ISAR1_EL1, or APA3/GPA3
    /// in ID_AA64ISAR2_EL1 (not read here: QEMU 7.2 reports PAuth through ISAR1).
    static var hasPointerAuthentication: Bool {
        let isar1 = read_id_aa64isar1_el1()
        return field(isar1, 4) | field(isar1, 8) | field(isar1, 24) | field(isar1, 28) != 0
    }
    /// ID_AA64ISAR0_EL1.SHA2, bits [15:12]: 1 = FEAT_SHA256, 2 = FEAT_SHA256 and FEAT_SHA512.
    static var sha2Instructions: UInt64 { field(read_id_aa64isar0_el1(), 12) }
    /// FEAT_FGT: ID_AA64MMFR0_EL1.FGT, bits [59:56].
    static var hasFineGrainedTraps: Bool { field(read_id_aa64mmfr0_el1(), 56) != 0 }
    /// FEAT_ECV: ID_AA64MMFR0_EL1.ECV, bits [63:60].
    static var hasEnhancedCounterVirtualization: Bool { field(read_id_aa64mmfr0_el1(), 60) != 0 }
    /// FEAT_HCX: ID_AA64MMFR1_EL1.HCX, bits [43:40].
    static var hasHCRX: Bool { field(read_id_aa64mmfr1_el1(), 40) != 0 }
    /// FEAT_CSV2_2 (SCXTNUM registers): ID_AA64PFR0_EL1.CSV2, bits [59:56], value 2 or more.
    static var hasSCXTNUM: Bool { field(read_id_aa64pfr0_el1(), 56) >= 2 }
    /// FEAT_VHE: ID_AA64MMFR1_EL1.VH, bits [11:8].
    static var hasVHE: Bool { field(read_id_aa64mmfr1_el1(), 8) != 0 }
    /// Number of breakpoints and watchpoints implemented: ID_AA64DFR0_EL1.BRPs [15:12] and
    /// WRPs [23:20] hold each count minus one.
    static var breakpoints: UInt64 { field(read_id_aa64dfr0_el1(), 12) + 1 }
    static var watchpoints: UInt64 { field(read_id_aa64dfr0_el1(), 20) + 1 }
    /// PMU event counters: PMCR_EL0.N, bits [15:11] (zero when no PMUv3).
    static var pmuCounters: UInt64 {
        field(read_id_aa64dfr0_el1(), 8) == 0 ? 0 : read_pmcr_el0() >> 11 & 0x1F
    }
    /// PARange, ID_AA64MMFR0_EL1 bits [3:0], as a number of bits.
    static var physicalAddressBits: UInt64 {
        switch field(read_id_aa64mmfr0_el1(), 0) {
        case 0: 32
        case 1: 36
        case 2: 40
        case 3: 42
        case 4: 44
        case 5: 48
        default: 52
        }
    }
    /// VMID width: 16 bits when ID_AA64MMFR1_EL1.VMIDBits [7:4] is 2, else 8.
    static var vmidBits: UInt64 { field(read_id_aa64mmfr1_el1(), 4) == 2 ? 16 : 8 }
}
