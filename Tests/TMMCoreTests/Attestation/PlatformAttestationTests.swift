// The platform side of attestation as the EL3 monitor runs it, on the host: keys derived from
// a device secret, the EL3 service's buffer checks, and the platform token the monitor issues,
// read back with CCAVerify and swift-crypto, alone and inside a whole CCA token.

import CCAVerify
import Crypto
import Testing
@testable import TMMCore

private let secret = [UInt8]((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
private let otherSecret = [UInt8]((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 7) })

private func platformKey(_ secret: [UInt8]) -> TMMCore.P384.PrivateKey {
    secret.withUnsafeBytes { AttestationKeyDerivation.platformKey(deviceSecret: $0, model: .secureEL2Stage2) }
}

private func realmKey(_ secret: [UInt8], boot: [UInt8]) -> RealmAttestationKey {
    secret.withUnsafeBytes { s in boot.withUnsafeBytes { AttestationKeyDerivation.realmAttestationKey(deviceSecret: s, bootInput: $0) } }
}

private func rakPublicKey(_ key: RealmAttestationKey) -> [UInt8] { publicKeyBytes(key.privateKey.publicKey) }

private func rawScalar(_ key: TMMCore.P384.PrivateKey) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 48)
    out.withUnsafeMutableBytes { key.writeRawScalar(to: $0) }
    return out
}

/// An issuer laid out as the S-EL2 image's monitor lays it out: two components.
private func makeIssuer(_ key: TMMCore.P384.PrivateKey, configuration: [UInt8] = [1, 1, 0, 4]) -> PlatformTokenIssuer {
    let implementation = Array(Crypto.SHA256.hash(data: Array("test implementation".utf8)))
    var issuer = implementation.withUnsafeBytes { i in
        configuration.withUnsafeBytes { PlatformTokenIssuer(key: key, implementationID: i, configuration: $0) }
    }!
    issuer.verificationService = "https://veraison.example/.well-known/veraison/verification"
    [UInt8](repeating: 0xa1, count: 32).withUnsafeBytes { _ = issuer.addComponent(name: "EL3-monitor", version: "0.1", digest: $0) }
    [UInt8](repeating: 0xb2, count: 32).withUnsafeBytes { _ = issuer.addComponent(name: "TMM", version: "0.1", digest: $0) }
    return issuer
}

private func issue(_ issuer: PlatformTokenIssuer, challenge: [UInt8], capacity: Int = 4096) -> Result<[UInt8], AttestationError> {
    var out = [UInt8](repeating: 0, count: capacity)
    let result = challenge.withUnsafeBytes { c in
        out.withUnsafeMutableBytes { o -> Result<Int, AttestationError> in
            do throws(AttestationError) {
                return .success(try issuer.issue(challenge: c, into: o))
            } catch {
                return .failure(error)
            }
        }
    }
    return result.map { Array(out[..<$0]) }
}

private func bindingChallenge(_ key: RealmAttestationKey) -> [UInt8] {
    key.withEncodedPublicKey { Array(Crypto.SHA256.hash(data: Array($0))) }
}

private func swiftCryptoKey(_ key: TMMCore.P384.PublicKey) throws -> Crypto.P384.Signing.PublicKey {
    try Crypto.P384.Signing.PublicKey(x963Representation: publicKeyBytes(key))
}

@Suite struct KeyDerivationTests {
    @Test func platformKeyIsAFunctionOfTheSecret() {
        #expect(publicKeyBytes(platformKey(secret).publicKey) == publicKeyBytes(platformKey(secret).publicKey))
        #expect(publicKeyBytes(platformKey(secret).publicKey) != publicKeyBytes(platformKey(otherSecret).publicKey))
    }

    /// The labels keep the keys apart: the platform key, the RAK with no boot input, and a RAK
    /// derived directly from the secret (without the per-boot seed step) are three keys.
    @Test func labelsSeparateTheKeys() {
        let platform = publicKeyBytes(platformKey(secret).publicKey)
        let rak = rakPublicKey(realmKey(secret, boot: []))
        let direct = publicKeyBytes(secret.withUnsafeBytes { RealmAttestationKey(derivingFrom: $0) }.privateKey.publicKey)
        #expect(platform != rak)
        #expect(platform != direct)
        #expect(rak != direct)
    }

