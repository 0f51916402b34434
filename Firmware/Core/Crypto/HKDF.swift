// HKDF (RFC 5869): extract-then-expand key derivation over HMAC. The TMM uses it with SHA-384
// to turn a device secret into key material (the attestation key's scalar among others).

public enum HKDF<H: HashFunction> {
    /// Largest output `expand` can produce: 255 hash blocks (RFC 5869 section 2.3).
    public static var maxOutputSize: Int { 255 * H.outputSize }

    /// PRK = HMAC-Hash(salt, IKM). An empty salt means a string of HashLen zeros, which is
    /// what HMAC's zero-padding of the key yields anyway. Writes `H.outputSize` bytes.
    public static func extract(
        salt: UnsafeRawBufferPointer, inputKeyMaterial: UnsafeRawBufferPointer, into prk: UnsafeMutableRawBufferPointer
    ) {
        HMAC<H>.authenticate(inputKeyMaterial, key: salt, into: prk)
    }

    /// OKM = T(1) | T(2) | ... truncated to `output.count` bytes, T(i) = HMAC(PRK, T(i-1) | info | i).
    /// Returns false (and writes nothing) when more than 255 blocks are asked for.
    @discardableResult
    public static func expand(
        pseudoRandomKey prk: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard output.count <= maxOutputSize else { return false }
        var block = InlineArray<64, UInt8>(repeating: 0)
        var written = 0
        var counter: UInt8 = 1
        let keyed = HMAC<H>(key: prk)  // every block is keyed with PRK: key once, copy per block
        while written < output.count {
            var mac = keyed
            if counter > 1 {
                withUnsafeBytes(of: block) { mac.update(UnsafeRawBufferPointer(rebasing: $0[0..<H.outputSize])) }
            }
            mac.update(info)
            withUnsafeBytes(of: counter) { mac.update($0) }
            withUnsafeMutableBytes(of: &block) { mac.finalize(into: $0) }
            let take = min(H.outputSize, output.count - written)
            for i in 0..<take { output[written + i] = block[i] }
            written += take
            counter &+= 1
        }
        for i in 0..<64 { block[i] = 0 }
        return true
    }

    /// Extract and expand in one call.
    @discardableResult
    public static func deriveKey(
        salt: UnsafeRawBufferPointer, inputKeyMaterial: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        var prk = InlineArray<64, UInt8>(repeating: 0)
        let ok = withUnsafeMutableBytes(of: &prk) { prkBytes in
            extract(salt: salt, inputKeyMaterial: inputKeyMaterial, into: prkBytes)
            return expand(
                pseudoRandomKey: UnsafeRawBufferPointer(rebasing: prkBytes[0..<H.outputSize]), info: info, into: output)
        }
        for i in 0..<64 { prk[i] = 0 }
        return ok
    }
}
