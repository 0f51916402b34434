// P-384 ECDSA against published answers (RFC 6979 A.2.6, NIST CAVP SigVer [P-384,SHA-384])
// and against swift-crypto in both directions: signatures made here verify there and the
// other way round, and public keys derived here match swift-crypto's for the same scalar.

import Crypto
import Foundation
import Testing
@testable import TMMCore

/// RFC 6979 A.2.6: the P-384 key and its public point.
private let rfcPrivateKey = "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5"
private let rfcPublicX = "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13"
private let rfcPublicY = "8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720"

func makePrivateKey(_ hex: String) -> TMMCore.P384.PrivateKey? {
    hexBytes(hex).withUnsafeBytes { TMMCore.P384.PrivateKey(rawScalar: $0) }
}

func publicKeyBytes(_ key: TMMCore.P384.PublicKey) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 97)
    out.withUnsafeMutableBytes { key.writeUncompressed(to: $0) }
    return out
}

func signatureBytes(_ signature: TMMCore.P384.Signature) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 96)
    out.withUnsafeMutableBytes { signature.writeRawRepresentation(to: $0) }
    return out
}

func sign(_ key: TMMCore.P384.PrivateKey, _ message: [UInt8]) -> [UInt8] {
    signatureBytes(message.withUnsafeBytes { key.signature(for: $0) })
}

func verify(_ key: TMMCore.P384.PublicKey, _ signature: [UInt8], _ message: [UInt8]) -> Bool {
    guard let sig = signature.withUnsafeBytes({ TMMCore.P384.Signature(rawRepresentation: $0) }) else { return false }
    return message.withUnsafeBytes { key.isValidSignature(sig, for: $0) }
}

func verifyDigest(_ key: TMMCore.P384.PublicKey, _ signature: [UInt8], digest: [UInt8]) -> Bool {
    guard let sig = signature.withUnsafeBytes({ TMMCore.P384.Signature(rawRepresentation: $0) }) else { return false }
    return digest.withUnsafeBytes { key.isValidSignature(sig, digest: $0) }
}

func makePublicKey(x: String, y: String) -> TMMCore.P384.PublicKey? {
    hexBytes(x).withUnsafeBytes { xb in hexBytes(y).withUnsafeBytes { TMMCore.P384.PublicKey(x: xb, y: $0) } }
}

/// A small deterministic generator so failures reproduce.
@Suite struct P384Tests {
    @Test func rfc6979PublicKey() throws {
        let key = try #require(makePrivateKey(rfcPrivateKey))
        #expect(hexString(publicKeyBytes(key.publicKey)) == "04" + rfcPublicX + rfcPublicY)
    }

    /// RFC 6979 A.2.6 with SHA-384: the nonce k and the signature (r, s) for "sample" and "test".
    @Test(arguments: [
        ("sample",
         "94ed910d1a099dad3254e9242ae85abde4ba15168eaf0ca87a555fd56d10fbca2907e3e83ba95368623b8c4686915cf9",
         "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46",
         "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8"),
        ("test",
         "015ee46a5bf88773ed9123a5ab0807962d193719503c527b031b4c2d225092ada71f4a459bc0da98adb95837db8312ea",
         "8203b63d3c853e8d77227fb377bcf7b7b772e97892a80f36ab775d509d7a5feb0542a7f0812998da8f1dd3ca3cf023db",
         "ddd0760448d42d8a43af45af836fce4de8be06b485e9b61b827c2f13173923e06a739f040649a667bf3b828246baa5a5"),
    ])
    func rfc6979Signature(message: String, k: String, r: String, s: String) throws {
        let key = try #require(makePrivateKey(rfcPrivateKey))
        let bytes = Array(message.utf8)
        var digest = [UInt8](repeating: 0, count: 48)
        bytes.withUnsafeBytes { m in digest.withUnsafeMutableBytes { TMMCore.SHA384.hash(m, into: $0) } }
        let e = digest.withUnsafeBytes { TMMCore.P384.digestScalar($0) }
        var nonces = RFC6979Nonces(privateKey: key.scalar, reducedDigest: e)
        var kBytes = [UInt8](repeating: 0, count: 48)
        let candidate = nonces.next()
        kBytes.withUnsafeMutableBytes { Limbs.writeBigEndian(candidate, to: $0) }
        #expect(hexString(kBytes) == k)
        let signature = sign(key, bytes)
        #expect(hexString(signature) == r + s)
        #expect(verify(key.publicKey, signature, bytes))
    }