    @Test func rakIsNewForEveryBootInput() {
        let boot1 = [UInt8](repeating: 1, count: 73), boot2 = [UInt8](repeating: 2, count: 73)
        #expect(rakPublicKey(realmKey(secret, boot: boot1)) == rakPublicKey(realmKey(secret, boot: boot1)))
        #expect(rakPublicKey(realmKey(secret, boot: boot1)) != rakPublicKey(realmKey(secret, boot: boot2)))
        // The same boot input on another device gives another key: the secret is in it too.
        #expect(rakPublicKey(realmKey(secret, boot: boot1)) != rakPublicKey(realmKey(otherSecret, boot: boot1)))
    }

    /// The RAK crosses from EL3 to the TMM as its raw scalar (ATTEST_GET_REALM_KEY): the TMM
    /// must rebuild the same key from it.
    @Test func rawScalarRoundTrip() throws {
        let rfcKey = try #require(makePrivateKey(
            "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5"))
        #expect(hexString(rawScalar(rfcKey))
            == "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5")
        let rak = realmKey(secret, boot: [9, 9, 9])
        let imported = try #require(rawScalar(rak.privateKey).withUnsafeBytes { TMMCore.P384.PrivateKey(rawScalar: $0) })
        let rebuilt = RealmAttestationKey(privateKey: imported)
        #expect(rebuilt.withEncodedPublicKey { Array($0) } == rak.withEncodedPublicKey { Array($0) })
        // And swift-crypto agrees on the public key of that scalar.
        let reference = try Crypto.P384.Signing.PrivateKey(rawRepresentation: rawScalar(rak.privateKey))
        #expect(Array(reference.publicKey.x963Representation) == rakPublicKey(rak))
    }

    /// EL3 keeps and serves only the RAK's scalar, derived without the public key: it must be
    /// the scalar of the full derivation.
    @Test func servedScalarIsTheRAKsScalar() {
        for boot in [[UInt8](), [9, 9, 9], [UInt8](repeating: 1, count: 73)] {
            var served = [UInt8](repeating: 0, count: 48)
            secret.withUnsafeBytes { s in
                boot.withUnsafeBytes { b in
                    served.withUnsafeMutableBytes {
                        AttestationKeyDerivation.writeRealmAttestationScalar(deviceSecret: s, bootInput: b, into: $0)
                    }
                }
            }
            #expect(served == rawScalar(realmKey(secret, boot: boot).privateKey))
        }
    }

    @Test func plausibleDeviceSecrets() {
        func plausible(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { AttestationKeyDerivation.isPlausibleDeviceSecret($0) } }
        #expect(plausible(secret))
        #expect(plausible(secret + otherSecret))
        #expect(!plausible(Array(secret[0..<16])))
        #expect(!plausible(secret + [0]))
        #expect(!plausible([UInt8](repeating: 0xff, count: 32)))   // erased flash
        #expect(!plausible([UInt8](repeating: 0x00, count: 64)))   // unprogrammed fuses
    }
}

@Suite struct EL3InterfaceTests {
    private let region: (base: UInt64, end: UInt64) = (0x0E08_9000, 0x0E0B_D000)

    @Test func buffersInsideTheRegionAreAccepted() {
        #expect(EL3Attestation.validateBuffer(address: region.base, size: 48, region: region) == .ok)
        #expect(EL3Attestation.validateBuffer(address: region.end - 8, size: 8, region: region) == .ok)
        #expect(EL3Attestation.validateBuffer(address: region.base, size: region.end - region.base, region: region) == .ok)
    }

