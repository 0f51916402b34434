// The RIM extension descriptors of DEN0137 (RmmMeasurementDescriptorData, ...Rec, ...Ripas),
// each 0x100 bytes, little-endian, zero where no field is defined. Public so that a host tool
// computes a realm's expected RIM with the very code the TMM runs.

public struct MeasurementDescriptor {
    public static let size = 0x100

    public private(set) var bytes: InlineArray<256, UInt8>

    private init(type: UInt8, rim: MeasurementValue) {
        bytes = InlineArray(repeating: 0)
        bytes[0x0] = type
        bytes.storeLittleEndian(UInt64(Self.size), at: 0x8)
        for i in 0..<MeasurementValue.size { bytes[0x10 + i] = rim.bytes[i] }
    }

    /// RmmMeasurementDescriptorData: DATA_CREATE of the granule at `ipa`. `content` is the
    /// hash of the granule when `flags` says MEASURE_CONTENT, zero otherwise.
    public static func data(rim: MeasurementValue, ipa: UInt64, flags: UInt64, content: MeasurementValue) -> MeasurementDescriptor {
        var d = MeasurementDescriptor(type: 0, rim: rim)
        d.bytes.storeLittleEndian(ipa, at: 0x50)
        d.bytes.storeLittleEndian(flags, at: 0x58)
        for i in 0..<MeasurementValue.size { d.bytes[0x60 + i] = content.bytes[i] }
        return d
    }

    /// RmmMeasurementDescriptorRec: REC_CREATE; `content` is the hash of the measured REC
    /// parameters image.
    public static func rec(rim: MeasurementValue, content: MeasurementValue) -> MeasurementDescriptor {
        var d = MeasurementDescriptor(type: 1, rim: rim)
        for i in 0..<MeasurementValue.size { d.bytes[0x50 + i] = content.bytes[i] }
        return d
    }

    /// RmmMeasurementDescriptorRipas: RTT_INIT_RIPAS of [base, top).
    public static func ripas(rim: MeasurementValue, base: UInt64, top: UInt64) -> MeasurementDescriptor {
        var d = MeasurementDescriptor(type: 2, rim: rim)
        d.bytes.storeLittleEndian(base, at: 0x50)
        d.bytes.storeLittleEndian(top, at: 0x58)
        return d
    }

    public func hash(_ algorithm: MeasurementAlgorithm) -> MeasurementValue {
        var copy = bytes
        return withUnsafeBytes(of: &copy) { MeasurementValue.hash(algorithm, $0) }
    }
}
