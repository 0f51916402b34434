// Checks a CCA attestation token on a host: the collection's shape, both COSE_Sign1
// envelopes, every realm claim of RMM 1.0-rel0 and the platform claims' types, the realm
// signature under the key the token carries, the platform signature under a key the caller
// trusts, the binding between the two, and any values the caller expects.

import Crypto
import TMMCore

/// Why a token was rejected; `description` is the one-line reason the tool prints.
public enum VerificationError: Error, Equatable, CustomStringConvertible {
    case malformedCBOR(String)
    case notACCAToken(String)
    case malformedCOSE(token: String, String)
    case unsupportedAlgorithm(token: String)
    case missingClaim(token: String, key: Int64)
    case invalidClaim(token: String, key: Int64, String)
    case invalidRealmPublicKey(String)
    case invalidPlatformPublicKey(String)
    case realmSignatureInvalid
    case platformSignatureInvalid
    case bindingMismatch
    case unexpectedValue(String)
    case realmIsolationRequired(PlatformIsolation)

    public var description: String {
        switch self {
        case .malformedCBOR(let detail): "malformed CBOR: \(detail)"
        case .notACCAToken(let detail): "not a CCA token: \(detail)"
        case .malformedCOSE(let token, let detail): "malformed COSE_Sign1 in the \(token) token: \(detail)"
        case .unsupportedAlgorithm(let token): "the \(token) token is not signed with ES384"
        case .missingClaim(let token, let key): "the \(token) token lacks claim \(key)"
        case .invalidClaim(let token, let key, let detail): "claim \(key) of the \(token) token: \(detail)"
        case .invalidRealmPublicKey(let detail): "realm public key (claim 44237): \(detail)"
        case .invalidPlatformPublicKey(let detail): "platform public key: \(detail)"
        case .realmSignatureInvalid: "the realm token's signature does not verify with its public key"
        case .platformSignatureInvalid: "the platform token's signature does not verify with the platform key"
        case .bindingMismatch: "the platform token's challenge is not the hash of the realm public key"
        case .unexpectedValue(let what): "\(what) differs from the expected value"
        case .realmIsolationRequired(let isolation):
            "realm isolation is required, and this platform token's isolation model is \(isolation.name): \(isolation.summary)"
        }
    }
}

/// What the caller expects; nil checks nothing.
public struct VerificationPolicy {
    public var challenge: [UInt8]?
    public var personalizationValue: [UInt8]?
    public var initialMeasurement: [UInt8]?
    /// All four REMs, in order.
    public var extensibleMeasurements: [[UInt8]]?
    /// The key the platform token must be signed with. Without one the platform signature is
    /// not checked and `VerifiedToken.platformSignatureVerified` is false.
    public var platformPublicKey: Crypto.P384.Signing.PublicKey?
    /// Refuse any token whose platform is not known to isolate realms from each other and from
    /// the TMM: the EL3 image's, and any not of this project's firmware (`PlatformIsolation`).
    public var requireRealmIsolation = false

    public init() {}
}

public struct SoftwareComponent: Equatable, Sendable {
    public var measurementType: String?
    public var measurementValue: [UInt8]
    public var version: String?
    public var signerID: [UInt8]
    public var measurementDescription: String?
}

public struct PlatformClaims: Equatable, Sendable {
    public var profile: String
    public var challenge: [UInt8]
    public var implementationID: [UInt8]
    public var instanceID: [UInt8]
    public var configuration: [UInt8]
    public var securityLifecycle: UInt64
    public var hashAlgorithm: String
    public var verificationService: String?
    public var softwareComponents: [SoftwareComponent]
}

public struct RealmClaims: Equatable, Sendable {
    public var profile: String
    public var challenge: [UInt8]
    public var personalizationValue: [UInt8]
    public var hashAlgorithm: String
    public var publicKey: [UInt8]
    public var publicKeyHashAlgorithm: String
    public var initialMeasurement: [UInt8]
    public var extensibleMeasurements: [[UInt8]]
}

public struct VerifiedToken: Sendable {
    public var platform: PlatformClaims
    public var realm: RealmClaims
    /// The platform token as received (a COSE_Sign1).
    public var platformToken: [UInt8]
    public var realmToken: [UInt8]
    public var platformSignatureVerified: Bool
    /// How the realms behind the platform are isolated, as its claims say.
    public var isolation: PlatformIsolation
}

