// The realm token of the CCA attestation token (RMM 1.0-rel0 A7.2.3.1; key numbers from
// TF-RMM lib/attestation attestation_defs_priv.h): a COSE_Sign1, signed ES384 by the Realm
// Attestation Key (RAK), over a map of the realm's claims.

/// Claim keys of the realm token.
public enum RealmClaimKey {
    public static let challenge: Int64 = 10
    public static let profile: Int64 = 265
    public static let personalizationValue: Int64 = 44235
    public static let hashAlgorithm: Int64 = 44236
    public static let publicKey: Int64 = 44237
    public static let initialMeasurement: Int64 = 44238
    public static let extensibleMeasurements: Int64 = 44239
    public static let publicKeyHashAlgorithm: Int64 = 44240
}

/// The profile of RMM 1.0-rel0 realm tokens.
public let realmTokenProfile: StaticString = "tag:arm.com,2023:realm#1.0.0"

/// Number of measurement slots: the RIM and four REMs.
public let realmMeasurementSlots = 5
/// Bytes per measurement slot, whatever the algorithm (the largest digest).
public let realmMeasurementSlotSize = 64
/// Bytes in a realm challenge and in a personalization value.
public let realmChallengeSize = 64
public let realmPersonalizationValueSize = 64

/// What the realm token says. Every buffer is borrowed from the caller for the duration of
/// the call that encodes the token.
public struct RealmTokenClaims: CBOREncodable {
    /// The challenge from RSI_ATTESTATION_TOKEN_INIT, 64 bytes.
    public var challenge: UnsafeRawBufferPointer
    /// The realm's RPV, 64 bytes.
    public var personalizationValue: UnsafeRawBufferPointer
    /// The realm's measurement algorithm; each measurement claim is this long.
    public var hashAlgorithm: RealmHashAlgorithm
    /// The five measurement slots back to back, 64 bytes each: slot 0 the RIM, 1-4 the REMs.
    /// Only the first `hashAlgorithm.digestSize` bytes of each slot are claimed.
    public var measurements: UnsafeRawBufferPointer
    /// The RAK public key as a CBOR-serialised COSE_Key (`RealmAttestationKey`).
    public var publicKey: UnsafeRawBufferPointer
    /// The algorithm that hashes `publicKey` into the platform token's challenge.
    public var publicKeyHashAlgorithm: RealmHashAlgorithm

    public init(
        challenge: UnsafeRawBufferPointer, personalizationValue: UnsafeRawBufferPointer,
        hashAlgorithm: RealmHashAlgorithm, measurements: UnsafeRawBufferPointer,
        publicKey: UnsafeRawBufferPointer, publicKeyHashAlgorithm: RealmHashAlgorithm
    ) {
        self.challenge = challenge
        self.personalizationValue = personalizationValue
        self.hashAlgorithm = hashAlgorithm
        self.measurements = measurements
        self.publicKey = publicKey
        self.publicKeyHashAlgorithm = publicKeyHashAlgorithm
    }

    /// Whether every buffer has the length the token requires.
    public var isWellFormed: Bool {
        challenge.count == realmChallengeSize && personalizationValue.count == realmPersonalizationValueSize
            && measurements.count >= realmMeasurementSlots * realmMeasurementSlotSize && publicKey.count > 0
    }

    private func measurement(_ slot: Int) -> UnsafeRawBufferPointer {
        let start = slot * realmMeasurementSlotSize
        return UnsafeRawBufferPointer(rebasing: measurements[start..<(start + hashAlgorithm.digestSize)])
    }

    /// The claims map, keys in deterministic order: 10, 265, 44235 ... 44240.
    public func encode(into writer: inout CBORWriter) {
        writer.mapHead(count: 8)
        writer.int(RealmClaimKey.challenge)
        writer.bytes(challenge)
        writer.int(RealmClaimKey.profile)
        writer.text(realmTokenProfile)
        writer.int(RealmClaimKey.personalizationValue)
        writer.bytes(personalizationValue)
        writer.int(RealmClaimKey.hashAlgorithm)
        writer.text(hashAlgorithm.name)
        writer.int(RealmClaimKey.publicKey)
        writer.bytes(publicKey)
        writer.int(RealmClaimKey.initialMeasurement)
        writer.bytes(measurement(0))
        writer.int(RealmClaimKey.extensibleMeasurements)
        writer.arrayHead(count: 4)
        for slot in 1..<realmMeasurementSlots { writer.bytes(measurement(slot)) }
        writer.int(RealmClaimKey.publicKeyHashAlgorithm)
        writer.text(publicKeyHashAlgorithm.name)
    }
}

/// The RAK: its private key, and its public key encoded once as the COSE_Key the realm token
/// carries (and whose hash is the platform token's challenge).
public struct RealmAttestationKey {
    public let privateKey: P384.PrivateKey
    private var encodedPublicKey = InlineArray<107, UInt8>(repeating: 0)

    /// HKDF info that separates the RAK from any other key drawn from the same secret.
    public static let derivationContext: StaticString = "CCA realm attestation key (RAK)"

    public init(privateKey: P384.PrivateKey) {
        self.privateKey = privateKey
        var key = InlineArray<107, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &key) { buffer in
            var writer = CBORWriter(into: buffer)
            COSE.P384Key(privateKey.publicKey).encode(into: &writer)
            precondition(writer.count == COSE.p384KeySize)
        }
        encodedPublicKey = key
    }

    /// The RAK derived from a device secret (`P384.PrivateKey(derivingFrom:context:)` with
    /// `derivationContext`): the same secret gives the same key on every boot.
    public init(derivingFrom deviceSecret: UnsafeRawBufferPointer) {
        self.init(privateKey: P384.PrivateKey(scalar: Self.derivedScalar(from: deviceSecret)))
    }

    /// The private scalar of `init(derivingFrom:)`, without computing the public key.
    static func derivedScalar(from deviceSecret: UnsafeRawBufferPointer) -> Limbs384 {
        P384.PrivateKey.derivedScalar(from: deviceSecret, context: derivationContext.rawBytes)
    }

    /// Calls `body` with the COSE_Key encoding of the public key (107 bytes).
    public func withEncodedPublicKey<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: encodedPublicKey) { body($0) }
    }
}
