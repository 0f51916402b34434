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
    public static var platformPublicKeyBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 97)
        out.withUnsafeMutableBytes { platformKey.publicKey.writeUncompressed(to: $0) }
        return out
    }

    public struct Inputs {
        public var challenge = [UInt8](repeating: 0xc1, count: 64)
        public var personalizationValue = [UInt8](repeating: 0x70, count: 64)
        public var hashAlgorithm = RealmHashAlgorithm.sha256
        /// Five 64-byte slots: RIM, REM0-3.
        public var measurements: [UInt8] = (0..<5).flatMap { slot in (0..<64).map { UInt8(slot * 16 + $0 % 16) } }
        /// The platform token's challenge; nil binds it to the RAK as the firmware does.
        public var platformChallenge: [UInt8]?

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
        let platform = platformToken(challenge: inputs.platformChallenge ?? boundPlatformChallenge)
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