    @Test func buffersOutsideOrMisalignedAreBadAddresses() {
        #expect(EL3Attestation.validateBuffer(address: region.base - 8, size: 16, region: region) == .badAddress)
        #expect(EL3Attestation.validateBuffer(address: region.end, size: 8, region: region) == .badAddress)
        #expect(EL3Attestation.validateBuffer(address: 0x4000_0000, size: 4096, region: region) == .badAddress)
        #expect(EL3Attestation.validateBuffer(address: region.base + 4, size: 48, region: region) == .badAddress)
    }

    @Test func buffersRunningPastTheRegionAreInvalid() {
        #expect(EL3Attestation.validateBuffer(address: region.end - 8, size: 16, region: region) == .invalid)
        #expect(EL3Attestation.validateBuffer(address: region.base, size: 0, region: region) == .invalid)
        #expect(EL3Attestation.validateBuffer(address: region.base, size: UInt64.max, region: region) == .invalid)
        let top: (base: UInt64, end: UInt64) = (UInt64.max - 0xFFF, UInt64.max)
        #expect(EL3Attestation.validateBuffer(address: top.base, size: 0x2000, region: top) == .invalid)
    }

    @Test func challengeSizesAndCodes() {
        #expect([32, 48, 64].allSatisfy { EL3Attestation.isValidChallengeSize($0) })
        #expect(![0, 20, 33, 128].contains { EL3Attestation.isValidChallengeSize($0) })
        // TF-A's E_RMM_* values, as the TMM reads them from x0.
        #expect(EL3AttestationStatus.invalid.register == UInt64(bitPattern: -5))
        #expect(EL3AttestationStatus.noMemory.rawValue == -4)
        #expect(EL3AttestationStatus.unknown.rawValue == -1)
    }
}

