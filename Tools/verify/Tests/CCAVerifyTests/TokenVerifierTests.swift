// The verifier accepts the firmware's tokens and rejects, with the right reason, tokens that
// are malformed, truncated, re-signed badly, unbound, or not what the caller expects.

import Crypto
import Testing
@testable import CCAVerify
@testable import TMMCore

private func platformKey() throws -> Crypto.P384.Signing.PublicKey {
    try Crypto.P384.Signing.PublicKey(x963Representation: ExampleToken.platformPublicKeyBytes)
}

private func reject(_ token: [UInt8], _ policy: VerificationPolicy = VerificationPolicy()) -> VerificationError? {
    do {
        _ = try TokenVerifier.verify(token, policy: policy)
        return nil
    } catch {
        return error
    }
}

/// Rebuilds the collection around new inner tokens.
private func collection(platform: [UInt8], realm: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: platform.count + realm.count + 32)
    let length = platform.withUnsafeBytes { p in
        realm.withUnsafeBytes { r in out.withUnsafeMutableBytes { try! CCAToken.assemble(platformToken: p, realmToken: r, into: $0) } }
    }
    return Array(out[..<length])
}

private func innerTokens(_ token: [UInt8]) -> (platform: [UInt8], realm: [UInt8]) {
    guard case .tag(399, let body) = try! CBORDecoder.decode(token), case .bytes(let p)? = body[44234],
        case .bytes(let r)? = body[44241]
    else { fatalError("not a token") }
    return (p, r)
}

@Suite struct TokenVerifierTests {
    @Test func acceptsTheFirmwaresToken() throws {
        var policy = VerificationPolicy()
        let inputs = ExampleToken.Inputs()
        policy.challenge = inputs.challenge
        policy.personalizationValue = inputs.personalizationValue
        policy.initialMeasurement = Array(inputs.measurements[0..<32])
        policy.extensibleMeasurements = (1...4).map { Array(inputs.measurements[($0 * 64)..<($0 * 64 + 32)]) }
        policy.platformPublicKey = try platformKey()
        let verified = try TokenVerifier.verify(ExampleToken.make(), policy: policy)
        #expect(verified.platformSignatureVerified)
        #expect(verified.realm.hashAlgorithm == "sha-256")
        #expect(verified.platform.softwareComponents.count == 3)
        #expect(verified.platform.profile == "tag:arm.com,2023:cca_platform#1.0.0")
        let json = verified.json()
        #expect(json.contains("\"cca-realm-delegated-token\""))
        #expect(json.contains("\"initial-measurement\""))
    }

    @Test func withoutAPlatformKeyThePlatformSignatureIsNotClaimed() throws {
        #expect(try !TokenVerifier.verify(ExampleToken.make()).platformSignatureVerified)
    }

    /// Every proper prefix of a token is refused as malformed CBOR, as is any extension.
    @Test func truncatedAndExtendedTokensAreRejected() {
        let token = ExampleToken.make()
        for length in stride(from: 0, to: token.count, by: 7) {
            guard case .malformedCBOR? = reject(Array(token[..<length])) else {
                Issue.record("prefix of \(length) bytes not rejected as malformed")
                continue
            }
        }
        guard case .malformedCBOR(let reason)? = reject(token + [0]) else {
            Issue.record("trailing byte accepted")
            return
        }
        #expect(reason.contains("trailing"))
    }

    @Test func wrongSignaturesAreRejected() throws {
        let token = ExampleToken.make()
        let (platform, realm) = innerTokens(token)
        var badRealm = realm
        badRealm[badRealm.count - 1] ^= 0x01
        #expect(reject(collection(platform: platform, realm: badRealm)) == .realmSignatureInvalid)

        var badPlatform = platform
        badPlatform[badPlatform.count - 10] ^= 0x80
        var policy = VerificationPolicy()
        policy.platformPublicKey = try platformKey()
        #expect(reject(collection(platform: badPlatform, realm: realm), policy) == .platformSignatureInvalid)
        // The right token under another platform key.
        policy.platformPublicKey = Crypto.P384.Signing.PrivateKey().publicKey
        #expect(reject(token, policy) == .platformSignatureInvalid)
    }

