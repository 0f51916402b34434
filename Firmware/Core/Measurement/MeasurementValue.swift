// A measurement slot's content: 64 bytes, of which the first `digestSize` of the realm's
// algorithm are the digest and the rest zero (DEN0137 RmmRealmMeasurement).

public struct MeasurementValue: Equatable {
    /// The realm token's slot size: the largest digest of either algorithm.
    public static let size = realmMeasurementSlotSize

    public var bytes: InlineArray<64, UInt8>

    public init() { bytes = InlineArray(repeating: 0) }

    /// The hash of `data` with `algorithm`.
    public static func hash(_ algorithm: MeasurementAlgorithm, _ data: UnsafeRawBufferPointer) -> MeasurementValue {
        var hasher = MeasurementHasher(algorithm)
        hasher.update(data)
        return hasher.finalize()
    }

    public static func == (a: MeasurementValue, b: MeasurementValue) -> Bool {
        for i in 0..<size where a.bytes[i] != b.bytes[i] { return false }
        return true
    }
}
