// What a platform token says about how the realms behind it are isolated (issue 11,
// Docs/el3-threat-model.md). The project's two images name their software components and fill
// the configuration claim from `IsolationModel`; this reads the same names back.
//
//   s-el2-stage2           the S-EL2 image: Secure stage 2 keeps each realm to its own memory.
//   el3-no-secure-stage2   the EL3 image: no Secure stage 2, so a malicious realm can reach
//                          other realms, the TMM and the attestation keys.
//   unknown                not a token of this project's firmware: nothing here says how its
//                          realms are isolated.
//
// The classification is conservative: a token that names the EL3 image's component at all is
// the EL3 image's, and a token is the S-EL2 image's only if its components are exactly that
// image's. Claims that disagree (the components say one image, the configuration the other)
// are refused: the firmware never writes them.

import TMMCore

public enum PlatformIsolation: Equatable, Sendable {
    case secureEL2Stage2
    case el3WithoutSecureStage2
    case unknown

    /// The name tmm-verify prints.
    public var name: String {
        switch self {
        case .secureEL2Stage2: "s-el2-stage2"
        case .el3WithoutSecureStage2: "el3-no-secure-stage2"
        case .unknown: "unknown"
        }
    }

    /// Whether realms are known to be isolated from each other and from the TMM.
    public var realmsIsolated: Bool { self == .secureEL2Stage2 }

    public var summary: String {
        switch self {
        case .secureEL2Stage2:
            "TMM at Secure EL2: Secure stage 2 isolates each realm from the others and from the TMM"
        case .el3WithoutSecureStage2:
            "TMM in EL3 without Secure EL2: realms are kept from the normal world only; a malicious realm can read other "
                + "realms, the TMM and the attestation keys, so this evidence proves no more than that the platform said so"
        case .unknown:
            "not a token of this project's firmware: its isolation model is unknown"
        }
    }

    init(_ model: IsolationModel) {
        switch model {
        case .secureEL2Stage2: self = .secureEL2Stage2
        case .el3WithoutSecureStage2: self = .el3WithoutSecureStage2
        }
    }
}

extension IsolationModel {
    var componentNames: [String] { (0..<componentCount).map { "\(componentName($0))" } }
}

extension PlatformClaims {
    /// The isolation model the claims describe; throws when they contradict each other.
    public func isolation() throws(VerificationError) -> PlatformIsolation {
        let names = softwareComponents.map(\.measurementType)
        let el3 = IsolationModel.el3WithoutSecureStage2
        let model: IsolationModel
        if names.contains(el3.componentNames[0]) {
            model = el3
        } else if names == IsolationModel.secureEL2Stage2.componentNames {
            model = .secureEL2Stage2
        } else {
            return .unknown
        }
        guard configuration.count == PlatformConfiguration.size, configuration[0] == PlatformConfiguration.format,
            configuration[1] == model.configurationVariant
        else {
            throw .invalidClaim(
                token: "platform", key: PlatformClaimKey.configuration,
                "the software components name the \(PlatformIsolation(model).name) image, the configuration does not")
        }
        return PlatformIsolation(model)
    }
}
