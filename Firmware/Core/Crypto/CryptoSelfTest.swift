// Known-answer self-test for boot: before the TMM signs anything it checks that SHA-256,
// SHA-384, HMAC-SHA-384 and ES384 still give the published answers on this build and CPU,
// and that verification rejects a corrupted signature. Expected values: FIPS 180-4 examples
// ("abc"), RFC 4231 test case 2, RFC 6979 A.2.6 (P-384, SHA-384, "sample").

public enum CryptoSelfTest {
    private static let hmac384Jefe: InlineArray<48, UInt8> = [
        0xaf, 0x45, 0xd2, 0xe3, 0x76, 0x48, 0x40, 0x31, 0x61, 0x7f, 0x78, 0xd2, 0xb5, 0x8a, 0x6b, 0x1b,
        0x9c, 0x7e, 0xf4, 0x64, 0xf5, 0xa0, 0x1b, 0x47, 0xe4, 0x2e, 0xc3, 0x73, 0x63, 0x22, 0x44, 0x5e,
        0x8e, 0x22, 0x40, 0xca, 0x5e, 0x69, 0xe2, 0xc7, 0x8b, 0x32, 0x39, 0xec, 0xfa, 0xb2, 0x16, 0x49,
    ]
    private static let rfc6979Key: InlineArray<48, UInt8> = [
        0x6b, 0x9d, 0x3d, 0xad, 0x2e, 0x1b, 0x8c, 0x1c, 0x05, 0xb1, 0x98, 0x75, 0xb6, 0x65, 0x9f, 0x4d,
        0xe2, 0x3c, 0x3b, 0x66, 0x7b, 0xf2, 0x97, 0xba, 0x9a, 0xa4, 0x77, 0x40, 0x78, 0x71, 0x37, 0xd8,
        0x96, 0xd5, 0x72, 0x4e, 0x4c, 0x70, 0xa8, 0x25, 0xf8, 0x72, 0xc9, 0xea, 0x60, 0xd2, 0xed, 0xf5,
    ]
    private static let rfc6979SampleSignature: InlineArray<96, UInt8> = [
        0x94, 0xed, 0xbb, 0x92, 0xa5, 0xec, 0xb8, 0xaa, 0xd4, 0x73, 0x6e, 0x56, 0xc6, 0x91, 0x91, 0x6b,
        0x3f, 0x88, 0x14, 0x06, 0x66, 0xce, 0x9f, 0xa7, 0x3d, 0x64, 0xc4, 0xea, 0x95, 0xad, 0x13, 0x3c,
        0x81, 0xa6, 0x48, 0x15, 0x2e, 0x44, 0xac, 0xf9, 0x6e, 0x36, 0xdd, 0x1e, 0x80, 0xfa, 0xbe, 0x46,
        0x99, 0xef, 0x4a, 0xeb, 0x15, 0xf1, 0x78, 0xce, 0xa1, 0xfe, 0x40, 0xdb, 0x26, 0x03, 0x13, 0x8f,
        0x13, 0x0e, 0x74, 0x0a, 0x19, 0x62, 0x45, 0x26, 0x20, 0x3b, 0x63, 0x51, 0xd0, 0xa3, 0xa9, 0x4f,
        0xa3, 0x29, 0xc1, 0x45, 0x78, 0x6e, 0x67, 0x9e, 0x7b, 0x82, 0xc7, 0x1a, 0x38, 0x62, 0x8a, 0xc8,
    ]

    // The messages and the HMAC key of the known answers.
    private static let jefe: StaticString = "Jefe"
    private static let jefeMessage: StaticString = "what do ya want for nothing?"
    private static let sample: StaticString = "sample"

    /// True when every known answer matches. Costs two P-384 scalar multiplications for the
    /// key, one for the signature and four for the two verifications.
    public static func run() -> Bool {
        var digest = InlineArray<64, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &digest) { SHA256.hash(FIPS180Examples.abc.rawBytes, into: $0) }
        var ok = withUnsafeBytes(of: digest) { d in
            withUnsafeBytes(of: FIPS180Examples.sha256ABC) { constantTimeEqual(UnsafeRawBufferPointer(rebasing: d[0..<32]), $0) }
        }
        withUnsafeMutableBytes(of: &digest) { SHA384.hash(FIPS180Examples.abc.rawBytes, into: $0) }
        ok = ok && withUnsafeBytes(of: digest) { d in
            withUnsafeBytes(of: FIPS180Examples.sha384ABC) { constantTimeEqual(UnsafeRawBufferPointer(rebasing: d[0..<48]), $0) }
        }
        withUnsafeMutableBytes(of: &digest) {
            HMAC<SHA384>.authenticate(jefeMessage.rawBytes, key: jefe.rawBytes, into: $0)
        }
        ok = ok && withUnsafeBytes(of: digest) { d in
            withUnsafeBytes(of: hmac384Jefe) { constantTimeEqual(UnsafeRawBufferPointer(rebasing: d[0..<48]), $0) }
        }
        guard ok, let key = withUnsafeBytes(of: rfc6979Key, { P384.PrivateKey(rawScalar: $0) }) else { return false }
        let signature = key.signature(for: sample.rawBytes)
        var raw = InlineArray<96, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &raw) { signature.writeRawRepresentation(to: $0) }
        ok = withUnsafeBytes(of: raw) { r in withUnsafeBytes(of: rfc6979SampleSignature) { constantTimeEqual(r, $0) } }
        ok = ok && key.publicKey.isValidSignature(signature, for: sample.rawBytes)
        raw[95] ^= 1
        guard let corrupted = withUnsafeBytes(of: raw, { P384.Signature(rawRepresentation: $0) }) else { return false }
        return ok && !key.publicKey.isValidSignature(corrupted, for: sample.rawBytes)
    }
}
