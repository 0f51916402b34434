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

    /// Places a little-endian 64-bit field (or, with `width` 1, a byte) at `offset`.
    mutating func set(_ value: UInt64, at offset: Int, width: Int = 8) {
        precondition(count < Self.capacity && offset >= 0 && offset + width <= Int(granuleSize))
        offsets[count] = offset
        values[count] = width == 1 ? value & 0xFF : value
        count += 1
    }

    func hash(_ algorithm: MeasurementAlgorithm) -> MeasurementValue {
        var hasher = MeasurementHasher(algorithm)
        var block = InlineArray<64, UInt8>(repeating: 0)
        var base = 0
        while base < Int(granuleSize) {
            for i in 0..<64 { block[i] = 0 }
            for f in 0..<count {
                let start = offsets[f]
                for b in 0..<8 {
                    let at = start + b - base
                    if at >= 0 && at < 64 {
                        block[at] = UInt8(truncatingIfNeeded: values[f] >> (8 * UInt64(b)))
                    }
                }
            }
            withUnsafeBytes(of: &block) { hasher.update($0) }
            base += 64
        }
        return hasher.finalize()
    }
}