@Suite struct PlatformTokenIssuerTests {
    @Test func tokenVerifiesWithItsClaims() throws {
        let key = platformKey(secret)
        let issuer = makeIssuer(key)
        let rak = realmKey(secret, boot: [1, 2, 3])
        let challenge = bindingChallenge(rak)
        let token = try issue(issuer, challenge: challenge).get()
        #expect(token.count == issuer.tokenSize(challengeSize: 32))

        let claims = try TokenVerifier.verifyPlatformToken(token, platformPublicKey: try swiftCryptoKey(key.publicKey), challenge: challenge)
        #expect(claims.profile == "tag:arm.com,2023:cca_platform#1.0.0")
        #expect(claims.challenge == challenge)
        #expect(claims.implementationID == Array(Crypto.SHA256.hash(data: Array("test implementation".utf8))))
        #expect(claims.instanceID == [1] + Array(Crypto.SHA256.hash(data: publicKeyBytes(key.publicKey))))
        #expect(claims.configuration == [1, 1, 0, 4])
        #expect(claims.securityLifecycle == 0x3000)
        #expect(claims.hashAlgorithm == "sha-256")
        #expect(claims.verificationService == "https://veraison.example/.well-known/veraison/verification")
        #expect(claims.softwareComponents.map(\.measurementType) == ["EL3-monitor", "TMM"])
        #expect(claims.softwareComponents.map(\.measurementValue) == [[UInt8](repeating: 0xa1, count: 32), [UInt8](repeating: 0xb2, count: 32)])
        #expect(claims.softwareComponents.allSatisfy {
            $0.version == "0.1" && $0.signerID == [UInt8](repeating: 0, count: 32) && $0.measurementDescription == "sha-256"
        })
    }

    @Test func tokenIsRejectedUnderAnotherKeyOrChallenge() throws {
        let token = try issue(makeIssuer(platformKey(secret)), challenge: [UInt8](repeating: 7, count: 48)).get()
        let wrongKey = try swiftCryptoKey(platformKey(otherSecret).publicKey)
        #expect(throws: VerificationError.platformSignatureInvalid) {
            try TokenVerifier.verifyPlatformToken(token, platformPublicKey: wrongKey)
        }
        let rightKey = try swiftCryptoKey(platformKey(secret).publicKey)
        #expect(throws: VerificationError.unexpectedValue("the platform challenge")) {
            try TokenVerifier.verifyPlatformToken(token, platformPublicKey: rightKey, challenge: [UInt8](repeating: 8, count: 48))
        }
        var tampered = token
        tampered[40] ^= 1
        #expect(throws: (any Error).self) { try TokenVerifier.verifyPlatformToken(tampered, platformPublicKey: rightKey) }
    }

    @Test func refusesBadInputs() {
        let key = platformKey(secret)
        let issuer = makeIssuer(key)
        #expect(throws: AttestationError.invalidInput) { try issue(issuer, challenge: [UInt8](repeating: 1, count: 20)).get() }
        let needed = issuer.tokenSize(challengeSize: 64)
        #expect(throws: AttestationError.bufferTooSmall(needed: needed)) {
            try issue(issuer, challenge: [UInt8](repeating: 1, count: 64), capacity: 100).get()
        }
        let implementation = [UInt8](repeating: 1, count: 32)
        let bare = implementation.withUnsafeBytes { i in [UInt8(1)].withUnsafeBytes { PlatformTokenIssuer(key: key, implementationID: i, configuration: $0) } }
        #expect(throws: AttestationError.invalidInput) { try issue(bare!, challenge: [UInt8](repeating: 1, count: 32)).get() }
        let tooLong = implementation.withUnsafeBytes { i in [UInt8](repeating: 0, count: 17).withUnsafeBytes { PlatformTokenIssuer(key: key, implementationID: i, configuration: $0) } }
        #expect(tooLong == nil)
        var full = makeIssuer(key)
        let digest = [UInt8](repeating: 3, count: 32)
        #expect(digest.withUnsafeBytes { full.addComponent(name: "third", version: "1", digest: $0) })
        #expect(!digest.withUnsafeBytes { full.addComponent(name: "fourth", version: "1", digest: $0) })
        var another = makeIssuer(key)
        #expect(![UInt8](repeating: 3, count: 48).withUnsafeBytes { another.addComponent(name: "x", version: "1", digest: $0) })
    }

    /// The whole chain as it runs on the platform: EL3 derives the keys, the TMM imports the
    /// RAK from its raw scalar and asks for a token bound to it, then builds a realm's CCA
    /// token with AttestationTokenSession; the verifier accepts it under the platform key.
    @Test func ccaTokenFromThePlatformsKeysVerifies() throws {
        let key = platformKey(secret)
        let issuer = makeIssuer(key)
        let rakInEL3 = realmKey(secret, boot: [UInt8](repeating: 0x42, count: 73))
        let scalar = rawScalar(rakInEL3.privateKey)
        let rak = RealmAttestationKey(privateKey: try #require(scalar.withUnsafeBytes { TMMCore.P384.PrivateKey(rawScalar: $0) }))
        let platformToken = try issue(issuer, challenge: bindingChallenge(rak)).get()

        let challenge = [UInt8](repeating: 0xc1, count: 64), rpv = [UInt8](repeating: 0x70, count: 64)
        let measurements = [UInt8]((0..<320).map { UInt8($0 & 0xff) })
        var storage = [UInt8](repeating: 0, count: CCAToken.collectionOverhead + platformToken.count + CCAToken.maxRealmTokenSize)
        var session = AttestationTokenSession()
        let result = challenge.withUnsafeBytes { c in
            rpv.withUnsafeBytes { r in
                measurements.withUnsafeBytes { m in
                    platformToken.withUnsafeBytes { p in
                        storage.withUnsafeMutableBytes {
                            session.start(challenge: c, personalizationValue: r, hashAlgorithm: .sha256, measurements: m,
                                          key: rak, platformToken: p, storage: $0)
                        }
                    }
                }
            }
        }
        #expect(result.status == .success)
        var policy = VerificationPolicy()
        policy.platformPublicKey = try swiftCryptoKey(key.publicKey)
        policy.challenge = challenge
        let verified = try TokenVerifier.verify(Array(storage[..<Int(result.value)]), policy: policy)
        #expect(verified.platformSignatureVerified)
        #expect(verified.platform.softwareComponents.count == 2)
    }
}
