// What the EL3 monitor keeps to answer ATTEST_GET_PLAT_TOKEN: the platform attestation key
// and the claims that do not change during a boot (implementation and instance ids, the
// measured software components, the configuration), so that each request only adds the
// challenge and signs. Every byte lives inside the issuer: no pointers to caller memory.

public struct PlatformTokenIssuer {
    public static let maxComponents = 3
    public static let maxConfigurationSize = 16
    /// The algorithm of the component measurements (claim 2402 and each component's
    /// measurement description).
    public static let measurementAlgorithm: StaticString = "sha-256"
    /// PSA security lifecycle "secured" (0x3000): debug closed, secrets provisioned. See the
    /// README on what that claim is worth on QEMU.
    public static let lifecycleSecured: UInt16 = 0x3000

    // The fixed claims, byte strings back to back in `claimBytes`: implementation id, instance
    // id, signer id (all zeros: the images on this platform are measured, not signed, and the
    // claim is mandatory), configuration, then one SHA-256 digest per component.
    private static let implementationIDRange = 0..<32
    private static let instanceIDRange = 32..<65
    private static let signerIDRange = 65..<97
    private static let configurationStart = 97
    private static let digestsStart = configurationStart + maxConfigurationSize
    private static let claimBytesSize = digestsStart + maxComponents * 32

    private let key: P384.PrivateKey
    private var claimBytes = InlineArray<209, UInt8>(repeating: 0)
    private var configurationSize = 0
    private var names = InlineArray<3, StaticString>(repeating: "")
    private var versions = InlineArray<3, StaticString>(repeating: "")
    public private(set) var componentCount = 0
    public var securityLifecycle: UInt16 = lifecycleSecured
    /// URI of the verification service; empty leaves the optional claim out.
    public var verificationService: StaticString = ""

    /// The instance id is derived from the key (UEID type RAND, SHA-256 of the public key).
    /// `implementationID` must be 32 bytes and `configuration` 1 to 16 bytes.
    public init?(key: P384.PrivateKey, implementationID: UnsafeRawBufferPointer, configuration: UnsafeRawBufferPointer) {
        precondition(Self.claimBytesSize == 209)
        guard implementationID.count == platformImplementationIDSize, configuration.count > 0,
            configuration.count <= Self.maxConfigurationSize
        else { return nil }
        self.key = key
        for i in 0..<implementationID.count { claimBytes[Self.implementationIDRange.lowerBound + i] = implementationID[i] }
        for i in 0..<configuration.count { claimBytes[Self.configurationStart + i] = configuration[i] }
        configurationSize = configuration.count
        withUnsafeMutableBytes(of: &claimBytes) {
            PlatformTokenClaims.writeInstanceID(
                for: key.publicKey, into: UnsafeMutableRawBufferPointer(rebasing: $0[Self.instanceIDRange]))
        }
    }

    public var publicKey: P384.PublicKey { key.publicKey }

    /// Adds a measured component (`digest`: SHA-256 of its image, 32 bytes); false when
    /// `maxComponents` are already there or the digest has the wrong size.
    @discardableResult
    public mutating func addComponent(name: StaticString, version: StaticString, digest: UnsafeRawBufferPointer) -> Bool {
        guard componentCount < Self.maxComponents, digest.count == 32 else { return false }
        let start = Self.digestsStart + componentCount * 32
        for i in 0..<32 { claimBytes[start + i] = digest[i] }
        names[componentCount] = name
        versions[componentCount] = version
        componentCount += 1
        return true
    }

    /// Signs a platform token for `challenge` (32, 48 or 64 bytes) into `output`; returns its
    /// length. `challenge` must not overlap `output`.
    public func issue(challenge: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(AttestationError) -> Int
    {
        guard componentCount > 0 else { throw .invalidInput }
        let result = withClaims(challenge: challenge) { claims -> Result<Int, AttestationError> in
            do throws(AttestationError) {
                return .success(try PlatformToken.build(claims: claims, key: key, into: output))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The length `issue` will produce for a challenge of `challengeSize` bytes (at most 64):
    /// the signature is always 96 bytes, so the length is fixed once the claims are.
    public func tokenSize(challengeSize: Int) -> Int {
        let challenge = InlineArray<64, UInt8>(repeating: 0)
        return withUnsafeBytes(of: challenge) { buffer in
            withClaims(challenge: UnsafeRawBufferPointer(rebasing: buffer[0..<min(challengeSize, 64)])) { claims in
                COSE.sign1Size(payloadLength: claims.encodedSize)
            }
        }
    }

    /// Calls `body` with the claims, every buffer pointing into this issuer's bytes.
    private func withClaims<R>(challenge: UnsafeRawBufferPointer, _ body: (PlatformTokenClaims) -> R) -> R {
        let algorithm = Self.measurementAlgorithm.rawBytes
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        var entries = InlineArray<3, PlatformSoftwareComponent>(
            repeating: PlatformSoftwareComponent(
                measurementType: empty, measurementValue: empty, version: empty, signerID: empty,
                measurementDescription: empty))
        return withUnsafeBytes(of: claimBytes) { bytes in
            let signer = UnsafeRawBufferPointer(rebasing: bytes[Self.signerIDRange])
            for i in 0..<componentCount {
                let digest = Self.digestsStart + i * 32
                entries[i] = PlatformSoftwareComponent(
                    measurementType: names[i].rawBytes,
                    measurementValue: UnsafeRawBufferPointer(rebasing: bytes[digest..<(digest + 32)]),
                    version: versions[i].rawBytes, signerID: signer, measurementDescription: algorithm)
            }
            return withUnsafeMutablePointer(to: &entries) { pointer in
                let list = UnsafeBufferPointer(
                    start: UnsafeRawPointer(pointer).assumingMemoryBound(to: PlatformSoftwareComponent.self),
                    count: componentCount)
                let claims = PlatformTokenClaims(
                    challenge: challenge,
                    implementationID: UnsafeRawBufferPointer(rebasing: bytes[Self.implementationIDRange]),
                    instanceID: UnsafeRawBufferPointer(rebasing: bytes[Self.instanceIDRange]),
                    configuration: UnsafeRawBufferPointer(
                        rebasing: bytes[Self.configurationStart..<(Self.configurationStart + configurationSize)]),
                    securityLifecycle: securityLifecycle, hashAlgorithm: Self.measurementAlgorithm,
                    verificationService: verificationService.rawBytes, softwareComponents: list)
                return body(claims)
            }
        }
    }
}
