import AArch64

// The CPU as a realm sees it: the feature ID registers advertise nothing the TMM does not give
// realms (a guest OS would enable it and then take UNDEFINED exceptions), and the debug and
// PMU registers an OS touches at boot are there to touch (RAZ/WI) rather than UNDEFINED. The
// realm runs on QEMU's `-cpu max`, which has SVE, SME, MTE and pointer authentication, so
// each field checked here is one the TMM had to clear.

enum FeatureRegisterChecks {
    /// The 4-bit ID field at `shift`.
    static func field(_ value: UInt64, _ shift: UInt64) -> UInt64 { value >> shift & 0xF }

    static func run(_ checks: inout RealmChecks) {
        let pfr0 = read_id_aa64pfr0_el1(), pfr1 = read_id_aa64pfr1_el1()
        let isar1 = read_id_aa64isar1_el1(), isar2 = read_id_aa64isar2_el1(), dfr0 = read_id_aa64dfr0_el1()
        checks.expectEqual("ID registers: ID_AA64PFR0_EL1.SVE, MPAM and AMU are 0",
                           field(pfr0, 32) | field(pfr0, 40) | field(pfr0, 44), 0)
        checks.expectEqual("ID registers: ID_AA64PFR1_EL1.MTE and SME are 0", field(pfr1, 8) | field(pfr1, 24), 0)
        checks.expectEqual("ID registers: no pointer authentication (ID_AA64ISAR1_EL1 APA/API/GPA/GPI, ID_AA64ISAR2_EL1 APA3/GPA3)",
                           field(isar1, 4) | field(isar1, 8) | field(isar1, 24) | field(isar1, 28)
                               | field(isar2, 8) | field(isar2, 12), 0)
        checks.expectEqual("ID registers: ID_AA64ZFR0_EL1 and ID_AA64SMFR0_EL1 read as 0",
                           read_id_aa64zfr0_el1() | read_id_aa64smfr0_el1(), 0)
        checks.expectEqual("ID registers: ID_AA64DFR0_EL1 says Armv8 debug, 2 breakpoints, 2 watchpoints, no PMU or trace",
                           dfr0 & ~(0xF << 36), 0x0010_1006)
        checks.expect("ID registers: ID_AA64MMFR0_EL1.PARange gives at least the realm's 40-bit IPA space",
                      field(read_id_aa64mmfr0_el1(), 0) >= 2)
        debugAndPMU(&checks)
    }

    /// On both images: the S-EL2 image traps these through MDCR_EL2, the EL3 image through
    /// MDCR_EL3 (Docs/el3-realms.md).
    static func debugAndPMU(_ checks: inout RealmChecks) {
        // Linux's CPU set-up writes MDSCR_EL1; a PMU driver reads PMCR_EL0. Neither may fault.
        write_mdscr_el1(1 << 12)
        isb()
        checks.expectEqual("debug registers: MDSCR_EL1 is RAZ/WI (no exception)", read_mdscr_el1(), 0)
        checks.expectEqual("PMU registers: PMCR_EL0 is RAZ/WI (no exception)", read_pmcr_el0(), 0)
    }
}
