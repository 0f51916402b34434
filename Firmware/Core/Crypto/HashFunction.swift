// The one interface HMAC and HKDF need from a hash: streaming input, fixed-size output.
// Generic code over it is specialised per hash, so firmware pays no dynamic dispatch.

public protocol HashFunction {
    /// Bytes per compression block: the HMAC pad length (RFC 2104).
    static var blockSize: Int { get }
    /// Digest length in bytes.
    static var outputSize: Int { get }
    init()
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// Writes `outputSize` bytes to the start of `digest`.
    mutating func finalize(into digest: UnsafeMutableRawBufferPointer)
}

/// The largest digest of any hash here (SHA-512); sizes fixed buffers for any of them.
public let maxDigestSize = 64

extension SHA256: HashFunction, ZeroBlockHashing {
    public static var outputSize: Int { digestSize }
}

extension SHA512: HashFunction, ZeroBlockHashing {
    public static var outputSize: Int { 64 }
}

/// SHA-384 as a type of its own, so generic code can name it: SHA-512's compression function
/// with SHA-384's initial value and a 48-byte digest (FIPS 180-4 6.5).
public struct SHA384: HashFunction {
    public static var blockSize: Int { SHA512.blockSize }
    public static var outputSize: Int { 48 }
    private var inner = SHA512.sha384()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }

    public mutating func finalize(into digest: UnsafeMutableRawBufferPointer) { inner.finalize(into: digest) }
}

/// The message buffering SHA-256 and SHA-512 share: input collects in `buffer` until a block
/// is full, while whole blocks of the input go to the compression function straight from where
/// they lie, as many at a time as are contiguous (a block function with the CPU's SHA
/// instructions saves and restores its vector registers once per call, not once per block).
/// That may be unaligned (flash, a byte offset into a granule): the compression functions read
/// it a byte at a time.
struct MessageBlocks<let blockSize: Int> {
    /// The partial block; its first `buffered` bytes are pending.
    private(set) var buffer = InlineArray<blockSize, UInt8>(repeating: 0)
    private(set) var buffered = 0
    /// Bytes absorbed so far; messages here are far below any length limit.
    private(set) var messageLength: UInt64 = 0

    /// Adds `bytes`, calling `compress` with the start and number (at least one) of each run of
    /// completed blocks.
    mutating func absorb(_ bytes: UnsafeRawBufferPointer, _ compress: (UnsafeRawPointer, Int) -> Void) {
        messageLength &+= UInt64(bytes.count)
        var offset = 0
        if buffered > 0 {
            let take = min(blockSize - buffered, bytes.count)
            for i in 0..<take { buffer[buffered + i] = bytes[i] }
            buffered += take
            offset = take
            if buffered < blockSize { return }
            withUnsafeBytes(of: buffer) { compress($0.baseAddress!, 1) }
            buffered = 0
        }
        let whole = (bytes.count - offset) / blockSize
        if whole > 0 {
            compress(bytes.baseAddress! + offset, whole)
            offset += whole * blockSize
        }
        for i in 0..<(bytes.count - offset) { buffer[i] = bytes[offset + i] }
        buffered = bytes.count - offset
    }

    /// Counts `count` whole blocks the caller compressed itself; only at a block boundary.
    mutating func skipWholeBlocks(_ count: Int) {
        precondition(buffered == 0 && count >= 0)
        messageLength &+= UInt64(count) &* UInt64(blockSize)
    }
}

/// A hash that absorbs whole zero blocks without being given their bytes: sparse images
/// (RmiRealmParams, RmiRecParams; SparseImage.swift) are mostly zero blocks.
protocol ZeroBlockHashing: HashFunction {
    /// Absorbs `count * blockSize` zero bytes.
    mutating func updateZeroBlocks(_ count: Int)
}

extension ZeroBlockHashing {
    /// Absorbs `count` zero blocks of `blockSize` (at most 128) bytes through `update`, eight
    /// blocks a call at most: a block function saves and restores the vector registers once per
    /// call. For the cases the portable zero-block compression cannot take.
    mutating func updateZeroBytes(blocks count: Int, blockSize: Int) {
        let zero = InlineArray<1024, UInt8>(repeating: 0)
        var left = count
        withUnsafeBytes(of: zero) { bytes in
            while left > 0 {
                let n = min(left, 8)
                update(UnsafeRawBufferPointer(rebasing: bytes[0..<(n * blockSize)]))
                left -= n
            }
        }
    }
}

extension HashFunction {
    /// One-shot digest of `bytes` into `digest`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        var h = Self()
        h.update(bytes)
        h.finalize(into: digest)
    }
}
