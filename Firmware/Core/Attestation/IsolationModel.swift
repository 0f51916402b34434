// Which of the project's two images signs a platform token, and so which isolation the realms
// behind it get (issue 11; Docs/el3-threat-model.md). The monitor builds its claims from this,
// and tmm-verify reads the same names back, so the two cannot drift apart.
//
//   secureEL2Stage2          tmm-sel2: the TMM at Secure EL2 keeps each realm inside its own
//                            memory with Secure stage 2.
//   el3WithoutSecureStage2   tmm-el3, for CPUs without FEAT_SEL2: the Secure EL1&0 regime has
//                            no stage 2, so a realm kernel controls its own translation and can
//                            reach any Secure physical address. TrustZone still keeps realms from
//                            the normal world; nothing keeps a malicious realm from other realms,
//                            the TMM or the attestation keys in secure memory.
//
// Where the token says which (all inside the CCA platform profile, so CCA verifiers still
// accept it; Docs/el3-threat-model.md gives the reasons):
//   platform key and instance id  the CPAK is derived under a label of its own per model,
//                                 so the EL3 image is a different attested instance;
//   implementation id             SHA-256 of the platform's name followed by the model's
//                                 qualifier (none for S-EL2);
//   software components           the EL3 image's one component is named for what it lacks;
//   configuration                 byte 1 is the image variant (1 S-EL2, 2 EL3).
// The security lifecycle stays as it is: it states the debug and provisioning state of the
// root of trust, which does not differ between the images.

public enum IsolationModel: Equatable, Sendable {
    case secureEL2Stage2
    case el3WithoutSecureStage2

    /// The label the platform attestation key is derived under
    /// (`AttestationKeyDerivation.platformKey(deviceSecret:model:)`). The S-EL2 image's is the
    /// label the project has always used, so its key does not change.
    public var platformKeyContext: StaticString {
        switch self {
        case .secureEL2Stage2: "CCA platform attestation key (CPAK) v1"
        case .el3WithoutSecureStage2: "CCA platform attestation key (CPAK) v1, TMM in EL3 without Secure EL2"
        }
    }

    /// Appended to the platform's implementation name before it is hashed into the
    /// implementation id; empty for the S-EL2 image, whose id therefore does not change.
    public var implementationQualifier: StaticString {
        switch self {
        case .secureEL2Stage2: ""
        case .el3WithoutSecureStage2: "; TMM in EL3 without Secure EL2: realms not isolated from each other or the TMM"
        }
    }

    /// Byte 1 of the configuration claim (`PlatformTokenIssuer.configuration`).
    public var configurationVariant: UInt8 {
        switch self {
        case .secureEL2Stage2: 1
        case .el3WithoutSecureStage2: 2
        }
    }

    /// How many software components the image's platform token lists.
    public var componentCount: Int {
        switch self {
        case .secureEL2Stage2: 2
        case .el3WithoutSecureStage2: 1
        }
    }

    /// The measurement type of component `index` (0 ..< componentCount). S-EL2 image: the
    /// monitor, then the TMM it loads. EL3 image: the TMM is compiled into the monitor, so one
    /// measurement covers both, and its name says what the image lacks.
    public func componentName(_ index: Int) -> StaticString {
        switch self {
        case .secureEL2Stage2: index == 0 ? "EL3-monitor" : "TMM"
        case .el3WithoutSecureStage2: "EL3-monitor+TMM-no-SEL2"
        }
    }

    /// Whether the TMM can keep one realm from another, and every realm from itself.
    public var isolatesRealms: Bool { self == .secureEL2Stage2 }

    /// The secure console's statement of the image's threat model, printed at every boot: one
    /// line, shorter than a LogLine (224 bytes).
    public var bootStatement: StaticString {
        switch self {
        case .secureEL2Stage2:
            "[EL3] threat model, S-EL2 image: Secure stage 2 keeps each realm to its own memory, away from other realms, the TMM and the attestation keys"
        case .el3WithoutSecureStage2:
            "[EL3] threat model, EL3 image (no Secure EL2): TrustZone keeps realms from the normal world; a realm kernel controls its own translation, so nothing isolates realms from each other, the TMM or the attestation keys"
        }
    }
}

/// The configuration claim of the project's platform tokens (format 1): the image variant,
/// where the granule pool lies (0: secure-only RAM, 1: DRAM carve-out) and the CPU count.
public enum PlatformConfiguration {
    public static let format: UInt8 = 1
    public static let size = 4

    public static func bytes(model: IsolationModel, poolInDRAM: Bool, cpus: Int) -> InlineArray<4, UInt8> {
        [format, model.configurationVariant, poolInDRAM ? 1 : 0, UInt8(truncatingIfNeeded: cpus)]
    }
}

extension IsolationModel {
    /// The implementation id claim (32 bytes): SHA-256 of the platform's implementation name
    /// followed by this model's qualifier.
    public func writeImplementationID(platformName: StaticString, into output: UnsafeMutableRawBufferPointer) {
        var hash = SHA256()
        hash.update(platformName.rawBytes)
        hash.update(implementationQualifier.rawBytes)
        hash.finalize(into: output)
    }
}
