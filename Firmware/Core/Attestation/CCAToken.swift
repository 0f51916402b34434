// The CCA attestation token: tag 399 over {44234: bstr(platform token), 44241: bstr(realm
// token)} (TF-RMM attestation_defs_priv.h: TAG_CCA_TOKEN, CCA_PLAT_TOKEN,
// CCA_REALM_DELEGATED_TOKEN), and the rule that binds the two tokens together.

public enum CCAToken {
    public static let tag: UInt64 = 399
    public static let platformTokenKey: Int64 = 44234
    public static let realmTokenKey: Int64 = 44241

    /// The largest platform token accepted: TF-RMM's ATTEST_PLAT_TOKEN_SIZE default (4 KiB).
    public static let maxPlatformTokenSize = 4096
    /// The largest realm token: with SHA-512 measurements it is about 760 bytes; TF-RMM sizes
    /// its realm token buffer at 1 KiB.
    public static let maxRealmTokenSize = 1024
    /// Tag, map head, two keys and two byte-string heads of up to 3 bytes each.
    public static let collectionOverhead = 16
    /// The most any CCA token built here can need.
    public static let maxSize = collectionOverhead + maxPlatformTokenSize + maxRealmTokenSize

    /// The binding between the tokens: the platform token's challenge is the hash of the
    /// realm token's public-key claim (44237, the RAK's COSE_Key bytes exactly as encoded),
    /// hashed with the algorithm the realm token names in claim 44240. TF-RMM computes it the
    /// same way, with SHA-256 (attestation_key.c). Builders and verifiers both call this.
    /// Writes the digest to `output` and returns its length.
    @discardableResult
    public static func platformChallenge(
        forRealmPublicKey encodedKey: UnsafeRawBufferPointer, algorithm: RealmHashAlgorithm,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int {
        precondition(output.count >= algorithm.digestSize)
        var hasher = MeasurementHasher(algorithm)
        hasher.update(encodedKey)
        hasher.finalize(into: output)
        return algorithm.digestSize
    }

    /// The hash algorithm of the binding, as claim 44240 names it.
    public static var bindingHashAlgorithm: RealmHashAlgorithm { .sha256 }

    /// Writes the collection around two finished tokens; returns its length.
    public static func assemble(
        platformToken: UnsafeRawBufferPointer, realmToken: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(AttestationError) -> Int {
        var writer = CBORWriter(into: output)
        writePlatformTokenHead(length: platformToken.count, into: &writer)
        writer.writeRaw(platformToken)
        writeRealmTokenHead(length: realmToken.count, into: &writer)
        writer.writeRaw(realmToken)
        return try writer.finish()
    }

    /// Builds the whole token in `output`: copies the platform token in, then signs the realm
    /// token straight into its slot, so no second buffer is needed. Returns the length.
    public static func build(
        platformToken: UnsafeRawBufferPointer, realmClaims: RealmTokenClaims, key: RealmAttestationKey,
        into output: UnsafeMutableRawBufferPointer
    ) throws(AttestationError) -> Int {
        let realm = try realmTokenLengths(platformToken: platformToken, realmClaims: realmClaims)
        var writer = CBORWriter(into: output)
        writePlatformTokenHead(length: platformToken.count, into: &writer)
        writer.writeRaw(platformToken)
        writeRealmTokenHead(length: realm.token, into: &writer)
        let realmStart = writer.count
        writer.reserve(realm.token)
        let length = try writer.finish()
        let written = try COSE.sign1(
            payload: realmClaims, encodedSize: realm.payload, key: key.privateKey,
            into: UnsafeMutableRawBufferPointer(rebasing: output[realmStart..<(realmStart + realm.token)]))
        precondition(written == realm.token)
        return length
    }

    /// What precedes the platform token's bytes: tag(399), the map head, key 44234 and the
    /// byte-string head of a `length`-byte token.
    static func writePlatformTokenHead(length: Int, into writer: inout CBORWriter) {
        writer.tag(tag)
        writer.mapHead(count: 2)
        writer.int(platformTokenKey)
        writer.byteStringHead(length: length)
    }

    /// What lies between the two tokens: key 44241 and the byte-string head of a `length`-byte
    /// realm token.
    static func writeRealmTokenHead(length: Int, into writer: inout CBORWriter) {
        writer.int(realmTokenKey)
        writer.byteStringHead(length: length)
    }

    /// The input checks of both builds; then the realm claims' encoded length and the realm
    /// token's, measuring the claims once.
    static func realmTokenLengths(platformToken: UnsafeRawBufferPointer, realmClaims: RealmTokenClaims)
        throws(AttestationError) -> (payload: Int, token: Int)
    {
        guard realmClaims.isWellFormed, platformToken.count > 0, platformToken.count <= maxPlatformTokenSize else {
            throw .invalidInput
        }
        let payload = realmClaims.encodedSize
        return (payload, COSE.sign1Size(payloadLength: payload))
    }

    /// Length of the COSE_Sign1 realm token for these claims: fixed once the claims are known,
    /// because the signature is always 96 bytes.
    public static func realmTokenSize(claims: RealmTokenClaims) -> Int {
        COSE.sign1Size(payloadLength: claims.encodedSize)
    }
}
