// Hashing a 4 KiB parameter image that is zero except for a few 64-bit fields, without
// building the image: the TMM's stack is too small for page-sized temporaries.

struct SparseImage {
    static let capacity = 16

    private var offsets: InlineArray<16, Int>
    private var values: InlineArray<16, UInt64>
    private var count = 0

    init() {
        offsets = InlineArray(repeating: 0)
        values = InlineArray(repeating: 0)
    }

    /// Places a little-endian 64-bit field at `offset`, a multiple of 8 as in RmiRealmParams
    /// and RmiRecParams (a byte field is a 64-bit one whose upper bytes are zero padding).
    mutating func set(_ value: UInt64, at offset: Int) {
        precondition(count < Self.capacity && offset >= 0 && offset % 8 == 0 && offset + 8 <= Int(granuleSize))
        offsets[count] = offset
        values[count] = value
        count += 1
    }

    func hash(_ algorithm: MeasurementAlgorithm) -> MeasurementValue {
        var hasher = MeasurementHasher(algorithm)
        var block = InlineArray<64, UInt8>(repeating: 0)
        var base = 0
        while base < Int(granuleSize) {
            for i in 0..<64 { block[i] = 0 }
            // Aligned fields never straddle two blocks.
            for f in 0..<count where offsets[f] >= base && offsets[f] < base + 64 {
                block.storeLittleEndian(values[f], at: offsets[f] - base)
            }
            withUnsafeBytes(of: &block) { hasher.update($0) }
            base += 64
        }
        return hasher.finalize()
    }
}
