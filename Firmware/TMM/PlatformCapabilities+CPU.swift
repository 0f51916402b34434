import AArch64

extension PlatformCapabilities {
    /// What realms can be given on this CPU, for RMI_FEATURES and REALM_CREATE's checks.
    static func ofThisCPU() -> PlatformCapabilities {
        PlatformCapabilities(
            // LPA2 is not supported, so 48 bits at most (PARange may say 52).
            maxIPAWidth: UInt8(min(CPUFeatures.physicalAddressBits, 48)),
            breakpoints: UInt8(CPUFeatures.breakpoints),
            watchpoints: UInt8(CPUFeatures.watchpoints),
            // Realms see the TMM's emulation of a GICv3 CPU interface (Docs/realm-execution.md),
            // which keeps 16 list registers whatever the hardware's virtual interface has.
            gicListRegisters: 16,
            vmidWidth: UInt8(CPUFeatures.vmidBits),
            // SVE is not given to realms (nor the PMU, which the core never offers): their
            // state is not switched.
            featureRegisters: .ofThisCPU(),
            // The EL3 image runs realms without stage 2 (Docs/el3-realms.md).
            identityPlacement: imageRunsRealmsWithoutStage2)
    }
}

extension CPUFeatureRegisters {
    static func ofThisCPU() -> CPUFeatureRegisters {
        var r = CPUFeatureRegisters()
        r.pfr0 = read_id_aa64pfr0_el1(); r.pfr1 = read_id_aa64pfr1_el1(); r.dfr0 = read_id_aa64dfr0_el1()
        r.isar0 = read_id_aa64isar0_el1(); r.isar1 = read_id_aa64isar1_el1(); r.isar2 = read_id_aa64isar2_el1()
        r.mmfr0 = read_id_aa64mmfr0_el1(); r.mmfr1 = read_id_aa64mmfr1_el1(); r.mmfr2 = read_id_aa64mmfr2_el1()
        return r
    }
}

#if TMM_AT_EL3
private let imageRunsRealmsWithoutStage2 = true
#else
private let imageRunsRealmsWithoutStage2 = false
#endif
