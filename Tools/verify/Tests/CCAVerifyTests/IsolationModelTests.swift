// The platform token tells the EL3 image (no Secure stage 2: realms not isolated from each other
// or from the TMM) apart from the S-EL2 image, inside the CCA platform profile, and the verifier
// reports which and refuses the EL3 image when asked (issue 11, Docs/el3-threat-model.md). The
// tokens are built by the firmware's own issuer, key derivation and claim layout.

import Crypto
import Testing
@testable import CCAVerify
@testable import TMMCore

private func key(_ model: IsolationModel) throws -> Crypto.P384.Signing.PublicKey {
    try Crypto.P384.Signing.PublicKey(x963Representation: ExampleToken.platformPublicKeyBytes(image: model))
}

private func token(_ model: IsolationModel) -> [UInt8] {
    var inputs = ExampleToken.Inputs()
    inputs.image = model
    return ExampleToken.make(inputs)
}

private func policy(_ model: IsolationModel, requireIsolation: Bool = false) throws -> VerificationPolicy {
    var policy = VerificationPolicy()
    policy.platformPublicKey = try key(model)
    policy.requireRealmIsolation = requireIsolation
    return policy
}

private let challenge = [UInt8](repeating: 0x3c, count: 32)

@Suite struct IsolationModelTests {
    @Test func sel2ImageIsReportedIsolatedAndPassesTheRequirement() throws {
        let verified = try TokenVerifier.verify(token(.secureEL2Stage2), policy: policy(.secureEL2Stage2, requireIsolation: true))
        #expect(verified.isolation == .secureEL2Stage2)
        #expect(verified.platform.softwareComponents.map(\.measurementType) == ["EL3-monitor", "TMM"])
        #expect(verified.platform.configuration == [1, 1, 1, 4])
        let json = verified.json()
        #expect(json.contains("\"model\" : \"s-el2-stage2\""))
        #expect(json.contains("\"realms-isolated\" : true"))
    }

    @Test func el3ImageIsReportedAndAcceptedByDefault() throws {
        let verified = try TokenVerifier.verify(token(.el3WithoutSecureStage2), policy: policy(.el3WithoutSecureStage2))
        #expect(verified.isolation == .el3WithoutSecureStage2)
        #expect(!verified.isolation.realmsIsolated)
        #expect(verified.platform.softwareComponents.map(\.measurementType) == ["EL3-monitor+TMM-no-SEL2"])
        #expect(verified.platform.configuration == [1, 2, 1, 4])
        let json = verified.json()
        #expect(json.contains("\"model\" : \"el3-no-secure-stage2\""))
        #expect(json.contains("\"realms-isolated\" : false"))
    }