/// The parts of a COSE_Sign1.
struct Sign1 {
    var protectedHeader: [UInt8]
    var payload: [UInt8]
    var signature: [UInt8]
}

public enum TokenVerifier {
    public static func verify(_ token: [UInt8], policy: VerificationPolicy = VerificationPolicy()) throws(VerificationError) -> VerifiedToken {
        let collection = try decode(token, what: "token")
        guard case .tag(CCAToken.tag, let body) = collection else {
            throw .notACCAToken("expected tag \(CCAToken.tag) at the top")
        }
        guard case .map(let entries) = body, entries.count == 2,
            case .bytes(let platformToken)? = body[CCAToken.platformTokenKey],
            case .bytes(let realmToken)? = body[CCAToken.realmTokenKey]
        else {
            throw .notACCAToken("expected a map of exactly {44234: bstr, 44241: bstr}")
        }

        let realmSign1 = try parseSign1(realmToken, token: "realm")
        let realm = try parseRealmClaims(realmSign1.payload)
        let realmKey = try parseRealmPublicKey(realm.publicKey)
        guard isValid(realmSign1, key: realmKey) else { throw .realmSignatureInvalid }

        let platformSign1 = try parseSign1(platformToken, token: "platform")
        let platform = try parsePlatformClaims(platformSign1.payload)
        let isolation = try platform.isolation()

        // The one binding rule, shared with the firmware's builder.
        let algorithm: RealmHashAlgorithm = realm.publicKeyHashAlgorithm == "sha-512" ? .sha512 : .sha256
        var expected = [UInt8](repeating: 0, count: algorithm.digestSize)
        realm.publicKey.withUnsafeBytes { key in
            expected.withUnsafeMutableBytes {
                _ = CCAToken.platformChallenge(forRealmPublicKey: key, algorithm: algorithm, into: $0)
            }
        }
        guard expected == platform.challenge else { throw .bindingMismatch }

        var platformVerified = false
        if let platformKey = policy.platformPublicKey {
            guard isValid(platformSign1, key: platformKey) else { throw .platformSignatureInvalid }
            platformVerified = true
        }

        if let challenge = policy.challenge, challenge != realm.challenge { throw .unexpectedValue("the realm challenge") }
        if let rpv = policy.personalizationValue, rpv != realm.personalizationValue {
            throw .unexpectedValue("the realm personalization value")
        }
        if let rim = policy.initialMeasurement, rim != realm.initialMeasurement { throw .unexpectedValue("the RIM") }
        if let rems = policy.extensibleMeasurements {
            for (index, rem) in rems.enumerated() where index >= realm.extensibleMeasurements.count || rem != realm.extensibleMeasurements[index] {
                throw .unexpectedValue("REM[\(index)]")
            }
        }
        // Last, so that a token that is wrong anyway is refused for that.
        if policy.requireRealmIsolation, !isolation.realmsIsolated { throw .realmIsolationRequired(isolation) }
        return VerifiedToken(
            platform: platform, realm: realm, platformToken: platformToken, realmToken: realmToken,
            platformSignatureVerified: platformVerified, isolation: isolation)
    }

    /// Checks a platform token on its own (a COSE_Sign1, as EL3 hands it to the TMM): its
    /// envelope, its claims, its signature under `platformPublicKey`, and, when given, that its
    /// challenge is `challenge`, and, with `requireRealmIsolation`, that the platform isolates
    /// realms. The binding to a realm key is then the caller's to check.
    public static func verifyPlatformToken(
        _ token: [UInt8], platformPublicKey: Crypto.P384.Signing.PublicKey, challenge: [UInt8]? = nil,
        requireRealmIsolation: Bool = false
    ) throws(VerificationError) -> PlatformClaims {
        let sign1 = try parseSign1(token, token: "platform")
        let claims = try parsePlatformClaims(sign1.payload)
        let isolation = try claims.isolation()
        guard isValid(sign1, key: platformPublicKey) else { throw .platformSignatureInvalid }
        if let challenge, challenge != claims.challenge { throw .unexpectedValue("the platform challenge") }
        if requireRealmIsolation, !isolation.realmsIsolated { throw .realmIsolationRequired(isolation) }
        return claims
    }