    /// NIST CAVP FIPS 186-3 ECDSA SigVer.rsp, section [P-384,SHA-384]: two "Result = P" records
    /// and one "Result = F (2 - R changed)" record.
    @Test(arguments: [
        ("9dd789ea25c04745d57a381f22de01fb0abd3c72dbdefd44e43213c189583eef85ba662044da3de2dd8670e6325154480155bbeebb702c75781ac32e13941860cb576fe37a05b757da5b5b418f6dd7c30b042e40f4395a342ae4dce05634c33625e2bc524345481f7e253d9551266823771b251705b4a85166022a37ac28f1bd",
         "cb908b1fd516a57b8ee1e14383579b33cb154fece20c5035e2b3765195d1951d75bd78fb23e00fef37d7d064fd9af144",
         "cd99c46b5857401ddcff2cf7cf822121faf1cbad9a011bed8c551f6f59b2c360f79bfbe32adbcaa09583bdfdf7c374bb",
         "33f64fb65cd6a8918523f23aea0bbcf56bba1daca7aff817c8791dc92428d605ac629de2e847d43cee55ba9e4a0e83ba",
         "4428bb478a43ac73ecd6de51ddf7c28ff3c2441625a081714337dd44fea8011bae71959a10947b6ea33f77e128d3c6ae",
         true),
        ("93e7e75cfaf3fa4e71df80f7f8c0ef6672a630d2dbeba1d61349acbaaa476f5f0e34dccbd85b9a815d908203313a22fe3e919504cb222d623ad95662ea4a90099742c048341fe3a7a51110d30ad3a48a777c6347ea8b71749316e0dd1902facb304a76324b71f3882e6e70319e13fc2bb9f3f5dbb9bd2cc7265f52dfc0a3bb91",
         "a370cdbef95d1df5bf68ec487122514a107db87df3f8852068fd4694abcadb9b14302c72491a76a64442fc07bd99f02c",
         "d397c25dc1a5781573d039f2520cf329bf65120fdbe964b6b80101160e533d5570e62125b9f3276c49244b8d0f3e44ec",
         "c6c7bb516cc3f37a304328d136b2f44bb89d3dac78f1f5bcd36b412a8b4d879f6cdb75175292c696b58bfa9c91fe6391",
         "6b711425e1b14f7224cd4b96717a84d65a60ec9951a30152ea1dd3b6ea66a0088d1fd3e9a1ef069804b7d969148c37a0",
         true),
        ("4132833a525aecc8a1a6dea9f4075f44feefce810c4668423b38580417f7bdca5b21061a45eaa3cbe2a7035ed189523af8002d65c2899e65735e4d93a16503c145059f365c32b3acc6270e29a09131299181c98b3c76769a18faf21f6b4a8f271e6bf908e238afe8002e27c63417bda758f846e1e3b8e62d7f05ebd98f1f9154",
         "1f94eb6f439a3806f8054dd79124847d138d14d4f52bac93b042f2ee3cdb7dc9e09925c2a5fee70d4ce08c61e3b19160",
         "1c4fd111f6e33303069421deb31e873126be35eeb436fe2034856a3ed1e897f26c846ee3233cd16240989a7990c19d8c",
         "3c15c3cedf2a6fbff2f906e661f5932f2542f0ce68e2a8182e5ed3858f33bd3c5666f17ac39e52cb004b80a0d4ba73cd",
         "9de879083cbb0a97973c94f1963d84f581e4c6541b7d000f9850deb25154b23a37dd72267bdd72665cc7027f88164fab",
         false),
    ])
    func cavpSigVer(message: String, qx: String, qy: String, r: String, s: String, valid: Bool) throws {
        let key = try #require(makePublicKey(x: qx, y: qy))
        #expect(verify(key, hexBytes(r + s), hexBytes(message)) == valid)
    }