    @Test func el3ImageIsRefusedWhenRealmIsolationIsRequired() throws {
        #expect(throws: VerificationError.realmIsolationRequired(.el3WithoutSecureStage2)) {
            try TokenVerifier.verify(token(.el3WithoutSecureStage2), policy: policy(.el3WithoutSecureStage2, requireIsolation: true))
        }
        let platform = ExampleToken.imagePlatformToken(model: .el3WithoutSecureStage2, challenge: challenge)
        #expect(throws: VerificationError.realmIsolationRequired(.el3WithoutSecureStage2)) {
            try TokenVerifier.verifyPlatformToken(
                platform, platformPublicKey: try key(.el3WithoutSecureStage2), challenge: challenge, requireRealmIsolation: true)
        }
        let claims = try TokenVerifier.verifyPlatformToken(
            platform, platformPublicKey: try key(.el3WithoutSecureStage2), challenge: challenge)
        #expect(try claims.isolation() == .el3WithoutSecureStage2)
        #expect(claims.json().contains("\"model\" : \"el3-no-secure-stage2\""))
    }

    /// A platform the verifier does not know is not known to isolate realms.
    @Test func otherPlatformsAreUnknownAndRefusedWhenIsolationIsRequired() throws {
        var generic = VerificationPolicy()
        generic.platformPublicKey = try Crypto.P384.Signing.PublicKey(x963Representation: ExampleToken.platformPublicKeyBytes)
        #expect(try TokenVerifier.verify(ExampleToken.make(), policy: generic).isolation == .unknown)
        generic.requireRealmIsolation = true
        #expect(throws: VerificationError.realmIsolationRequired(.unknown)) {
            try TokenVerifier.verify(ExampleToken.make(), policy: generic)
        }
    }

    /// The firmware never writes components of one image with the other's configuration.
    @Test func contradictoryClaimsAreRefused() throws {
        for (model, configuration) in [(IsolationModel.el3WithoutSecureStage2, [UInt8]([1, 1, 0, 4])),
                                       (.secureEL2Stage2, [1, 2, 0, 4]), (.el3WithoutSecureStage2, [1, 2, 0])] {
            let platform = ExampleToken.imagePlatformToken(model: model, challenge: challenge, configuration: configuration)
            let publicKey = try key(model)
            do throws(VerificationError) {
                _ = try TokenVerifier.verifyPlatformToken(platform, platformPublicKey: publicKey)
                Issue.record("\(model) with configuration \(configuration) accepted")
            } catch {
                guard case .invalidClaim(token: "platform", key: PlatformClaimKey.configuration, _) = error else {
                    Issue.record("\(model) with configuration \(configuration): \(error)")
                    continue
                }
            }
        }
    }

    /// The two images are two attested identities: their own platform keys (so instance ids)
    /// and implementation ids. A key read out of an EL3 image cannot sign as the S-EL2 image.
    @Test func theImagesHaveSeparateIdentities() throws {
        let sel2 = try TokenVerifier.verifyPlatformToken(
            ExampleToken.imagePlatformToken(model: .secureEL2Stage2, challenge: challenge), platformPublicKey: try key(.secureEL2Stage2))
        let el3 = try TokenVerifier.verifyPlatformToken(
            ExampleToken.imagePlatformToken(model: .el3WithoutSecureStage2, challenge: challenge),
            platformPublicKey: try key(.el3WithoutSecureStage2))
        #expect(ExampleToken.platformPublicKeyBytes(image: .secureEL2Stage2) != ExampleToken.platformPublicKeyBytes(image: .el3WithoutSecureStage2))
        #expect(sel2.instanceID != el3.instanceID)
        #expect(sel2.implementationID != el3.implementationID)
        // The S-EL2 image's identity is the one the project always had: the label and the
        // implementation id are unchanged.
        let label = Array("CCA platform attestation key (CPAK) v1".utf8)
        let oldKey = ExampleToken.deviceSecret.withUnsafeBytes { secret in
            label.withUnsafeBytes { TMMCore.P384.PrivateKey(derivingFrom: secret, context: $0) }
        }
        var oldPoint = [UInt8](repeating: 0, count: 97)
        oldPoint.withUnsafeMutableBytes { oldKey.publicKey.writeUncompressed(to: $0) }
        #expect(oldPoint == ExampleToken.platformPublicKeyBytes(image: .secureEL2Stage2))
        #expect(sel2.implementationID == Array(Crypto.SHA256.hash(data: Array("\(ExampleToken.imagePlatformName)".utf8))))

        #expect(throws: VerificationError.platformSignatureInvalid) {
            try TokenVerifier.verifyPlatformToken(
                ExampleToken.imagePlatformToken(model: .el3WithoutSecureStage2, challenge: challenge),
                platformPublicKey: try key(.secureEL2Stage2))
        }
    }

    /// Both images stay inside the CCA platform profile: the same profile, lifecycle and
    /// claim types, nothing a CCA verifier does not know.
    @Test func bothImagesStayInsideTheCCAPlatformProfile() throws {
        for model in [IsolationModel.secureEL2Stage2, .el3WithoutSecureStage2] {
            let claims = try TokenVerifier.verifyPlatformToken(
                ExampleToken.imagePlatformToken(model: model, challenge: challenge), platformPublicKey: try key(model))
            #expect(claims.profile == "tag:arm.com,2023:cca_platform#1.0.0")
            #expect(claims.securityLifecycle == 0x3000)
            #expect(claims.implementationID.count == 32)
            #expect(claims.softwareComponents.count == model.componentCount)
            #expect(claims.softwareComponents.allSatisfy { $0.measurementValue.count == 32 && $0.signerID.count == 32 })
        }
    }
}