    static func decode(_ bytes: [UInt8], what: String) throws(VerificationError) -> CBORValue {
        do {
            return try CBORDecoder.decode(bytes)
        } catch {
            throw .malformedCBOR("\(what): \(error)")
        }
    }

    static func parseSign1(_ bytes: [UInt8], token: String) throws(VerificationError) -> Sign1 {
        let value: CBORValue
        do {
            value = try CBORDecoder.decode(bytes)
        } catch {
            throw .malformedCOSE(token: token, "\(error)")
        }
        guard case .tag(COSE.sign1Tag, let body) = value else { throw .malformedCOSE(token: token, "expected tag 18") }
        guard case .array(let parts) = body, parts.count == 4 else {
            throw .malformedCOSE(token: token, "expected an array of 4 items")
        }
        guard case .bytes(let protected) = parts[0] else { throw .malformedCOSE(token: token, "protected header is not a bstr") }
        guard case .map = parts[1] else { throw .malformedCOSE(token: token, "unprotected header is not a map") }
        guard case .bytes(let payload) = parts[2] else { throw .malformedCOSE(token: token, "payload is not a bstr") }
        guard case .bytes(let signature) = parts[3] else { throw .malformedCOSE(token: token, "signature is not a bstr") }
        let header: CBORValue
        do {
            header = try CBORDecoder.decode(protected)
        } catch {
            throw .malformedCOSE(token: token, "protected header: \(error)")
        }
        guard case .map(let labels) = header else { throw .malformedCOSE(token: token, "protected header is not a map") }
        guard header[COSE.algorithmLabel]?.integer == COSE.algorithmES384 else { throw .unsupportedAlgorithm(token: token) }
        // Critical parameters (label 2) would name processing this verifier does not do.
        guard !labels.contains(where: { $0.key.integer == 2 }) else {
            throw .malformedCOSE(token: token, "critical header parameters are not supported")
        }
        guard signature.count == COSE.signatureSize else {
            throw .malformedCOSE(token: token, "signature is \(signature.count) bytes, not 96")
        }
        return Sign1(protectedHeader: protected, payload: payload, signature: signature)
    }

    /// Sig_structure = ["Signature1", protected, h'', payload] (RFC 9052 section 4.4).
    static func signedBytes(_ sign1: Sign1) -> [UInt8] {
        func encode(_ body: (inout CBORWriter) -> Void) -> [UInt8] {
            var measure = CBORWriter.measuring()
            body(&measure)
            var out = [UInt8](repeating: 0, count: measure.count)
            out.withUnsafeMutableBytes { buffer in
                var writer = CBORWriter(into: buffer)
                body(&writer)
            }
            return out
        }
        return encode { writer in
            writer.arrayHead(count: 4)
            writer.text("Signature1")
            sign1.protectedHeader.withUnsafeBytes { writer.bytes($0) }
            writer.byteStringHead(length: 0)
            sign1.payload.withUnsafeBytes { writer.bytes($0) }
        }
    }

    static func isValid(_ sign1: Sign1, key: Crypto.P384.Signing.PublicKey) -> Bool {
        guard let signature = try? Crypto.P384.Signing.ECDSASignature(rawRepresentation: sign1.signature) else { return false }
        return key.isValidSignature(signature, for: signedBytes(sign1))
    }

