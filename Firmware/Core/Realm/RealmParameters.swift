// RmiRealmParams (DEN0137 B4.4.13), read once from the host's buffer into TMM memory. Only
// the fields the RMM uses are copied; each byte is read exactly once and validated from the
// copy.

struct RealmParameters {
    var flags: UInt64 = 0
    var s2sz: UInt64 = 0
    var sveVL: UInt64 = 0
    var numBPs: UInt64 = 0
    var numWPs: UInt64 = 0
    var pmuNumCounters: UInt64 = 0
    var hashAlgorithm: UInt8 = 0
    var rpv = InlineArray<64, UInt8>(repeating: 0)
    var vmid: UInt64 = 0
    var rttBase: UInt64 = 0
    var rttLevelStart: Int64 = 0
    var rttNumStart: UInt64 = 0

    static let flagLPA2: UInt64 = 1 << 0
    static let flagSVE: UInt64 = 1 << 1
    static let flagPMU: UInt64 = 1 << 2

    /// The fields in the order and at the offsets of the 4 KiB structure.
    static func read<H: TMMHardware>(from pa: PhysicalAddress, using memory: NormalWorldMemory<H>) -> RealmParameters? {
        var p = RealmParameters()
        var header = InlineArray<7, UInt64>(repeating: 0)
        var tail = InlineArray<4, UInt64>(repeating: 0)
        guard let pa = memory.hostPage(pa),
              memory.read(pa, offset: 0x000, into: &header),
              memory.read(pa, offset: 0x400, into: &p.rpv),
              memory.read(pa, offset: 0x800, into: &tail)
        else { return nil }
        p.flags = header[0]
        p.s2sz = header[1]
        p.sveVL = header[2]
        p.numBPs = header[3]
        p.numWPs = header[4]
        p.pmuNumCounters = header[5]
        p.hashAlgorithm = UInt8(truncatingIfNeeded: header[6])
        p.vmid = tail[0] & 0xFFFF
        p.rttBase = tail[1]
        p.rttLevelStart = Int64(bitPattern: tail[2])
        p.rttNumStart = tail[3] & 0xFFFF_FFFF
        return p
    }

    var measured: MeasuredRealmParameters {
        MeasuredRealmParameters(flags: flags, s2sz: s2sz, sveVL: sveVL, numBPs: numBPs, numWPs: numWPs,
                                pmuNumCounters: pmuNumCounters, hashAlgorithm: hashAlgorithm)
    }

    /// RealmParamsSupported: every requested feature within what FEATURES reports, and a
    /// starting level and table count that fit the IPA width. Mirrors TF-RMM rel0
    /// validate_realm_params (runtime/rmi/realm.c), field by field.
    func isSupported(by caps: PlatformCapabilities) -> Bool {
        if flags & Self.flagLPA2 != 0 { return false }
        guard s2sz >= UInt64(PlatformCapabilities.minIPAWidth), s2sz <= UInt64(caps.maxIPAWidth) else { return false }
        // num_bps and num_wps: 0 is reserved; at most what FEATURES reports (the count minus one).
        guard (1...caps.featureNumBPs).contains(numBPs), (1...caps.featureNumWPs).contains(numWPs) else { return false }
        if flags & Self.flagSVE != 0 {
            guard caps.hasSVE, sveVL <= UInt64(caps.maxSVEVectorLength) else { return false }
        }
        // FEATURES reports PMU_EN 0: a realm cannot ask for a PMU. pmu_num_ctrs is only
        // checked with the flag set (TF-RMM validate_realm_params) and is measured either way.
        if flags & Self.flagPMU != 0 { return false }
        guard let roots = StartLevelGeometry.rootTableCount(
            ipaWidth: s2sz, level: rttLevelStart, maxIPAWidth: UInt64(caps.maxIPAWidth)),
            UInt64(roots) == rttNumStart
        else { return false }
        // Concatenated starting-level tables are walked as one table aligned to its total size:
        // the translation table base's bits below it are RES0 (Arm ARM, "Concatenated
        // translation tables"), so a misaligned rtt_base would make the hardware read the wrong
        // granules. TF-RMM leaves this to the host; the TMM refuses to build a realm its stage 2
        // cannot walk. rttNumStart is 1, 2, 4, 8 or 16 here.
        guard rttBase & (rttNumStart << granuleShift - 1) == 0 else { return false }
        return MeasurementAlgorithm(rawValue: hashAlgorithm) != nil
    }
}
