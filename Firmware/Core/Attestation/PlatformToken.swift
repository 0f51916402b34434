// The platform token of the CCA attestation token: a COSE_Sign1, signed ES384 by the
// platform's attestation key, over the claims of the Arm CCA platform profile
// ("tag:arm.com,2023:cca_platform#1.0.0"). Claim keys and which claims are mandatory follow
// Veraison's ccatoken (platform/claims.go and its "mandatory only" test vector) and TF-M:
// profile, challenge, implementation id, instance id, configuration, security lifecycle,
// software components (at least one, each with a measurement value and a signer id) and hash
// algorithm id are mandatory; the verification service indicator is optional.
//
// In this design EL3 owns the platform token and the TMM only forwards it, so the TMM never
// calls this builder; EL3 firmware and the host tests do.

/// Claim keys of the platform token.
public enum PlatformClaimKey {
    public static let challenge: Int64 = 10
    public static let instanceID: Int64 = 256
    public static let profile: Int64 = 265
    public static let securityLifecycle: Int64 = 2395
    public static let implementationID: Int64 = 2396
    public static let softwareComponents: Int64 = 2399
    public static let verificationService: Int64 = 2400
    public static let configuration: Int64 = 2401
    public static let hashAlgorithm: Int64 = 2402
}

/// Keys inside one software component map (PSA attestation token).
public enum SoftwareComponentKey {
    public static let measurementType: Int64 = 1
    public static let measurementValue: Int64 = 2
    public static let version: Int64 = 4
    public static let signerID: Int64 = 5
    public static let measurementDescription: Int64 = 6
}

public let platformTokenProfile: StaticString = "tag:arm.com,2023:cca_platform#1.0.0"

/// Bytes in an implementation id and in an instance id (UEID type RAND: 0x01 + 32 bytes).
public let platformImplementationIDSize = 32
public let platformInstanceIDSize = 33

/// One measured software component. Text fields are UTF-8; an empty optional field is left
/// out of the map.
public struct PlatformSoftwareComponent {
    /// Optional: a short name such as "BL2".
    public var measurementType: UnsafeRawBufferPointer
    /// Mandatory: the component's digest.
    public var measurementValue: UnsafeRawBufferPointer
    /// Optional: the component's version string.
    public var version: UnsafeRawBufferPointer
    /// Mandatory: hash of the key that signed the component.
    public var signerID: UnsafeRawBufferPointer
    /// Optional: the algorithm of `measurementValue`, e.g. "sha-256".
    public var measurementDescription: UnsafeRawBufferPointer

    public init(
        measurementType: UnsafeRawBufferPointer, measurementValue: UnsafeRawBufferPointer,
        version: UnsafeRawBufferPointer, signerID: UnsafeRawBufferPointer,
        measurementDescription: UnsafeRawBufferPointer
    ) {
        self.measurementType = measurementType
        self.measurementValue = measurementValue
        self.version = version
        self.signerID = signerID
        self.measurementDescription = measurementDescription
    }

    func encode(into writer: inout CBORWriter) {
        var fields = 2
        if measurementType.count > 0 { fields += 1 }
        if version.count > 0 { fields += 1 }
        if measurementDescription.count > 0 { fields += 1 }
        writer.mapHead(count: fields)
        if measurementType.count > 0 {
            writer.int(SoftwareComponentKey.measurementType)
            writer.text(utf8: measurementType)
        }
        writer.int(SoftwareComponentKey.measurementValue)
        writer.bytes(measurementValue)
        if version.count > 0 {
            writer.int(SoftwareComponentKey.version)
            writer.text(utf8: version)
        }
        writer.int(SoftwareComponentKey.signerID)
        writer.bytes(signerID)
        if measurementDescription.count > 0 {
            writer.int(SoftwareComponentKey.measurementDescription)
            writer.text(utf8: measurementDescription)
        }
    }
}

