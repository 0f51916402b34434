// Well-formed CCA tokens made with the firmware's own builders and fixed, public test keys:
// what the tests mutate, and what `tmm-verify example` writes so anyone can try the tool.
// The keys are derived from a published constant and protect nothing.

import TMMCore

public enum ExampleToken {
    /// The "device secret" both example keys are derived from.
    public static let deviceSecret = [UInt8](repeating: 0x5a, count: 32)

    public static var realmAttestationKey: RealmAttestationKey {
        deviceSecret.withUnsafeBytes { RealmAttestationKey(derivingFrom: $0) }
    }

    public static var platformKey: TMMCore.P384.PrivateKey {
        deviceSecret.withUnsafeBytes { secret in
            Array("example platform attestation key".utf8).withUnsafeBytes {
                TMMCore.P384.PrivateKey(derivingFrom: secret, context: $0)
            }
        }
    }

    /// The platform key as an uncompressed SEC 1 point (97 bytes).
    public static var platformPublicKeyBytes: [UInt8] { publicKeyBytes(platformKey) }

    /// The platform key an image of `model` derives from the example device secret, as the
    /// monitor derives it (AttestationKeyDerivation).
    public static func platformKey(image model: IsolationModel) -> TMMCore.P384.PrivateKey {
        deviceSecret.withUnsafeBytes { AttestationKeyDerivation.platformKey(deviceSecret: $0, model: model) }
    }

    public static func platformPublicKeyBytes(image model: IsolationModel) -> [UInt8] {
        publicKeyBytes(platformKey(image: model))
    }