    /// A claim changed after signing: the payload no longer matches the signature.
    @Test func modifiedClaimsAreRejected() {
        let token = ExampleToken.make()
        let (platform, realm) = innerTokens(token)
        // The challenge's bytes sit in the payload; flip one of them (0xc1 -> 0xc0).
        guard let index = realm.firstIndex(of: 0xc1) else { return }
        var modified = realm
        modified[index] = 0xc0
        #expect(reject(collection(platform: platform, realm: modified)) == .realmSignatureInvalid)
    }

    /// A platform token for some other RAK: both signatures fine, binding broken.
    @Test func unboundTokensAreRejected() throws {
        var inputs = ExampleToken.Inputs()
        inputs.platformChallenge = [UInt8](repeating: 0x42, count: 32)
        var policy = VerificationPolicy()
        policy.platformPublicKey = try platformKey()
        #expect(reject(ExampleToken.make(inputs), policy) == .bindingMismatch)
    }

    @Test func expectedValuesAreEnforced() {
        let token = ExampleToken.make()
        var policy = VerificationPolicy()
        policy.challenge = [UInt8](repeating: 0, count: 64)
        #expect(reject(token, policy) == .unexpectedValue("the realm challenge"))
        policy = VerificationPolicy()
        policy.initialMeasurement = [UInt8](repeating: 0, count: 32)
        #expect(reject(token, policy) == .unexpectedValue("the RIM"))
        policy = VerificationPolicy()
        let inputs = ExampleToken.Inputs()
        var rems = (1...4).map { Array(inputs.measurements[($0 * 64)..<($0 * 64 + 32)]) }
        rems[2][0] ^= 1
        policy.extensibleMeasurements = rems
        #expect(reject(token, policy) == .unexpectedValue("REM[2]"))
        policy = VerificationPolicy()
        policy.personalizationValue = [UInt8](repeating: 0, count: 64)
        #expect(reject(token, policy) == .unexpectedValue("the realm personalization value"))
    }

    @Test func structuralErrors() {
        let (platform, realm) = innerTokens(ExampleToken.make())
        // Not tag 399.
        guard case .notACCAToken? = reject([0xa0]) else { Issue.record("untagged map accepted"); return }
        // A realm token that is not a COSE_Sign1.
        guard case .malformedCOSE(token: "realm", _)? = reject(collection(platform: platform, realm: [0x80])) else {
            Issue.record("bad realm envelope accepted")
            return
        }
        // Protected header {1: -7} (ES256) instead of ES384: patch 0x38 0x22 to 0x26 and fix
        // the lengths by re-encoding the whole envelope around the same parts.
        guard case .tag(18, .array(let parts)) = try! CBORDecoder.decode(realm), case .bytes(let payload) = parts[2],
            case .bytes(let signature) = parts[3]
        else { return }
        let es256: [UInt8] = [0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x59, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
            + payload + [0x58, 0x60] + signature
        #expect(reject(collection(platform: platform, realm: es256)) == .unsupportedAlgorithm(token: "realm"))
        // A signature of 64 bytes.
        let short: [UInt8] = [0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x59, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
            + payload + [0x58, 0x40] + Array(signature[..<64])
        guard case .malformedCOSE(token: "realm", let detail)? = reject(collection(platform: platform, realm: short)) else {
            Issue.record("short signature accepted")
            return
        }
        #expect(detail.contains("96"))
    }

    @Test func reasonsAreOneLine() {
        let errors: [VerificationError] = [
            .malformedCBOR("x at byte 3"), .bindingMismatch, .realmSignatureInvalid, .platformSignatureInvalid,
            .missingClaim(token: "realm", key: 10), .unexpectedValue("the RIM"),
        ]
        for error in errors { #expect(!error.description.contains("\n")) }
    }
}