public struct PlatformTokenClaims: CBOREncodable {
    /// 32, 48 or 64 bytes; for a CCA token, the hash of the RAK's COSE_Key (`CCAToken`).
    public var challenge: UnsafeRawBufferPointer
    /// 32 bytes naming the platform's implementation.
    public var implementationID: UnsafeRawBufferPointer
    /// 33 bytes: 0x01 then 32 bytes unique to this device (see `writeInstanceID`).
    public var instanceID: UnsafeRawBufferPointer
    /// Platform configuration, non-empty.
    public var configuration: UnsafeRawBufferPointer
    /// PSA security lifecycle, e.g. 0x3000 "secured".
    public var securityLifecycle: UInt16
    /// Algorithm of the software component measurements, e.g. "sha-256".
    public var hashAlgorithm: StaticString
    /// Optional URI of the verification service; empty leaves it out.
    public var verificationService: UnsafeRawBufferPointer
    /// At least one component.
    public var softwareComponents: UnsafeBufferPointer<PlatformSoftwareComponent>

    public init(
        challenge: UnsafeRawBufferPointer, implementationID: UnsafeRawBufferPointer,
        instanceID: UnsafeRawBufferPointer, configuration: UnsafeRawBufferPointer, securityLifecycle: UInt16,
        hashAlgorithm: StaticString, verificationService: UnsafeRawBufferPointer,
        softwareComponents: UnsafeBufferPointer<PlatformSoftwareComponent>
    ) {
        self.challenge = challenge
        self.implementationID = implementationID
        self.instanceID = instanceID
        self.configuration = configuration
        self.securityLifecycle = securityLifecycle
        self.hashAlgorithm = hashAlgorithm
        self.verificationService = verificationService
        self.softwareComponents = softwareComponents
    }

    public var isWellFormed: Bool {
        guard challenge.count == 32 || challenge.count == 48 || challenge.count == 64,
            implementationID.count == platformImplementationIDSize,
            instanceID.count == platformInstanceIDSize, instanceID[0] == 0x01,
            configuration.count > 0, softwareComponents.count > 0
        else { return false }
        for component in softwareComponents where component.measurementValue.count == 0 || component.signerID.count == 0 {
            return false
        }
        return true
    }

    /// The instance id of a platform whose attestation key is `publicKey`: UEID type 0x01
    /// (RAND) followed by SHA-256 of the key's uncompressed SEC 1 encoding, as TF-M derives it.
    public static func writeInstanceID(for publicKey: P384.PublicKey, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= platformInstanceIDSize)
        var point = InlineArray<97, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &point) { publicKey.writeUncompressed(to: $0) }
        output[0] = 0x01
        withUnsafeBytes(of: point) {
            SHA256.hash($0, into: UnsafeMutableRawBufferPointer(rebasing: output[1..<platformInstanceIDSize]))
        }
    }

    /// The claims map, keys in deterministic order: 10, 256, 265, 2395, 2396, 2399-2402.
    public func encode(into writer: inout CBORWriter) {
        writer.mapHead(count: verificationService.count > 0 ? 9 : 8)
        writer.int(PlatformClaimKey.challenge)
        writer.bytes(challenge)
        writer.int(PlatformClaimKey.instanceID)
        writer.bytes(instanceID)
        writer.int(PlatformClaimKey.profile)
        writer.text(platformTokenProfile)
        writer.int(PlatformClaimKey.securityLifecycle)
        writer.unsigned(UInt64(securityLifecycle))
        writer.int(PlatformClaimKey.implementationID)
        writer.bytes(implementationID)
        writer.int(PlatformClaimKey.softwareComponents)
        writer.arrayHead(count: softwareComponents.count)
        for component in softwareComponents { component.encode(into: &writer) }
        if verificationService.count > 0 {
            writer.int(PlatformClaimKey.verificationService)
            writer.text(utf8: verificationService)
        }
        writer.int(PlatformClaimKey.configuration)
        writer.bytes(configuration)
        writer.int(PlatformClaimKey.hashAlgorithm)
        writer.text(hashAlgorithm)
    }
}

public enum PlatformToken {
    /// Signs `claims` with the platform attestation key into `output`; returns the length.
    public static func build(
        claims: PlatformTokenClaims, key: P384.PrivateKey, into output: UnsafeMutableRawBufferPointer
    ) throws(AttestationError) -> Int {
        guard claims.isWellFormed else { throw .invalidInput }
        return try COSE.sign1(payload: claims, key: key, into: output)
    }
}
