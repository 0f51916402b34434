import PlatformDefinitions

// SMCCC, PSCI and RMI discovery calls, with the exact results the specifications require,
// including the error codes for bad inputs.

/// EL3 attestation services (TF-A RMMD numbering), for the TMM only.
enum AttestationFID {
    static let getRealmKey: UInt64 = 0xC400_01B2
    static let getPlatformToken: UInt64 = 0xC400_01B3
}

enum FirmwareInterfaceChecks {
    static let notSupported = UInt64(bitPattern: -1)

    static func run(_ checks: inout CheckRecorder) {
        checks.expectEqual("SMCCC_VERSION is 1.2", smc(0x8000_0000).x0, 0x1_0002)
        checks.expectEqual("SMCCC_ARCH_FEATURES(SMCCC_VERSION) implemented", smc(0x8000_0001, 0x8000_0000).x0, 0)
        checks.expectEqual("SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1) NOT_SUPPORTED", smc(0x8000_0001, 0x8000_8000).x0, notSupported)
        checks.expectEqual("PSCI_VERSION is 1.1", smc(PSCIFunction.version).x0, 0x1_0001)
        checks.expectEqual("PSCI_FEATURES(CPU_ON) implemented", smc(PSCIFunction.features, PSCIFunction.cpuOn).x0, 0)
        checks.expectEqual("PSCI_FEATURES(unknown) NOT_SUPPORTED", smc(PSCIFunction.features, 0x8400_001F).x0, notSupported)
        checks.expectEqual("unknown FID (SiP 0xC2000001) NOT_SUPPORTED", smc(0xC200_0001).x0, notSupported)
        checks.expectEqual("SMC32 FID in the RMI numbers (0x84000150) NOT_SUPPORTED", smc(0x8400_0150).x0, notSupported)

        let version = smc(RMIFID.version, RMI.version1_0)
        checks.expectEqual("RMI_VERSION(1.0) status SUCCESS", version.x0, RMIStatusCode.success)
        checks.expectEqual("RMI_VERSION(1.0) lower revision 1.0", version.x1, RMI.version1_0)
        checks.expectEqual("RMI_VERSION(1.0) higher revision 1.0", version.x2, RMI.version1_0)

        let unsupported = smc(RMIFID.version, 0x2_0000)
        checks.expectEqual("RMI_VERSION(2.0) unsupported: RMI_ERROR_INPUT", unsupported.x0, RMIStatusCode.errorInput)
        checks.expectEqual("RMI_VERSION(2.0) still reports lower revision 1.0", unsupported.x1, RMI.version1_0)
        checks.expectEqual("RMI_VERSION(2.0) still reports higher revision 1.0", unsupported.x2, RMI.version1_0)
        checks.expectEqual("RMI_VERSION(0.9) unsupported: RMI_ERROR_INPUT", smc(RMIFID.version, 0x0_0009).x0, RMIStatusCode.errorInput)

        let features = smc(RMIFID.features, 0)
        checks.expectEqual("RMI_FEATURES(0) status SUCCESS", features.x0, RMIStatusCode.success)
        reportFeatures(&checks, features.x1)
        let other = smc(RMIFID.features, 1)
        checks.expectEqual("RMI_FEATURES(1) status SUCCESS", other.x0, RMIStatusCode.success)
        checks.expectEqual("RMI_FEATURES(1) value 0", other.x1, 0)

        // FIDs in the RMI range with no RMI 1.0 command: SMCCC NOT_SUPPORTED, as TF-RMM answers.
        checks.expectEqual("unassigned RMI FID 0xC4000156: NOT_SUPPORTED", smc(RMIFID.unassigned).x0, notSupported)
        checks.expectEqual("RMI FID beyond RMI 1.0 (0xC400016A): NOT_SUPPORTED", smc(RMIFID.beyondRMI1_0).x0, notSupported)
        checks.expectEqual("last FID of the RMI range (0xC400018F): NOT_SUPPORTED", smc(RMIFID.lastOfRange).x0, notSupported)
        // Normal-world DRAM is delegable (Docs/delegation.md); a device page and TMM memory
        // are neither pool nor DRAM.
        checks.expectEqual("GRANULE_DELEGATE of a device address (the normal world's UART): RMI_ERROR_INPUT",
                           smc(RMIFID.granuleDelegate, UInt64(PLAT_NS_UART_BASE)).x0, RMIStatusCode.errorInput)
        checks.expectEqual("GRANULE_DELEGATE of TMM memory: RMI_ERROR_INPUT",
                           smc(RMIFID.granuleDelegate, UInt64(PLAT_TMM_RAM_BASE)).x0, RMIStatusCode.errorInput)
        attestationServicesRefused(&checks)
    }

