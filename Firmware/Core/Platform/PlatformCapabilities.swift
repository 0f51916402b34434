// What the platform's CPUs and interrupt controller offer realms. There is no PMU among them:
// the core does not switch PMU state between the host and realms, so no platform can give
// realms one (FEATURES reports PMU_EN 0, PMU_NUM_CTRS 0; REALM_CREATE refuses the PMU flag). The firmware reads these
// from ID registers at boot; host tests choose them. FEATURES reports them (DEN0137 B4.4.1
// RmiFeatureRegister0) and REALM_CREATE validates realm parameters against them.

public struct PlatformCapabilities: Equatable, Sendable {
    /// Largest IPA width a realm may ask for: the PA width from ID_AA64MMFR0_EL1.PARange,
    /// capped at 48 because LPA2 is not supported.
    public var maxIPAWidth: UInt8
    /// Breakpoints and watchpoints the CPU implements: counts, ID_AA64DFR0_EL1.BRPs/WRPs + 1.
    /// The architecture requires at least two of each.
    public var breakpoints: UInt8
    public var watchpoints: UInt8
    /// Implemented GICv3 list registers (ICH_VTR_EL2.ListRegs + 1), 1...16.
    public var gicListRegisters: UInt8
    /// VMID width in bits: 8, or 16 with FEAT_VMID16.
    public var vmidWidth: UInt8
    public var hasSVE: Bool
    /// Largest SVE vector length encoding, (VL / 128) - 1.
    public var maxSVEVectorLength: UInt8
    /// The CPU's feature ID registers, from which realms' view is built (RealmFeatureRegisters).
    public var featureRegisters: CPUFeatureRegisters
    /// No stage 2 translates a realm's IPAs (the EL3 image, on CPUs without Secure EL2): the
    /// realm's stage 1 outputs physical addresses, so every mapping must be identity-placed. A
    /// DATA granule's IPA is the physical address of the secure granule behind it, and an
    /// unprotected mapping's IPA is its output address with the top IPA bit set; DATA_CREATE,
    /// DATA_CREATE_UNKNOWN and RTT_MAP_UNPROTECTED that would break this fail with
    /// RMI_ERROR_INPUT. The RTTs are still the record of the realm's memory, kept exactly as RMI
    /// defines them (Docs/el3-realms.md).
    public var identityPlacement: Bool

    public init(maxIPAWidth: UInt8, breakpoints: UInt8, watchpoints: UInt8, gicListRegisters: UInt8,
                vmidWidth: UInt8, hasSVE: Bool = false, maxSVEVectorLength: UInt8 = 0,
                featureRegisters: CPUFeatureRegisters = CPUFeatureRegisters(), identityPlacement: Bool = false) {
        self.maxIPAWidth = maxIPAWidth
        self.breakpoints = breakpoints
        self.watchpoints = watchpoints
        self.gicListRegisters = gicListRegisters
        self.vmidWidth = vmidWidth
        self.hasSVE = hasSVE
        self.maxSVEVectorLength = maxSVEVectorLength
        self.featureRegisters = featureRegisters
        self.identityPlacement = identityPlacement
    }

    /// RmiFeatureRegister0.NUM_BPS and NUM_WPS: the number available, minus one (the raw
    /// BRPs/WRPs values, as TF-RMM reports them). They are also the largest num_bps and
    /// num_wps REALM_CREATE accepts.
    var featureNumBPs: UInt64 { UInt64(breakpoints) - 1 }
    var featureNumWPs: UInt64 { UInt64(watchpoints) - 1 }

    /// The smallest IPA width the RMM accepts: PARange 0b0000, 32 bits (TF-RMM realm.c).
    static let minIPAWidth: UInt8 = 32

    /// Capabilities clamped to what the core can represent, so that nothing derived from them
    /// (feature register fields, bitmap sizes, shifts) can overflow.
    var clamped: PlatformCapabilities {
        var c = self
        c.maxIPAWidth = min(max(c.maxIPAWidth, Self.minIPAWidth), 48)
        c.breakpoints = min(max(c.breakpoints, 2), 64)
        c.watchpoints = min(max(c.watchpoints, 2), 64)
        c.gicListRegisters = min(max(c.gicListRegisters, 1), 16)
        c.vmidWidth = c.vmidWidth >= 16 ? 16 : 8
        c.maxSVEVectorLength = c.hasSVE ? min(c.maxSVEVectorLength, 15) : 0
        return c
    }
}
