// CPACR_EL1 as a realm sees it. CPTR_EL2.TCPAC traps the realm's accesses to it and the TMM
// emulates the register, so that what reaches the hardware is only what realms are given:
// FP/SIMD, which the TMM switches with the realm's state (Docs/realm-execution.md). SVE and
// SME are hidden (the ID registers say the CPU has neither, RMI_FEATURES says SVE_EN 0) and
// CPTR_EL2.TZ/TSM trap them whatever CPACR_EL1 says; their enables ZEN [17:16] and SMEN
// [25:24] are RES0 on a CPU without them, as are TTA [28] (no trace), E0POE [29] and TAM [30]
// (features the ID registers hide), so they read as zero and writes to them are ignored.

enum RealmCPACR {
    /// FPEN [21:20] (Arm ARM D19 CPACR_EL1): 0b11 lets EL0 and EL1 use FP/SIMD, 0b01 EL1 only.
    static let fpen: UInt64 = 0x3 << 20

    /// The bits a realm's CPACR_EL1 holds.
    static let realmBits: UInt64 = fpen

    /// An MSR CPACR_EL1 from the realm: the value its EL1 state keeps (and the hardware gets).
    static func written(_ value: UInt64) -> UInt64 { value & realmBits }
}