    private static func publicKeyBytes(_ key: TMMCore.P384.PrivateKey) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 97)
        out.withUnsafeMutableBytes { key.publicKey.writeUncompressed(to: $0) }
        return out
    }

    /// The implementation name the example images hash into their implementation ids.
    public static let imagePlatformName: StaticString = "swift-tmm platform root of trust: example"

    /// A platform token laid out as the monitor of the project's image of `model` lays it out:
    /// the issuer it uses, the model's key, implementation id, configuration (DRAM pool, 4 CPUs)
    /// and software components (each measurement a fixed example digest).
    public static func imagePlatformToken(model: IsolationModel, challenge: [UInt8],
                                          configuration: [UInt8]? = nil) -> [UInt8] {
        var implementationID = [UInt8](repeating: 0, count: 32)
        implementationID.withUnsafeMutableBytes { model.writeImplementationID(platformName: imagePlatformName, into: $0) }
        let config = configuration ?? withUnsafeBytes(of: PlatformConfiguration.bytes(model: model, poolInDRAM: true, cpus: 4)) { Array($0) }
        var issuer = implementationID.withUnsafeBytes { i in
            config.withUnsafeBytes { PlatformTokenIssuer(key: platformKey(image: model), implementationID: i, configuration: $0) }
        }!
        issuer.verificationService = "https://veraison.example/.well-known/veraison/verification"
        for index in 0..<model.componentCount {
            [UInt8](repeating: UInt8(0xd0 + index), count: 32).withUnsafeBytes {
                _ = issuer.addComponent(name: model.componentName(index), version: "0.1", digest: $0)
            }
        }
        var out = [UInt8](repeating: 0, count: CCAToken.maxPlatformTokenSize)
        let length = challenge.withUnsafeBytes { c in out.withUnsafeMutableBytes { try! issuer.issue(challenge: c, into: $0) } }
        return Array(out[..<length])
    }

    public struct Inputs {
        public var challenge = [UInt8](repeating: 0xc1, count: 64)
        public var personalizationValue = [UInt8](repeating: 0x70, count: 64)
        public var hashAlgorithm = RealmHashAlgorithm.sha256
        /// Five 64-byte slots: RIM, REM0-3.
        public var measurements: [UInt8] = (0..<5).flatMap { slot in (0..<64).map { UInt8(slot * 16 + $0 % 16) } }
        /// The platform token's challenge; nil binds it to the RAK as the firmware does.
        public var platformChallenge: [UInt8]?
        /// nil: the generic example platform token; otherwise the platform token of the
        /// project's image of that model (`imagePlatformToken`).
        public var image: IsolationModel?

        public init() {}
    }

    /// The RAK's COSE_Key bytes.
    public static var realmPublicKey: [UInt8] {
        realmAttestationKey.withEncodedPublicKey { Array($0) }
    }

    /// The challenge that binds a platform token to the example RAK.
    public static var boundPlatformChallenge: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        realmPublicKey.withUnsafeBytes { key in
            out.withUnsafeMutableBytes {
                _ = CCAToken.platformChallenge(forRealmPublicKey: key, algorithm: CCAToken.bindingHashAlgorithm, into: $0)
            }
        }
        return out
    }

    /// A platform token with fixed example claims, signed by `platformKey`.
    public static func platformToken(challenge: [UInt8]) -> [UInt8] {
        let key = platformKey
        var instanceID = [UInt8](repeating: 0, count: 33)
        instanceID.withUnsafeMutableBytes { PlatformTokenClaims.writeInstanceID(for: key.publicKey, into: $0) }
        let implementationID = [UInt8](repeating: 0x11, count: 32)
        let configuration: [UInt8] = [0xcf, 0x00]
        let service = Array("https://veraison.example/v1/challenge-response".utf8)
        let names = [Array("BL1".utf8), Array("BL2".utf8), Array("TMM".utf8)]
        let values = (0..<3).map { [UInt8](repeating: UInt8(0xa0 + $0), count: 32) }
        let signer = [UInt8](repeating: 0x55, count: 32)
        let version = Array("1.0.0".utf8)
        let algorithm = Array("sha-256".utf8)
        var out = [UInt8](repeating: 0, count: CCAToken.maxPlatformTokenSize)
        let length = withBuffers(names) { nameBuffers in
            withBuffers(values) { valueBuffers in
                signer.withUnsafeBytes { signerBytes in
                    version.withUnsafeBytes { versionBytes in
                        algorithm.withUnsafeBytes { algorithmBytes in
                            let components = (0..<3).map {
                                PlatformSoftwareComponent(
                                    measurementType: nameBuffers[$0], measurementValue: valueBuffers[$0],
                                    version: versionBytes, signerID: signerBytes, measurementDescription: algorithmBytes)
                            }
                            return components.withUnsafeBufferPointer { componentBuffer in
                                challenge.withUnsafeBytes { c in
                                    implementationID.withUnsafeBytes { impl in
                                        instanceID.withUnsafeBytes { inst in
                                            configuration.withUnsafeBytes { config in
                                                service.withUnsafeBytes { svc in
                                                    let claims = PlatformTokenClaims(
                                                        challenge: c, implementationID: impl, instanceID: inst,
                                                        configuration: config, securityLifecycle: 0x3000,
                                                        hashAlgorithm: "sha-256", verificationService: svc,
                                                        softwareComponents: componentBuffer)
                                                    return out.withUnsafeMutableBytes {
                                                        try! PlatformToken.build(claims: claims, key: key, into: $0)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Array(out[..<length])
    }

    /// A complete CCA token, built the way the TMM builds it at RSI_ATTESTATION_TOKEN_INIT.
    public static func make(_ inputs: Inputs = Inputs()) -> [UInt8] {
        let challenge = inputs.platformChallenge ?? boundPlatformChallenge
        let platform = inputs.image.map { imagePlatformToken(model: $0, challenge: challenge) } ?? platformToken(challenge: challenge)
        let rak = realmAttestationKey
        var storage = [UInt8](repeating: 0, count: AttestationTokenSession.storageSize)
        var session = AttestationTokenSession()
        let result = inputs.challenge.withUnsafeBytes { challenge in
            inputs.personalizationValue.withUnsafeBytes { rpv in
                inputs.measurements.withUnsafeBytes { measurements in
                    platform.withUnsafeBytes { platformBytes in
                        storage.withUnsafeMutableBytes {
                            session.start(
                                challenge: challenge, personalizationValue: rpv, hashAlgorithm: inputs.hashAlgorithm,
                                measurements: measurements, key: rak, platformToken: platformBytes, storage: $0)
                        }
                    }
                }
            }
        }
        precondition(result.status == .success)
        return Array(storage[..<Int(result.value)])
    }

    private static func withBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        func go(_ index: Int, _ acc: [UnsafeRawBufferPointer]) -> R {
            if index == arrays.count { return body(acc) }
            return arrays[index].withUnsafeBytes { go(index + 1, acc + [$0]) }
        }
        return go(0, [])
    }
}
