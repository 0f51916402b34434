// SMC Calling Convention (Arm DEN0028) identifiers and return values the monitor answers.

enum SMCCC {
    static let version: UInt32 = 0x8000_0000
    static let archFeatures: UInt32 = 0x8000_0001

    /// SMCCC 1.2, the version this monitor implements (as TF-RMM reports).
    static let implementedVersion: UInt64 = 0x1_0002

    static let notSupported: Int64 = -1
    static let notRequired: Int64 = -2
    static let invalidParameter: Int64 = -3

    /// A 64-bit register value for a negative return code.
    static func returnValue(_ code: Int64) -> UInt64 { UInt64(bitPattern: code) }

    /// Whether `fid` is a fast call of the SMC64 convention (bits 31 and 30 set).
    static func isFast64(_ fid: UInt32) -> Bool { fid & 0xC000_0000 == 0xC000_0000 }
}

/// PSCI 1.1 (Arm DEN0022) function IDs and return codes.
enum PSCI {
    static let version: UInt32 = 0x8400_0000
    static let cpuSuspend32: UInt32 = 0x8400_0001
    static let cpuSuspend64: UInt32 = 0xC400_0001
    static let cpuOff: UInt32 = 0x8400_0002
    static let cpuOn32: UInt32 = 0x8400_0003
    static let cpuOn64: UInt32 = 0xC400_0003
    static let affinityInfo32: UInt32 = 0x8400_0004
    static let affinityInfo64: UInt32 = 0xC400_0004
    static let migrateInfoType: UInt32 = 0x8400_0006
    static let systemOff: UInt32 = 0x8400_0008
    static let systemReset: UInt32 = 0x8400_0009
    static let features: UInt32 = 0x8400_000A

    /// PSCI 1.1.
    static let implementedVersion: UInt64 = 0x1_0001

    static let success: Int64 = 0
    static let notSupported: Int64 = -1
    static let invalidParameters: Int64 = -2
    static let denied: Int64 = -3
    static let alreadyOn: Int64 = -4
    static let onPending: Int64 = -5
    static let internalFailure: Int64 = -6
    static let notPresent: Int64 = -7
    static let disabled: Int64 = -8
    static let invalidAddress: Int64 = -9

    /// AFFINITY_INFO results, also the monitor's per-CPU power states.
    static let affinityOn: UInt32 = 0
    static let affinityOff: UInt32 = 1
    static let affinityOnPending: UInt32 = 2

    /// MIGRATE_INFO_TYPE: no Trusted OS that needs migration.
    static let migrationNotRequired: UInt64 = 2
}
