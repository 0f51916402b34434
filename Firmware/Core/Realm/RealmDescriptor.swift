// The content of an RD granule (DEN0137 A2.1.2 "Realm attributes"): written by REALM_CREATE
// into a zeroed DELEGATED granule and reached only through the RD's `LockedGranule`.

struct RealmDescriptor {
    var state: RealmState
    var hashAlgorithm: MeasurementAlgorithm
    var ipaWidth: UInt8
    var startLevel: Int8
    var rootTableCount: UInt8
    var vmid: UInt16
    var rttBase: UInt64
    /// Index the next REC_CREATE must use (DEN0137 rec_index).
    var recCount: UInt64
    var flags: UInt64
    var sveVL: UInt8
    var pmuCounters: UInt8
    var breakpoints: UInt8
    var watchpoints: UInt8
    /// Slot 0: RIM; slots 1...4: REMs.
    var measurements: InlineArray<5, MeasurementValue>
    var rpv: InlineArray<64, UInt8>

    /// Number of auxiliary granules each REC of a realm needs (RMI_REC_AUX_COUNT). They will
    /// hold the REC's SIMD, PMU and attestation state; TF-RMM asks for at most 16.
    static let recAuxCount: UInt64 = 4

    /// RMI_FEATURES' MAX_RECS_ORDER: a realm has at most MAX_RECS = 2^15 - 1 = 32767 RECs at
    /// once, and REC_CREATE refuses one more with RMI_ERROR_REALM. The RD's granule refcount
    /// counts them, so MAX_RECS must fit its 16-bit field (GranuleDescriptor.maxRefcount); REC
    /// indices (28 bits in RmiRecMpidr, 64 in recCount) are wider. 15 is the largest value
    /// the 4-bit FEATURES field carries, and 2^15 - 1 fits the refcount.
    static let maxRECsOrder: UInt64 = 15
    static var maxRECs: UInt32 { UInt32(1 << maxRECsOrder - 1) }

    var ipaSize: UInt64 { 1 << UInt64(ipaWidth) }

    /// The protected address range is the lower half of the IPA space (DEN0137 A5.2.1).
    func isProtected(_ ipa: UInt64) -> Bool { ipa < ipaSize >> 1 }

    var rim: MeasurementValue {
        get { measurements[0] }
        set { measurements[0] = newValue }
    }

    /// REM slot 1...4 (RSI_MEASUREMENT_READ's view); nil for any other index.
    func measurement(slot: Int) -> MeasurementValue? {
        guard slot >= 0 && slot < 5 else { return nil }
        return measurements[slot]
    }

    /// RSI_MEASUREMENT_EXTEND on REM slot 1...4 with the first `size` (<= 64) bytes of `value`.
    mutating func extendREM(slot: Int, value: MeasurementValue, size: Int) -> Bool {
        guard slot >= 1 && slot <= 4,
              let next = extendedRealmMeasurement(measurements[slot], algorithm: hashAlgorithm, data: value, size: size)
        else { return false }
        measurements[slot] = next
        return true
    }

    var fixed: FixedRealmAttributes {
        FixedRealmAttributes(ipaWidth: ipaWidth, startLevel: startLevel, rootTableCount: rootTableCount, vmid: vmid,
                             rttBase: rttBase, hashAlgorithm: hashAlgorithm)
    }
}

/// The realm attributes REALM_CREATE fixes for the realm's life that RTT walks, address checks
/// and the run loop need: 24 bytes, read out of the RD field by field. The commands and the run
/// loop work with this rather than a copy of the whole RD (its measurements and RPV are 384
/// more bytes, and copying them was a measurable part of every RTT and DATA command).
struct FixedRealmAttributes {
    var ipaWidth: UInt8
    var startLevel: Int8
    var rootTableCount: UInt8
    var vmid: UInt16
    var rttBase: UInt64
    var hashAlgorithm: MeasurementAlgorithm

    var ipaSize: UInt64 { 1 << UInt64(ipaWidth) }

    /// The protected address range is the lower half of the IPA space (DEN0137 A5.2.1).
    func isProtected(_ ipa: UInt64) -> Bool { ipa < ipaSize >> 1 }

    var executionInfo: RealmExecutionInfo {
        RealmExecutionInfo(vmid: vmid, rttBase: PhysicalAddress(rttBase), ipaWidth: ipaWidth, startLevel: startLevel,
                           rootTableCount: rootTableCount, recIndex: 0, mpidr: 0)
    }
}

extension LockedGranule {
    /// The RD stored in this granule; the caller has checked the state is RD.
    var realm: UnsafeMutablePointer<RealmDescriptor> { contents.assumingMemoryBound(to: RealmDescriptor.self) }

    /// The fixed attributes of the RD in this granule, read field by field in place.
    var fixedRealm: FixedRealmAttributes {
        let rd = realm
        return FixedRealmAttributes(ipaWidth: rd.pointee.ipaWidth, startLevel: rd.pointee.startLevel,
                                    rootTableCount: rd.pointee.rootTableCount, vmid: rd.pointee.vmid,
                                    rttBase: rd.pointee.rttBase, hashAlgorithm: rd.pointee.hashAlgorithm)
    }
}
