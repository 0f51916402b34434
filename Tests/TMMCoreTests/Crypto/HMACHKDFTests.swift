// HMAC against RFC 4231 (cases 1, 2 and 6, the last with a key longer than the block) and
// HKDF against RFC 5869 (SHA-256 cases 1 and 3); HKDF-SHA-384, which has no published
// vectors, is cross-checked against swift-crypto.

import Crypto
import Testing
@testable import TMMCore

private func mac<H: TMMCore.HashFunction>(_: H.Type, key: [UInt8], _ message: [UInt8]) -> String {
    var out = [UInt8](repeating: 0, count: H.outputSize)
    key.withUnsafeBytes { k in
        message.withUnsafeBytes { m in out.withUnsafeMutableBytes { TMMCore.HMAC<H>.authenticate(m, key: k, into: $0) } }
    }
    return hexString(out)
}

@Suite struct HMACTests {
    @Test func rfc4231Case1() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        let data = Array("Hi There".utf8)
        #expect(mac(TMMCore.SHA256.self, key: key, data) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(mac(TMMCore.SHA384.self, key: key, data) == "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6")
        #expect(mac(TMMCore.SHA512.self, key: key, data) == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
    }

    @Test func rfc4231Case2() {
        let key = Array("Jefe".utf8)
        let data = Array("what do ya want for nothing?".utf8)
        #expect(mac(TMMCore.SHA256.self, key: key, data) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(mac(TMMCore.SHA384.self, key: key, data) == "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649")
        #expect(mac(TMMCore.SHA512.self, key: key, data) == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    /// A 131-byte key is longer than every block size here, so it is hashed first.
    @Test func rfc4231Case6LongKey() {
        let key = [UInt8](repeating: 0xaa, count: 131)
        let data = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(mac(TMMCore.SHA256.self, key: key, data) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(mac(TMMCore.SHA384.self, key: key, data) == "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952")
        #expect(mac(TMMCore.SHA512.self, key: key, data) == "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")
    }

    /// Keys of every length around the block sizes against swift-crypto.
    @Test func matchesSwiftCryptoAcrossKeyLengths() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for keyLength in [0, 1, 47, 48, 63, 64, 65, 127, 128, 129, 200] {
            let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &+ 5) }
            let reference256 = Crypto.HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            let reference384 = Crypto.HMAC<Crypto.SHA384>.authenticationCode(for: message, using: SymmetricKey(data: key))
            let reference512 = Crypto.HMAC<Crypto.SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key))
            #expect(mac(TMMCore.SHA256.self, key: key, message) == hexString(Array(reference256)))
            #expect(mac(TMMCore.SHA384.self, key: key, message) == hexString(Array(reference384)))
            #expect(mac(TMMCore.SHA512.self, key: key, message) == hexString(Array(reference512)))
        }
    }
}

private func hkdf<H: TMMCore.HashFunction>(
    _: H.Type, salt: [UInt8], ikm: [UInt8], info: [UInt8], length: Int
) -> (prk: String, okm: String) {
    var prk = [UInt8](repeating: 0, count: H.outputSize)
    var okm = [UInt8](repeating: 0, count: length)
    salt.withUnsafeBytes { s in
        ikm.withUnsafeBytes { k in
            prk.withUnsafeMutableBytes { TMMCore.HKDF<H>.extract(salt: s, inputKeyMaterial: k, into: $0) }
        }
    }
    let ok = prk.withUnsafeBytes { p in
        info.withUnsafeBytes { i in okm.withUnsafeMutableBytes { TMMCore.HKDF<H>.expand(pseudoRandomKey: p, info: i, into: $0) } }
    }
    #expect(ok)
    return (hexString(prk), hexString(okm))
}

@Suite struct HKDFTests {
    @Test func rfc5869Case1() {
        let result = hkdf(
            TMMCore.SHA256.self, salt: Array(0x00...0x0c), ikm: [UInt8](repeating: 0x0b, count: 22),
            info: Array(0xf0...0xf9), length: 42)
        #expect(result.prk == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        #expect(result.okm == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// Empty salt and info.
    @Test func rfc5869Case3() {
        let result = hkdf(TMMCore.SHA256.self, salt: [], ikm: [UInt8](repeating: 0x0b, count: 22), info: [], length: 42)
        #expect(result.prk == "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        #expect(result.okm == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test func sha384MatchesSwiftCrypto() {
        let ikm = (0..<61).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        let salt = Array("TMM test salt".utf8)
        let info = Array("realm attestation key".utf8)
        for length in [1, 47, 48, 49, 72, 200] {
            let reference = Crypto.HKDF<Crypto.SHA384>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: ikm), salt: salt, info: info, outputByteCount: length)
            let ours = hkdf(TMMCore.SHA384.self, salt: salt, ikm: ikm, info: info, length: length)
            #expect(ours.okm == reference.withUnsafeBytes { hexString(Array($0)) }, "length \(length)")
        }
    }

    @Test func refusesMoreThan255Blocks() {
        var out = [UInt8](repeating: 0, count: 255 * 48 + 1)
        let prk = [UInt8](repeating: 1, count: 48)
        let ok = prk.withUnsafeBytes { p in
            out.withUnsafeMutableBytes { TMMCore.HKDF<TMMCore.SHA384>.expand(pseudoRandomKey: p, info: UnsafeRawBufferPointer(start: nil, count: 0), into: $0) }
        }
        #expect(!ok)
    }
}
