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

extension SHA256: HashFunction {
    public static var outputSize: Int { digestSize }
}

extension SHA512: HashFunction {
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

extension HashFunction {
    /// One-shot digest of `bytes` into `digest`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        var h = Self()
        h.update(bytes)
        h.finalize(into: digest)
    }
}
