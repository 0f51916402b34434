// HMAC (RFC 2104, FIPS 198-1) over any HashFunction here. No heap: the keyed pads live in a
// fixed 128-byte buffer, the largest block of the hashes we use.

public struct HMAC<H: HashFunction> {
    private var inner: H
    private var outer: H

    /// Starts a MAC under `key`. A key longer than the hash block is first hashed, as the
    /// standard requires; a shorter one is zero-padded.
    public init(key: UnsafeRawBufferPointer) {
        var block = InlineArray<128, UInt8>(repeating: 0)
        if key.count > H.blockSize {
            withUnsafeMutableBytes(of: &block) { H.hash(key, into: $0) }
        } else {
            for i in 0..<key.count { block[i] = key[i] }
        }
        for i in 0..<H.blockSize { block[i] ^= 0x36 }
        var innerHash = H()
        withUnsafeBytes(of: block) { innerHash.update(UnsafeRawBufferPointer(rebasing: $0[0..<H.blockSize])) }
        // 0x36 ^ 0x5c turns the inner pad into the outer one.
        for i in 0..<H.blockSize { block[i] ^= 0x36 ^ 0x5c }
        var outerHash = H()
        withUnsafeBytes(of: block) { outerHash.update(UnsafeRawBufferPointer(rebasing: $0[0..<H.blockSize])) }
        for i in 0..<128 { block[i] = 0 }
        inner = innerHash
        outer = outerHash
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }

    /// Writes the `H.outputSize`-byte tag to the start of `mac`.
    public mutating func finalize(into mac: UnsafeMutableRawBufferPointer) {
        precondition(mac.count >= H.outputSize)
        var innerDigest = InlineArray<64, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &innerDigest) { inner.finalize(into: $0) }
        withUnsafeBytes(of: innerDigest) { outer.update(UnsafeRawBufferPointer(rebasing: $0[0..<H.outputSize])) }
        outer.finalize(into: mac)
    }

    /// One-shot MAC of `message` under `key`.
    public static func authenticate(
        _ message: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, into mac: UnsafeMutableRawBufferPointer
    ) {
        var h = HMAC(key: key)
        h.update(message)
        h.finalize(into: mac)
    }
}
