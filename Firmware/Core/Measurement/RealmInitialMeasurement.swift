// The Realm Initial Measurement (DEN0137 A7.1): its starting value from the realm parameters
// and its extension by DATA_CREATE, REC_CREATE and RTT_INIT_RIPAS. The TMM applies exactly
// these functions; a host tool can replay a realm's construction with them offline.

/// The RmiRealmParams fields that enter the RIM (TF-RMM lib/measurement/src/rim.c); the
/// RPV, VMID and RTT fields are left out.
public struct MeasuredRealmParameters: Equatable {
    public var flags: UInt64
    public var s2sz: UInt64
    public var sveVL: UInt64
    public var numBPs: UInt64
    public var numWPs: UInt64
    public var pmuNumCounters: UInt64
    public var hashAlgorithm: UInt8

    public init(flags: UInt64, s2sz: UInt64, sveVL: UInt64, numBPs: UInt64, numWPs: UInt64,
                pmuNumCounters: UInt64, hashAlgorithm: UInt8) {
        self.flags = flags
        self.s2sz = s2sz
        self.sveVL = sveVL
        self.numBPs = numBPs
        self.numWPs = numWPs
        self.pmuNumCounters = pmuNumCounters
        self.hashAlgorithm = hashAlgorithm
    }
}

/// The RmiRecParams fields that enter the RIM: flags, pc and gprs[0..7].
public struct MeasuredRECParameters: Equatable {
    public var flags: UInt64
    public var pc: UInt64
    public var gprs: InlineArray<8, UInt64>

    public init(flags: UInt64, pc: UInt64, gprs: InlineArray<8, UInt64>) {
        self.flags = flags
        self.pc = pc
        self.gprs = gprs
    }

    public static func == (a: MeasuredRECParameters, b: MeasuredRECParameters) -> Bool {
        guard a.flags == b.flags, a.pc == b.pc else { return false }
        for i in 0..<8 where a.gprs[i] != b.gprs[i] { return false }
        return true
    }
}

public struct RealmInitialMeasurement: Equatable {
    public let algorithm: MeasurementAlgorithm
    public private(set) var value: MeasurementValue

    /// RIM = H(zero-filled 4 KiB RmiRealmParams image holding only the measured fields).
    public init(algorithm: MeasurementAlgorithm, parameters p: MeasuredRealmParameters) {
        self.algorithm = algorithm
        var image = SparseImage()
        image.set(p.flags, at: 0x000)
        image.set(p.s2sz, at: 0x008)
        image.set(p.sveVL, at: 0x010)
        image.set(p.numBPs, at: 0x018)
        image.set(p.numWPs, at: 0x020)
        image.set(p.pmuNumCounters, at: 0x028)
        image.set(UInt64(p.hashAlgorithm), at: 0x030)
        value = image.hash(algorithm)
    }

    /// Resumes from a stored value (the RD's slot 0).
    public init(algorithm: MeasurementAlgorithm, value: MeasurementValue) {
        self.algorithm = algorithm
        self.value = value
    }

    /// DATA_CREATE: `contentHash` is H(granule) for MEASURE_CONTENT, zero otherwise.
    public mutating func extendData(ipa: UInt64, flags: UInt64, contentHash: MeasurementValue) {
        value = MeasurementDescriptor.data(rim: value, ipa: ipa, flags: flags, content: contentHash).hash(algorithm)
    }

    /// DATA_CREATE, hashing the granule's 4 KiB content when `flags` bit 0 is set.
    public mutating func extendData(ipa: UInt64, flags: UInt64, content: UnsafeRawBufferPointer) {
        let contentHash = flags & 1 != 0 ? MeasurementValue.hash(algorithm, content) : MeasurementValue()
        extendData(ipa: ipa, flags: flags, contentHash: contentHash)
    }

    /// REC_CREATE: content = H(zero-filled 4 KiB RmiRecParams image with flags, pc, gprs).
    public mutating func extendREC(_ p: MeasuredRECParameters) {
        var image = SparseImage()
        image.set(p.flags, at: 0x000)
        image.set(p.pc, at: 0x200)
        for i in 0..<8 { image.set(p.gprs[i], at: 0x300 + 8 * i) }
        value = MeasurementDescriptor.rec(rim: value, content: image.hash(algorithm)).hash(algorithm)
    }

    /// RTT_INIT_RIPAS of [base, top).
    public mutating func extendRIPAS(base: UInt64, top: UInt64) {
        value = MeasurementDescriptor.ripas(rim: value, base: base, top: top).hash(algorithm)
    }
}

/// REM extension (RSI_MEASUREMENT_EXTEND): REM = H(REM[0..<digestSize] || data[0..<size]).
public func extendedRealmMeasurement(_ rem: MeasurementValue, algorithm: MeasurementAlgorithm,
                                     data: MeasurementValue, size: Int) -> MeasurementValue? {
    guard size >= 0, size <= MeasurementValue.size else { return nil }
    var hasher = MeasurementHasher(algorithm)
    var current = rem.bytes
    withUnsafeBytes(of: &current) { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<algorithm.digestSize])) }
    var extra = data.bytes
    withUnsafeBytes(of: &extra) { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    return hasher.finalize()
}
