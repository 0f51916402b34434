// Tokens built by the firmware code, read back with a strict decoder and checked with
// swift-crypto, independently of the firmware's own verifier: the envelope bytes, the claim
// keys and their order, the COSE_Key, the binding and both signatures.

import CCAVerify
import Crypto
import Testing
@testable import TMMCore

private func decode(_ bytes: [UInt8]) throws -> CBORValue { try CBORDecoder.decode(bytes) }

/// Splits a COSE_Sign1 and checks its signature the way RFC 9052 section 4.4 describes,
/// building the Sig_structure by hand here rather than with the firmware's encoder.
private func checkSign1(_ bytes: [UInt8], key: Crypto.P384.Signing.PublicKey) throws -> [UInt8] {
    guard case .tag(18, .array(let parts)) = try decode(bytes), parts.count == 4,
        case .bytes(let protected) = parts[0], case .map(let unprotected) = parts[1],
        case .bytes(let payload) = parts[2], case .bytes(let signature) = parts[3]
    else {
        Issue.record("not a COSE_Sign1")
        return []
    }
    #expect(protected == [0xa1, 0x01, 0x38, 0x22])
    #expect(unprotected.isEmpty)
    #expect(signature.count == 96)
    var head: [UInt8]
    switch payload.count {
    case 0..<24: head = [0x40 | UInt8(payload.count)]
    case 24..<256: head = [0x58, UInt8(payload.count)]
    default: head = [0x59, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
    }
    let sigStructure: [UInt8] = [0x84, 0x6a] + Array("Signature1".utf8) + [0x44, 0xa1, 0x01, 0x38, 0x22, 0x40] + head + payload
    let parsed = try Crypto.P384.Signing.ECDSASignature(rawRepresentation: signature)
    #expect(key.isValidSignature(parsed, for: sigStructure), "signature does not verify")
    return payload
}

private func mapKeys(_ value: CBORValue) -> [Int64] {
    guard case .map(let entries) = value else { return [] }
    return entries.compactMap { $0.key.integer }
}

@Suite struct TokenTests {
    /// COSE_Key of the RFC 6979 A.2.6 key: {1: 2, -1: 2, -2: x, -3: y}.
    @Test func coseKeyEncoding() throws {
        let key = try #require(makePrivateKey(
            "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5"))
        let rak = RealmAttestationKey(privateKey: key)
        let encoded = rak.withEncodedPublicKey { Array($0) }
        #expect(encoded.count == COSE.p384KeySize)
        #expect(hexString(encoded) == "a401022002215830"
            + "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13"
            + "225830"
            + "8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720")
        #expect(Array(try TokenVerifier.parseCOSEKey(encoded).x963Representation) == publicKeyBytes(key.publicKey))
    }

    @Test(arguments: [RealmHashAlgorithm.sha256, .sha512])
    func realmTokenRoundTrip(algorithm: RealmHashAlgorithm) throws {
        var inputs = ExampleToken.Inputs()
        inputs.hashAlgorithm = algorithm
        let token = ExampleToken.make(inputs)
        #expect(token.count <= CCAToken.maxSize)

        guard case .tag(399, let body) = try decode(token), case .bytes(let platform)? = body[44234],
            case .bytes(let realm)? = body[44241]
        else {
            Issue.record("not a CCA token collection")
            return
        }
        // Deterministic order of the collection's keys, and its exact head bytes.
        #expect(mapKeys(body) == [44234, 44241])
        #expect(Array(token[0..<7]) == [0xd9, 0x01, 0x8f, 0xa2, 0x19, 0xac, 0xca])
        #expect(realm.count <= CCAToken.maxRealmTokenSize)

        let rakBytes = ExampleToken.realmPublicKey
        let rak = try TokenVerifier.parseCOSEKey(rakBytes)
        let claims = try decode(try checkSign1(realm, key: rak))
        #expect(mapKeys(claims) == [10, 265, 44235, 44236, 44237, 44238, 44239, 44240])
        #expect(claims[10] == .bytes(inputs.challenge))
        #expect(claims[265] == .text("tag:arm.com,2023:realm#1.0.0"))
        #expect(claims[44235] == .bytes(inputs.personalizationValue))
        #expect(claims[44236] == .text(algorithm == .sha256 ? "sha-256" : "sha-512"))
        #expect(claims[44237] == .bytes(rakBytes))
        #expect(claims[44240] == .text("sha-256"))
        let size = algorithm.digestSize
        #expect(claims[44238] == .bytes(Array(inputs.measurements[0..<size])))
        #expect(claims[44239] == .array((1...4).map { .bytes(Array(inputs.measurements[($0 * 64)..<($0 * 64 + size)])) }))

        // The platform token is signed by the platform key and bound to the RAK.
        let platformKey = try Crypto.P384.Signing.PublicKey(x963Representation: ExampleToken.platformPublicKeyBytes)
        let platformClaims = try decode(try checkSign1(platform, key: platformKey))
        #expect(mapKeys(platformClaims) == [10, 256, 265, 2395, 2396, 2399, 2400, 2401, 2402])
        #expect(platformClaims[10] == .bytes(Array(Crypto.SHA256.hash(data: rakBytes))))
        let expectedInstance = [UInt8(1)] + Array(Crypto.SHA256.hash(data: ExampleToken.platformPublicKeyBytes))
        #expect(platformClaims[256] == .bytes(expectedInstance))
        #expect(platformClaims[2395] == .unsigned(0x3000))
    }

    /// Deterministic signatures make the whole token a function of its inputs.
    @Test func tokensAreReproducible() {
        #expect(ExampleToken.make() == ExampleToken.make())
        var other = ExampleToken.Inputs()
        other.challenge[0] ^= 1
        #expect(ExampleToken.make() != ExampleToken.make(other))
    }

    @Test func assembleMatchesInPlaceBuild() throws {
        let token = ExampleToken.make()
        guard case .tag(399, let body) = try decode(token), case .bytes(let platform)? = body[44234],
            case .bytes(let realm)? = body[44241]
        else { return }
        var out = [UInt8](repeating: 0, count: token.count)
        let length = try platform.withUnsafeBytes { p in
            try realm.withUnsafeBytes { r in try out.withUnsafeMutableBytes { try CCAToken.assemble(platformToken: p, realmToken: r, into: $0) } }
        }
        #expect(length == token.count)
        #expect(out == token)
    }

    @Test func refusesBadInputsAndSmallBuffers() {
        let rak = ExampleToken.realmAttestationKey
        let platform = ExampleToken.platformToken(challenge: ExampleToken.boundPlatformChallenge)
        let measurements = [UInt8](repeating: 3, count: 320)
        func build(challenge: Int, storage: Int, platformToken: [UInt8]) -> Result<Int, AttestationError> {
            let challengeBytes = [UInt8](repeating: 1, count: challenge)
            let rpv = [UInt8](repeating: 2, count: 64)
            var out = [UInt8](repeating: 0, count: storage)
            return rak.withEncodedPublicKey { key in
                challengeBytes.withUnsafeBytes { c in
                    rpv.withUnsafeBytes { r in
                        measurements.withUnsafeBytes { m in
                            platformToken.withUnsafeBytes { p in
                                out.withUnsafeMutableBytes { o in
                                    let claims = RealmTokenClaims(
                                        challenge: c, personalizationValue: r, hashAlgorithm: .sha256, measurements: m,
                                        publicKey: key, publicKeyHashAlgorithm: .sha256)
                                    do throws(AttestationError) {
                                        return .success(try CCAToken.build(platformToken: p, realmClaims: claims, key: rak, into: o))
                                    } catch { return .failure(error) }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard case .success(let length) = build(challenge: 64, storage: 8192, platformToken: platform) else {
            Issue.record("a good token failed")
            return
        }
        #expect(build(challenge: 32, storage: 8192, platformToken: platform) == .failure(.invalidInput))
        #expect(build(challenge: 64, storage: 8192, platformToken: []) == .failure(.invalidInput))
        #expect(build(challenge: 64, storage: 8192, platformToken: [UInt8](repeating: 0, count: 4097)) == .failure(.invalidInput))
        #expect(build(challenge: 64, storage: length - 1, platformToken: platform) == .failure(.bufferTooSmall(needed: length)))
    }
}