    /// A P-384 key from a COSE_Key {1: 2, -1: 2, -2: x, -3: y}; an "alg" label (3) of ES384 is
    /// tolerated, anything else is refused.
    public static func parseCOSEKey(_ bytes: [UInt8]) throws(VerificationError) -> Crypto.P384.Signing.PublicKey {
        let value: CBORValue
        do {
            value = try CBORDecoder.decode(bytes)
        } catch {
            throw .invalidRealmPublicKey("\(error)")
        }
        guard case .map(let entries) = value else { throw .invalidRealmPublicKey("not a COSE_Key map") }
        guard value[1]?.integer == COSE.keyTypeEC2 else { throw .invalidRealmPublicKey("key type is not EC2") }
        guard value[-1]?.integer == COSE.curveP384 else { throw .invalidRealmPublicKey("curve is not P-384") }
        guard case .bytes(let x)? = value[-2], case .bytes(let y)? = value[-3], x.count == 48, y.count == 48 else {
            throw .invalidRealmPublicKey("x and y must be 48-byte strings")
        }
        for entry in entries {
            guard let label = entry.key.integer, [1, -1, -2, -3].contains(label)
                || (label == 3 && entry.value.integer == COSE.algorithmES384)
            else { throw .invalidRealmPublicKey("unexpected label \(entry.key)") }
        }
        do {
            return try Crypto.P384.Signing.PublicKey(rawRepresentation: x + y)
        } catch {
            throw .invalidRealmPublicKey("not a point on P-384")
        }
    }

    static func parseRealmPublicKey(_ bytes: [UInt8]) throws(VerificationError) -> Crypto.P384.Signing.PublicKey {
        try parseCOSEKey(bytes)
    }

    // MARK: Claims

    private static func claim(_ map: CBORValue, _ key: Int64, token: String) throws(VerificationError) -> CBORValue {
        guard let value = map[key] else { throw .missingClaim(token: token, key: key) }
        return value
    }

    private static func bytesClaim(_ map: CBORValue, _ key: Int64, token: String, sizes: Set<Int>? = nil) throws(VerificationError) -> [UInt8] {
        guard case .bytes(let bytes) = try claim(map, key, token: token) else {
            throw .invalidClaim(token: token, key: key, "expected a byte string")
        }
        if let sizes, !sizes.contains(bytes.count) {
            throw .invalidClaim(token: token, key: key, "\(bytes.count) bytes, expected \(sizes.sorted().map(String.init).joined(separator: " or "))")
        }
        return bytes
    }

    private static func textClaim(_ map: CBORValue, _ key: Int64, token: String) throws(VerificationError) -> String {
        guard case .text(let text) = try claim(map, key, token: token) else {
            throw .invalidClaim(token: token, key: key, "expected a text string")
        }
        return text
    }

    private static func claimsMap(_ payload: [UInt8], token: String) throws(VerificationError) -> CBORValue {
        let map = try decode(payload, what: "\(token) claims")
        guard case .map(let entries) = map else { throw .malformedCOSE(token: token, "payload is not a map") }
        guard entries.allSatisfy({ $0.key.integer != nil }) else {
            throw .malformedCOSE(token: token, "claim keys must be integers")
        }
        return map
    }

    static func parseRealmClaims(_ payload: [UInt8]) throws(VerificationError) -> RealmClaims {
        let token = "realm"
        let map = try claimsMap(payload, token: token)
        let profile = try textClaim(map, RealmClaimKey.profile, token: token)
        guard profile == "\(realmTokenProfile)" else {
            throw .invalidClaim(token: token, key: RealmClaimKey.profile, "unknown profile \"\(profile)\"")
        }
        let hashAlgorithm = try textClaim(map, RealmClaimKey.hashAlgorithm, token: token)
        let digestSize: Int
        switch hashAlgorithm {
        case "sha-256": digestSize = 32
        case "sha-512": digestSize = 64
        default: throw .invalidClaim(token: token, key: RealmClaimKey.hashAlgorithm, "unknown algorithm \"\(hashAlgorithm)\"")
        }
        let keyHashAlgorithm = try textClaim(map, RealmClaimKey.publicKeyHashAlgorithm, token: token)
        guard keyHashAlgorithm == "sha-256" || keyHashAlgorithm == "sha-512" else {
            throw .invalidClaim(token: token, key: RealmClaimKey.publicKeyHashAlgorithm, "unknown algorithm \"\(keyHashAlgorithm)\"")
        }
        guard case .array(let remValues) = try claim(map, RealmClaimKey.extensibleMeasurements, token: token),
            remValues.count == 4
        else {
            throw .invalidClaim(token: token, key: RealmClaimKey.extensibleMeasurements, "expected an array of 4 byte strings")
        }
        var rems: [[UInt8]] = []
        for value in remValues {
            guard case .bytes(let rem) = value, rem.count == digestSize else {
                throw .invalidClaim(token: token, key: RealmClaimKey.extensibleMeasurements, "each REM must be a \(digestSize)-byte string")
            }
            rems.append(rem)
        }
        return RealmClaims(
            profile: profile,
            challenge: try bytesClaim(map, RealmClaimKey.challenge, token: token, sizes: [64]),
            personalizationValue: try bytesClaim(map, RealmClaimKey.personalizationValue, token: token, sizes: [64]),
            hashAlgorithm: hashAlgorithm,
            publicKey: try bytesClaim(map, RealmClaimKey.publicKey, token: token),
            publicKeyHashAlgorithm: keyHashAlgorithm,
            initialMeasurement: try bytesClaim(map, RealmClaimKey.initialMeasurement, token: token, sizes: [digestSize]),
            extensibleMeasurements: rems)
    }