    @Test func rejectsTamperedSignaturesAndMessages() throws {
        let key = try #require(makePrivateKey(rfcPrivateKey))
        let message = Array("sample".utf8)
        let good = sign(key, message)
        for byte in [0, 20, 47, 48, 70, 95] {
            var bad = good
            bad[byte] ^= 0x01
            #expect(!verify(key.publicKey, bad, message), "flipped byte \(byte)")
        }
        #expect(!verify(key.publicKey, good, Array("samplf".utf8)))
        let otherKey = try #require(makePrivateKey("01" + String(repeating: "00", count: 47)))
        #expect(!verify(otherKey.publicKey, good, message))
    }

    /// r or s of 0, or n and above, must be refused before any arithmetic.
    @Test func rejectsOutOfRangeSignatureValues() throws {
        let key = try #require(makePrivateKey(rfcPrivateKey))
        let message = Array("sample".utf8)
        let good = sign(key, message)
        let n = hexBytes("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973")
        let zero = [UInt8](repeating: 0, count: 48)
        #expect(!verify(key.publicKey, zero + Array(good[48...]), message))
        #expect(!verify(key.publicKey, Array(good[..<48]) + zero, message))
        #expect(!verify(key.publicKey, n + Array(good[48...]), message))
        #expect(!verify(key.publicKey, Array(good[..<48]) + n, message))
        // s and n - s are both valid ECDSA signatures; the high-s form must verify too.
        let nMinusS = subtract(n, Array(good[48...]))
        #expect(verify(key.publicKey, Array(good[..<48]) + nMinusS, message))
    }

    /// Public-key validation: a coordinate not below p, or a point off the curve, is refused.
    @Test func publicKeyValidation() {
        #expect(makePublicKey(x: rfcPublicX, y: rfcPublicY) != nil)
        var y = hexBytes(rfcPublicY)
        y[47] ^= 1
        #expect(makePublicKey(x: rfcPublicX, y: hexString(y)) == nil)
        let p = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"
        #expect(makePublicKey(x: p, y: rfcPublicY) == nil)
        var uncompressed = [UInt8](repeating: 0, count: 97)
        uncompressed[0] = 0x04
        #expect(uncompressed.withUnsafeBytes { TMMCore.P384.PublicKey(uncompressed: $0) } == nil)
        uncompressed = [0x04] + hexBytes(rfcPublicX) + hexBytes(rfcPublicY)
        #expect(uncompressed.withUnsafeBytes { TMMCore.P384.PublicKey(uncompressed: $0) } != nil)
        uncompressed[0] = 0x03
        #expect(uncompressed.withUnsafeBytes { TMMCore.P384.PublicKey(uncompressed: $0) } == nil)
    }

