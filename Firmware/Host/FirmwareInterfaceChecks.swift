// SMCCC, PSCI and RMI discovery calls, with the exact results the specifications require,
// including the error codes for bad inputs.

enum RMIFID {
    static let version: UInt64 = 0xC400_0150
    static let granuleDelegate: UInt64 = 0xC400_0151
    static let features: UInt64 = 0xC400_0165
    /// In the RMI range but assigned to no command in RMI 1.0.
    static let unassigned: UInt64 = 0xC400_0156
}

enum FirmwareInterfaceChecks {
    static let rmiVersion1_0: UInt64 = 0x1_0000
    static let notSupported = UInt64(bitPattern: -1)
    static let rmiSuccess: UInt64 = 0
    static let rmiErrorInput: UInt64 = 1

    static func run(_ checks: inout CheckRecorder) {
        checks.expectEqual("SMCCC_VERSION is 1.2", smc(0x8000_0000).x0, 0x1_0002)
        checks.expectEqual("SMCCC_ARCH_FEATURES(SMCCC_VERSION) implemented", smc(0x8000_0001, 0x8000_0000).x0, 0)
        checks.expectEqual("SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1) NOT_SUPPORTED", smc(0x8000_0001, 0x8000_8000).x0, notSupported)
        checks.expectEqual("PSCI_VERSION is 1.1", smc(PSCIFunction.version).x0, 0x1_0001)
        checks.expectEqual("PSCI_FEATURES(CPU_ON) implemented", smc(PSCIFunction.features, PSCIFunction.cpuOn).x0, 0)
        checks.expectEqual("PSCI_FEATURES(unknown) NOT_SUPPORTED", smc(PSCIFunction.features, 0x8400_001F).x0, notSupported)
        checks.expectEqual("unknown FID (SiP 0xC2000001) NOT_SUPPORTED", smc(0xC200_0001).x0, notSupported)
        checks.expectEqual("SMC32 FID in the RMI numbers (0x84000150) NOT_SUPPORTED", smc(0x8400_0150).x0, notSupported)

        let version = smc(RMIFID.version, rmiVersion1_0)
        checks.expectEqual("RMI_VERSION(1.0) status SUCCESS", version.x0, rmiSuccess)
        checks.expectEqual("RMI_VERSION(1.0) lower revision 1.0", version.x1, rmiVersion1_0)
        checks.expectEqual("RMI_VERSION(1.0) higher revision 1.0", version.x2, rmiVersion1_0)

        let unsupported = smc(RMIFID.version, 0x2_0000)
        checks.expectEqual("RMI_VERSION(2.0) unsupported: RMI_ERROR_INPUT", unsupported.x0, rmiErrorInput)
        checks.expectEqual("RMI_VERSION(2.0) still reports lower revision 1.0", unsupported.x1, rmiVersion1_0)
        checks.expectEqual("RMI_VERSION(2.0) still reports higher revision 1.0", unsupported.x2, rmiVersion1_0)
        checks.expectEqual("RMI_VERSION(0.9) unsupported: RMI_ERROR_INPUT", smc(RMIFID.version, 0x0_0009).x0, rmiErrorInput)

        let features = smc(RMIFID.features, 0)
        checks.expectEqual("RMI_FEATURES(0) status SUCCESS", features.x0, rmiSuccess)
        reportFeatures(&checks, features.x1)
        let other = smc(RMIFID.features, 1)
        checks.expectEqual("RMI_FEATURES(1) status SUCCESS", other.x0, rmiSuccess)
        checks.expectEqual("RMI_FEATURES(1) value 0", other.x1, 0)

        checks.expectEqual("unassigned RMI FID 0xC4000156: RMI_ERROR_INPUT", smc(RMIFID.unassigned).x0, rmiErrorInput)
        checks.expectEqual("GRANULE_DELEGATE of a non-pool address: RMI_ERROR_INPUT",
                           smc(RMIFID.granuleDelegate, 0x4000_0000).x0, rmiErrorInput)
    }

    /// RmiFeatureRegister0 (DEN0137 1.0-rel0): S2SZ [7:0], LPA2 [8], SVE_EN [9], SVE_VL [13:10],
    /// NUM_BPS [19:14], NUM_WPS [25:20], PMU_EN [26], PMU_NUM_CTRS [31:27], HASH_SHA_256 [32],
    /// HASH_SHA_512 [33], GICV3_NUM_LRS [37:34], MAX_RECS_ORDER [41:38].
    private static func reportFeatures(_ checks: inout CheckRecorder, _ value: UInt64) {
        let s2sz = value & 0xFF
        var line = LogLine("[host] RMI features: S2SZ ")
        line.decimal(s2sz)
        line.append(" LPA2 ")
        line.decimal(value >> 8 & 1)
        line.append(" SVE ")
        line.decimal(value >> 9 & 1)
        line.append(" BPs ")
        line.decimal(value >> 14 & 0x3F)
        line.append(" WPs ")
        line.decimal(value >> 20 & 0x3F)
        line.append(" PMU ")
        line.decimal(value >> 26 & 1)
        line.append(" SHA-256 ")
        line.decimal(value >> 32 & 1)
        line.append(" SHA-512 ")
        line.decimal(value >> 33 & 1)
        line.append(" LRs ")
        line.decimal(value >> 34 & 0xF)
        line.append(" MAX_RECS_ORDER ")
        line.decimal(value >> 38 & 0xF)
        console.print(line)
        checks.expect("RMI_FEATURES(0): S2SZ within 32..48", s2sz >= 32 && s2sz <= 48)
        checks.expect("RMI_FEATURES(0): SHA-256 and SHA-512 supported", value >> 32 & 3 == 3)
        checks.expect("RMI_FEATURES(0): no LPA2", value >> 8 & 1 == 0)
        checks.expect("RMI_FEATURES(0): reserved bits [63:42] zero", value >> 42 == 0)
    }
}
