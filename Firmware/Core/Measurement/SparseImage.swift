// Hashing a 4 KiB parameter image that is zero except for a few 64-bit fields, without
// building the image: the TMM's stack is too small for page-sized temporaries, and the image is
// nearly all zero blocks, which the hash absorbs without being given their bytes
// (ZeroBlockHashing). Only the blocks that hold a field are assembled.

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
        var out = MeasurementValue()
        withUnsafeMutableBytes(of: &out.bytes) { digest in
            switch algorithm {
            case .sha256:
                var h = SHA256()
                absorb(into: &h)
                h.finalize(into: digest)
            case .sha512:
                var h = SHA512()
                absorb(into: &h)
                h.finalize(into: digest)
            }
        }
        return out
    }

    /// The 4 KiB image, block by block: runs of zero blocks as such, a block with fields built
    /// in a block-sized buffer. 4 KiB is 64 SHA-256 or 32 SHA-512 blocks: one bit each.
    private func absorb<H: ZeroBlockHashing>(into h: inout H) {
        let blockSize = H.blockSize
        let blockCount = Int(granuleSize) / blockSize
        var withFields: UInt64 = 0
        for f in 0..<count { withFields |= 1 << UInt64(offsets[f] / blockSize) }
        var block = InlineArray<128, UInt8>(repeating: 0)
        var b = 0
        while b < blockCount {
            if withFields & 1 << UInt64(b) == 0 {
                var run = 1
                while b + run < blockCount && withFields & 1 << UInt64(b + run) == 0 { run += 1 }
                h.updateZeroBlocks(run)
                b += run
                continue
            }
            let base = b * blockSize
            for i in 0..<blockSize { block[i] = 0 }
            // Aligned fields never straddle two blocks.
            for f in 0..<count where offsets[f] >= base && offsets[f] < base + blockSize {
                block.storeLittleEndian(values[f], at: offsets[f] - base)
            }
            withUnsafeBytes(of: &block) { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<blockSize])) }
            b += 1
        }
    }
}