    static func parsePlatformClaims(_ payload: [UInt8]) throws(VerificationError) -> PlatformClaims {
        let token = "platform"
        let map = try claimsMap(payload, token: token)
        guard case .unsigned(let lifecycle) = try claim(map, PlatformClaimKey.securityLifecycle, token: token),
            lifecycle <= 0xffff
        else {
            throw .invalidClaim(token: token, key: PlatformClaimKey.securityLifecycle, "expected an unsigned 16-bit integer")
        }
        let instanceID = try bytesClaim(map, PlatformClaimKey.instanceID, token: token, sizes: [33])
        guard instanceID.first == 0x01 else {
            throw .invalidClaim(token: token, key: PlatformClaimKey.instanceID, "UEID type must be 0x01 (RAND)")
        }
        let configuration = try bytesClaim(map, PlatformClaimKey.configuration, token: token)
        guard !configuration.isEmpty else {
            throw .invalidClaim(token: token, key: PlatformClaimKey.configuration, "empty")
        }
        var verificationService: String?
        if map[PlatformClaimKey.verificationService] != nil {
            verificationService = try textClaim(map, PlatformClaimKey.verificationService, token: token)
        }
        let componentsKey = PlatformClaimKey.softwareComponents
        guard case .array(let componentValues) = try claim(map, componentsKey, token: token), !componentValues.isEmpty else {
            throw .invalidClaim(token: token, key: componentsKey, "expected a non-empty array")
        }
        var components: [SoftwareComponent] = []
        for value in componentValues {
            guard case .map(let entries) = value else { throw .invalidClaim(token: token, key: componentsKey, "component is not a map") }
            func text(_ key: Int64) throws(VerificationError) -> String? {
                guard let field = value[key] else { return nil }
                guard case .text(let string) = field else {
                    throw .invalidClaim(token: token, key: componentsKey, "component field \(key) is not a text string")
                }
                return string
            }
            guard case .bytes(let measurement)? = value[SoftwareComponentKey.measurementValue], !measurement.isEmpty,
                case .bytes(let signer)? = value[SoftwareComponentKey.signerID], !signer.isEmpty
            else {
                throw .invalidClaim(token: token, key: componentsKey, "component needs a measurement value (2) and a signer id (5)")
            }
            guard entries.allSatisfy({ [1, 2, 3, 4, 5, 6].contains($0.key.integer ?? 0) }) else {
                throw .invalidClaim(token: token, key: componentsKey, "component has an unknown field")
            }
            components.append(SoftwareComponent(
                measurementType: try text(SoftwareComponentKey.measurementType), measurementValue: measurement,
                version: try text(SoftwareComponentKey.version), signerID: signer,
                measurementDescription: try text(SoftwareComponentKey.measurementDescription)))
        }
        return PlatformClaims(
            profile: try textClaim(map, PlatformClaimKey.profile, token: token),
            challenge: try bytesClaim(map, PlatformClaimKey.challenge, token: token, sizes: [32, 48, 64]),
            implementationID: try bytesClaim(map, PlatformClaimKey.implementationID, token: token, sizes: [32]),
            instanceID: instanceID,
            configuration: configuration,
            securityLifecycle: lifecycle,
            hashAlgorithm: try textClaim(map, PlatformClaimKey.hashAlgorithm, token: token),
            verificationService: verificationService,
            softwareComponents: components)
    }
}