    /// EL3's attestation services (the RMM<->EL3 numbers of TF-A's RMMD) belong to the TMM: to
    /// the normal world they are unknown functions. Asked with a buffer of the host's own, the
    /// firmware must answer NOT_SUPPORTED and leave the buffer alone: no RAK, no token.
    private static func attestationServicesRefused(_ checks: inout CheckRecorder) {
        let pattern: UInt64 = 0x5A5A_5A5A_5A5A_5A5A
        var buffer = InlineArray<128, UInt64>(repeating: pattern)
        buffer[0] = 0x1111_1111_1111_1111          // a 32-byte "challenge" for the token call
        buffer[1] = 0x2222_2222_2222_2222
        let address = withUnsafeMutableBytes(of: &buffer) { UInt64(UInt(bitPattern: $0.baseAddress)) }
        let size = UInt64(MemoryLayout<InlineArray<128, UInt64>>.size)

        let key = smc(AttestationFID.getRealmKey, address, size, 0)
        checks.expectEqual("ATTEST_GET_REALM_KEY (0xC40001B2) from the normal world: NOT_SUPPORTED", key.x0, notSupported)
        let token = smc(AttestationFID.getPlatformToken, address, size, 32)
        checks.expectEqual("ATTEST_GET_PLAT_TOKEN (0xC40001B3) from the normal world: NOT_SUPPORTED", token.x0, notSupported)
        let inTMM = smc(AttestationFID.getRealmKey, UInt64(PLAT_TMM_RAM_BASE), 0x1000, 0)
        checks.expectEqual("ATTEST_GET_REALM_KEY naming TMM memory, from the normal world: NOT_SUPPORTED", inTMM.x0, notSupported)
        var untouched = buffer[0] == 0x1111_1111_1111_1111 && buffer[1] == 0x2222_2222_2222_2222
        for i in 2..<128 where buffer[i] != pattern { untouched = false }
        checks.expect("attestation calls from the normal world write nothing to its buffer", untouched)
    }

    /// The fields of RmiFeatureRegister0 on the console, and the values the TMM must report.
    private static func reportFeatures(_ checks: inout CheckRecorder, _ value: UInt64) {
        let features = RMIFeatures(value)
        var line = LogLine("[host] RMI features: S2SZ ")
        line.decimal(features.s2sz)
        line.append(" LPA2 ")
        line.decimal(features.lpa2)
        line.append(" SVE ")
        line.decimal(features.sve)
        line.append(" NUM_BPS ")
        line.decimal(features.numBPs)
        line.append(" NUM_WPS ")
        line.decimal(features.numWPs)
        line.append(" PMU ")
        line.decimal(features.pmu)
        line.append(" SHA-256 ")
        line.decimal(features.sha256)
        line.append(" SHA-512 ")
        line.decimal(features.sha512)
        line.append(" LRs ")
        line.decimal(features.numLRs)
        line.append(" MAX_RECS_ORDER ")
        line.decimal(features.maxRecsOrder)
        console.print(line)
        checks.expect("RMI_FEATURES(0): S2SZ within 32..48", features.s2sz >= 32 && features.s2sz <= 48)
        checks.expect("RMI_FEATURES(0): SHA-256 and SHA-512 supported", features.sha256 == 1 && features.sha512 == 1)
        checks.expect("RMI_FEATURES(0): no LPA2", features.lpa2 == 0)
        checks.expect("RMI_FEATURES(0): no PMU for realms (PMU_EN 0, PMU_NUM_CTRS 0)",
                      features.pmu == 0 && features.pmuNumCounters == 0)
        // The architecture requires two or more of each; the fields hold the number minus one.
        checks.expect("RMI_FEATURES(0): NUM_BPS and NUM_WPS at least 1",
                      features.numBPs >= 1 && features.numWPs >= 1)
        // MAX_RECS = 2^MAX_RECS_ORDER - 1: order 0 would mean no REC can be created.
        checks.expect("RMI_FEATURES(0): MAX_RECS_ORDER at least 1", features.maxRecsOrder >= 1)
        checks.expect("RMI_FEATURES(0): reserved bits [63:42] zero", features.reserved == 0)
    }
}
