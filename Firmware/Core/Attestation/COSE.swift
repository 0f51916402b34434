// COSE (RFC 9052/9053, formerly RFC 8152) as the CCA tokens use it: COSE_Sign1 with ES384 and
// a COSE_Key for the P-384 public key.

public enum COSE {
    /// CBOR tag of COSE_Sign1 (RFC 9052 section 4.2).
    public static let sign1Tag: UInt64 = 18
    /// COSE algorithm ES384: ECDSA with SHA-384 (RFC 9053 section 2.1).
    public static let algorithmES384: Int64 = -35
    /// Header label "alg".
    public static let algorithmLabel: Int64 = 1
    /// The serialized protected header {1: -35}; the bytes are what gets signed.
    public static let protectedHeaderES384: InlineArray<4, UInt8> = [0xa1, 0x01, 0x38, 0x22]
    /// r || s for P-384.
    public static let signatureSize = 96

    /// Writes `tag(18) [bstr(protected), {}, bstr(payload), bstr(signature)]` into `output`
    /// and signs it with `key`; returns the length written.
    ///
    /// The payload is encoded straight into its place in `output`, then hashed there: the
    /// signature covers the Sig_structure ["Signature1", protected, h'' (external_aad),
    /// payload] (RFC 9052 section 4.4), whose prefix is hashed from a small stack buffer so
    /// the Sig_structure is never materialised.
    public static func sign1<Payload: CBOREncodable>(
        payload: Payload, key: P384.PrivateKey, into output: UnsafeMutableRawBufferPointer
    ) throws(AttestationError) -> Int {
        try sign1(payload: payload, encodedSize: payload.encodedSize, key: key, into: output)
    }

    /// `sign1(payload:key:into:)` for a caller that has already measured the payload:
    /// `payloadLength` must be its `encodedSize`.
    static func sign1<Payload: CBOREncodable>(
        payload: Payload, encodedSize payloadLength: Int, key: P384.PrivateKey, into output: UnsafeMutableRawBufferPointer
    ) throws(AttestationError) -> Int {
        var writer = CBORWriter(into: output)
        writer.tag(sign1Tag)
        writer.arrayHead(count: 4)
        withUnsafeBytes(of: protectedHeaderES384) { writer.bytes($0) }
        writer.mapHead(count: 0)  // no unprotected header parameters
        writer.byteStringHead(length: payloadLength)
        let payloadStart = writer.count
        payload.encode(into: &writer)
        writer.byteStringHead(length: signatureSize)
        let signatureStart = writer.count
        writer.reserve(signatureSize)
        let length = try writer.finish()

        var digest = InlineArray<48, UInt8>(repeating: 0)
        var hash = SHA384()
        var prefix = InlineArray<32, UInt8>(repeating: 0)
        let prefixLength = withUnsafeMutableBytes(of: &prefix) { buffer in
            var sig = CBORWriter(into: buffer)
            sig.arrayHead(count: 4)
            sig.text("Signature1")
            withUnsafeBytes(of: protectedHeaderES384) { sig.bytes($0) }
            sig.byteStringHead(length: 0)  // external_aad: empty
            sig.byteStringHead(length: payloadLength)
            return sig.count
        }
        withUnsafeBytes(of: prefix) { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<prefixLength])) }
        hash.update(UnsafeRawBufferPointer(rebasing: output[payloadStart..<(payloadStart + payloadLength)]))
        withUnsafeMutableBytes(of: &digest) { hash.finalize(into: $0) }
        let signature = withUnsafeBytes(of: digest) { key.signature(digest: $0) }
        signature.writeRawRepresentation(
            to: UnsafeMutableRawBufferPointer(rebasing: output[signatureStart..<(signatureStart + signatureSize)]))
        return length
    }

    /// Length of the COSE_Sign1 `sign1` writes for a payload of `payloadLength` bytes: fixed
    /// once the payload is, because the signature is always 96 bytes.
    public static func sign1Size(payloadLength: Int) -> Int {
        2  // tag 18 (1 byte), array head (1 byte)
            + 1 + protectedHeaderES384.count + 1  // bstr(protected), empty map
            + CBORWriter.headSize(UInt64(payloadLength)) + payloadLength
            + CBORWriter.headSize(UInt64(signatureSize)) + signatureSize
    }

    /// Encoded size of a COSE_Key for a P-384 key: map(4), kty, crv, two 48-byte bstrs.
    public static let p384KeySize = 107

    /// Key type EC2 and curve P-384 (RFC 9053 sections 7.1 and 7.1.1, IANA COSE registries).
    public static let keyTypeEC2: Int64 = 2
    public static let curveP384: Int64 = 2

    /// COSE_Key {1: 2 (EC2), -1: 2 (P-384), -2: x, -3: y}: the four labels TF-RMM's t_cose
    /// encoding of the RAK carries, here in deterministic key order (1, -1, -2, -3).
    public struct P384Key: CBOREncodable {
        public let publicKey: P384.PublicKey

        public init(_ publicKey: P384.PublicKey) { self.publicKey = publicKey }

        public func encode(into writer: inout CBORWriter) {
            var coordinate = InlineArray<48, UInt8>(repeating: 0)
            writer.mapHead(count: 4)
            writer.int(1)
            writer.int(keyTypeEC2)
            writer.int(-1)
            writer.int(curveP384)
            writer.int(-2)
            withUnsafeMutableBytes(of: &coordinate) { publicKey.writeX(to: $0) }
            withUnsafeBytes(of: coordinate) { writer.bytes($0) }
            writer.int(-3)
            withUnsafeMutableBytes(of: &coordinate) { publicKey.writeY(to: $0) }
            withUnsafeBytes(of: coordinate) { writer.bytes($0) }
        }
    }
}