    @Test func privateScalarRange() {
        let n = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"
        let nMinus1 = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52972"
        #expect(makePrivateKey(String(repeating: "00", count: 48)) == nil)
        #expect(makePrivateKey(n) == nil)
        #expect(makePrivateKey(String(repeating: "ff", count: 48)) == nil)
        // (n-1)·G = -G: G's x and p - Gy.
        let key = makePrivateKey(nMinus1)
        #expect(key.map { hexString(publicKeyBytes($0.publicKey)) } == "04"
            + "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"
            + "c9e821b569d9d390a26167406d6d23d6070be242d765eb831625ceec4a0f473ef59f4e30e2817e6285bce2846f15f1a0")
    }

    /// Wide reduction against values computed independently (Python big integers).
    @Test func wideReduction() {
        func reduce(_ bytes: [UInt8]) -> String {
            var out = [UInt8](repeating: 0, count: 48)
            let value = bytes.withUnsafeBytes { TMMCore.P384.reduceWide($0) }
            out.withUnsafeMutableBytes { Limbs.writeBigEndian(value, to: $0) }
            return hexString(out)
        }
        #expect(reduce([UInt8](repeating: 0xff, count: 72)) == "389cb27e0bc8d220a7e5f24db74f58851313e695333ad68cffffffffffffffffffffffffffffffffffffffffffffffff")
        #expect(reduce([UInt8](repeating: 0xff, count: 96)) == "0c84ee012b39bf213fb05b7a28266895d40d49174aab1cc5bc3e483afcb82947ff3d81e5df1aa4192d319b2419b409a8")
        #expect(reduce([0x01] + [UInt8](repeating: 0, count: 71)) == "00389cb27e0bc8d220a7e5f24db74f58851313e695333ad68d0000000000000000000000000000000000000000000000")
    }

    @Test func keyDerivationIsDeterministicAndContextSeparated() {
        let secret = [UInt8](repeating: 0x42, count: 32)
        func derive(_ context: String) -> TMMCore.P384.PrivateKey {
            secret.withUnsafeBytes { s in
                Array(context.utf8).withUnsafeBytes { TMMCore.P384.PrivateKey(derivingFrom: s, context: $0) }
            }
        }
        let a = derive("realm attestation key")
        let b = derive("realm attestation key")
        let c = derive("platform attestation key")
        #expect(publicKeyBytes(a.publicKey) == publicKeyBytes(b.publicKey))
        #expect(publicKeyBytes(a.publicKey) != publicKeyBytes(c.publicKey))
        // swift-crypto agrees on the public key of the derived scalar.
        var scalar = [UInt8](repeating: 0, count: 48)
        scalar.withUnsafeMutableBytes { Limbs.writeBigEndian(a.scalar, to: $0) }
        let reference = try? Crypto.P384.Signing.PrivateKey(rawRepresentation: scalar)
        #expect(reference.map { Array($0.publicKey.x963Representation) } == publicKeyBytes(a.publicKey))
    }

    /// Signatures made here verify with swift-crypto, and swift-crypto's verify here, over
    /// random keys and messages; both also verify with their own side.
    @Test func crossCheckWithSwiftCrypto() throws {
        var random = SplitMix64(seed: 0x5eed_1234)
        let rounds = 300
        for round in 0..<rounds {
            let secret = random.bytes(48)
            let ours = secret.withUnsafeBytes { s in
                Array("round \(round)".utf8).withUnsafeBytes { TMMCore.P384.PrivateKey(derivingFrom: s, context: $0) }
            }
            var scalar = [UInt8](repeating: 0, count: 48)
            scalar.withUnsafeMutableBytes { Limbs.writeBigEndian(ours.scalar, to: $0) }
            let theirs = try Crypto.P384.Signing.PrivateKey(rawRepresentation: scalar)
            #expect(Array(theirs.publicKey.x963Representation) == publicKeyBytes(ours.publicKey))

            let message = random.bytes(Int(random.next() % 200))
            let ourSignature = sign(ours, message)
            let parsed = try Crypto.P384.Signing.ECDSASignature(rawRepresentation: ourSignature)
            #expect(theirs.publicKey.isValidSignature(parsed, for: message), "round \(round): ours rejected by swift-crypto")

            let theirSignature = try theirs.signature(for: message)
            #expect(verify(ours.publicKey, Array(theirSignature.rawRepresentation), message),
                    "round \(round): swift-crypto's rejected here")
            var tampered = message
            tampered.append(0)
            #expect(!verify(ours.publicKey, Array(theirSignature.rawRepresentation), tampered))
        }
    }

    /// Random swift-crypto keys (not derived here) also interoperate.
    @Test func verifiesSwiftCryptoKeys() throws {
        for round in 0..<100 {
            let theirs = Crypto.P384.Signing.PrivateKey()
            let ours = try #require(Array(theirs.rawRepresentation).withUnsafeBytes { TMMCore.P384.PrivateKey(rawScalar: $0) })
            #expect(publicKeyBytes(ours.publicKey) == Array(theirs.publicKey.x963Representation))
            let message = Array("message \(round)".utf8)
            let parsed = try Crypto.P384.Signing.ECDSASignature(rawRepresentation: sign(ours, message))
            #expect(theirs.publicKey.isValidSignature(parsed, for: message))
            let digest = Array(Crypto.SHA384.hash(data: message))
            #expect(verifyDigest(ours.publicKey, Array(try theirs.signature(for: message).rawRepresentation), digest: digest))
        }
    }
}

/// Big-endian a - b for equal-length byte strings with a >= b.
private func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: a.count)
    var borrow = 0
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        var d = Int(a[i]) - Int(b[i]) - borrow
        borrow = d < 0 ? 1 : 0
        if d < 0 { d += 256 }
        out[i] = UInt8(d)
    }
    return out
}

@Suite struct CryptoSelfTestTests {
    @Test func knownAnswersPass() {
        #expect(CryptoSelfTest.run())
    }
}
