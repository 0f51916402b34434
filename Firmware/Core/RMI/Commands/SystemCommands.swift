// RMI_VERSION and RMI_FEATURES (DEN0137 B4.3.19, B4.3.9).

extension TMM {
    /// The one RMI revision this TMM implements: 1.0.
    static var implementedVersion: UInt64 { 0x1_0000 }

    /// x1 = lowest and x2 = highest implemented revision, whatever the outcome; SUCCESS only
    /// when the host asked for a revision we implement.
    func version(requested: UInt64) -> RMIResult {
        let v = Self.implementedVersion
        guard requested == v else { return RMIResult(x0: RMIReturnCode(.input).encoded, x1: v, x2: v) }
        return .success(v, v)
    }

    /// Index 0 is RmiFeatureRegister0 (rel0 layout: S2SZ ... MAX_RECS_ORDER, bits [63:42]
    /// reserved); every other index reads as zero. RMI 1.0 has no field for a granule
    /// protection table, so nothing here says there is none (README, Limitations).
    func features(index: UInt64) -> RMIResult {
        .success(index == 0 ? featureRegister0 : 0)
    }

    var featureRegister0: UInt64 {
        let c = capabilities
        var r = UInt64(c.maxIPAWidth)                                   // S2SZ [7:0]; LPA2 [8] = 0
        if c.hasSVE {
            r |= 1 << 9 | UInt64(c.maxSVEVectorLength) << 10              // SVE_EN, SVE_VL [13:10]
        }
        r |= c.featureNumBPs << 14                                      // NUM_BPS [19:14]
        r |= c.featureNumWPs << 20                                      // NUM_WPS [25:20]
        // PMU_EN [26] and PMU_NUM_CTRS [31:27] stay 0: realms get no PMU (PlatformCapabilities).
        r |= 1 << 32 | 1 << 33                                          // HASH_SHA_256, HASH_SHA_512
        // GICV3_NUM_LRS [37:34]: a 4-bit field cannot hold 16, so it carries the count minus
        // one, as ICH_VTR_EL2.ListRegs does.
        r |= UInt64(c.gicListRegisters - 1) << 34
        r |= RealmDescriptor.maxRECsOrder << 38                         // MAX_RECS_ORDER [41:38]
        return r
    }
}
