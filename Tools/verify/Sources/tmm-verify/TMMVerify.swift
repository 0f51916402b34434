// tmm-verify: checks a CCA attestation token file and prints its claims as JSON.
//
//   tmm-verify verify TOKEN --platform-key KEY [--challenge V] [--rpv V] [--rim V] [--rem V ×4]
//              [--require-realm-isolation]
//   tmm-verify verify-platform TOKEN --platform-key KEY [--challenge V] [--require-realm-isolation]
//   tmm-verify example TOKEN-OUT [--platform-key-out FILE]
//
// Every value is hex on the command line or a file holding hex text or raw bytes. Any
// failure prints one line to standard error and exits with status 1. The JSON's
// "tmm-isolation-model" says which isolation model the platform token describes (the S-EL2
// image, the EL3 image without realm isolation, or unknown); a token of the EL3 image is
// accepted with a warning on standard error unless --require-realm-isolation refuses it
// (Docs/el3-threat-model.md).

import ArgumentParser
import CCAVerify
import Crypto
import Foundation
import TMMCore

@main
struct TMMVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tmm-verify",
        abstract: "Verify CCA attestation tokens made by the TMM.",
        subcommands: [Verify.self, VerifyPlatform.self, Example.self],
        defaultSubcommand: Verify.self)
}

/// A failure reported as one line.
struct Failure: Error, CustomStringConvertible {
    var description: String
}

/// Bytes from a hex argument, or from a file of hex text or raw bytes.
func readValue(_ argument: String, what: String) throws -> [UInt8] {
    if let bytes = hexDecode(argument) { return bytes }
    guard let data = FileManager.default.contents(atPath: argument) else {
        throw Failure(description: "\(what): \"\(argument)\" is neither hex nor a readable file")
    }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return hexDecode(text) ?? Array(data)
}

func hexDecode(_ text: String) -> [UInt8]? {
    var digits = Substring(text)
    if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
    guard !digits.isEmpty, digits.count % 2 == 0, digits.allSatisfy(\.isHexDigit) else { return nil }
    var out: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        out.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return out
}

/// A platform key given as a COSE_Key, an uncompressed SEC 1 point, or raw x || y.
func parsePlatformKey(_ bytes: [UInt8]) throws -> Crypto.P384.Signing.PublicKey {
    if bytes.count == 97, bytes[0] == 0x04, let key = try? Crypto.P384.Signing.PublicKey(x963Representation: bytes) {
        return key
    }
    if bytes.count == 96, let key = try? Crypto.P384.Signing.PublicKey(rawRepresentation: bytes) { return key }
    do {
        return try TokenVerifier.parseCOSEKey(bytes)
    } catch {
        throw Failure(description: "platform key: not a P-384 COSE_Key, SEC 1 point or x||y (\(error))")
    }
}

/// The help of --require-realm-isolation, shared by both verifying commands.
let requireRealmIsolationHelp: ArgumentHelp = """
    Refuse a token unless its platform isolates realms from each other and from the TMM \
    (the S-EL2 image): refuses the EL3 image, whose realms a malicious realm can read, and tokens of unknown platforms.
    """

/// Said on standard error whenever an EL3-image token is accepted, so that it cannot be missed.
func warnIfNotIsolated(_ isolation: PlatformIsolation) {
    guard isolation == .el3WithoutSecureStage2 else { return }
    FileHandle.standardError.write(Data("tmm-verify: warning: \(isolation.summary)\n".utf8))
}

func fail(_ message: CustomStringConvertible) -> ExitCode {
    FileHandle.standardError.write(Data("tmm-verify: \(message)\n".utf8))
    return ExitCode(1)
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a token's structure, signatures and binding, compare expected values, print its claims as JSON.")

    @Argument(help: "The CCA token (CBOR file).")
    var token: String

    @Option(help: "The platform attestation public key: COSE_Key, SEC 1 point (97 bytes) or x||y, hex or file.")
    var platformKey: String?

    @Flag(help: "Accept a token whose platform signature cannot be checked for want of a platform key.")
    var allowUnverifiedPlatform = false

    @Option(help: "Expected realm challenge (64 bytes).")
    var challenge: String?

    @Option(help: "Expected realm personalization value (64 bytes).")
    var rpv: String?

    @Option(help: "Expected RIM.")
    var rim: String?

    @Option(help: "Expected REMs: give all four, in order.")
    var rem: [String] = []

    @Flag(help: requireRealmIsolationHelp)
    var requireRealmIsolation = false

    func run() throws {
        do {
            var policy = VerificationPolicy()
            policy.requireRealmIsolation = requireRealmIsolation
            if let platformKey {
                policy.platformPublicKey = try parsePlatformKey(try readValue(platformKey, what: "platform key"))
            } else if !allowUnverifiedPlatform {
                throw Failure(description: "no platform key: pass --platform-key, or --allow-unverified-platform to skip the platform signature")
            }
            if let challenge { policy.challenge = try readValue(challenge, what: "challenge") }
            if let rpv { policy.personalizationValue = try readValue(rpv, what: "rpv") }
            if let rim { policy.initialMeasurement = try readValue(rim, what: "rim") }
            if !rem.isEmpty {
                guard rem.count == 4 else { throw Failure(description: "--rem must be given 4 times (REM0-REM3), got \(rem.count)") }
                policy.extensibleMeasurements = try rem.map { try readValue($0, what: "rem") }
            }
            guard let data = FileManager.default.contents(atPath: token) else {
                throw Failure(description: "cannot read token file \"\(token)\"")
            }
            let verified = try TokenVerifier.verify(Array(data), policy: policy)
            warnIfNotIsolated(verified.isolation)
            print(verified.json())
        } catch let error as VerificationError {
            throw fail(error)
        } catch let error as Failure {
            throw fail(error)
        }
    }
}

struct VerifyPlatform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-platform",
        abstract: "Check a platform token on its own (a COSE_Sign1, as EL3 hands it to the TMM): structure, claims, signature, challenge; print its claims as JSON.")

    @Argument(help: "The platform token (CBOR file, or hex).")
    var token: String

    @Option(help: "The platform attestation public key: COSE_Key, SEC 1 point (97 bytes) or x||y, hex or file.")
    var platformKey: String

    @Option(help: "Expected challenge (32, 48 or 64 bytes): for a CCA platform token, the hash of the RAK's COSE_Key.")
    var challenge: String?

    @Flag(help: requireRealmIsolationHelp)
    var requireRealmIsolation = false

    func run() throws {
        do {
            let key = try parsePlatformKey(try readValue(platformKey, what: "platform key"))
            let expected = try challenge.map { try readValue($0, what: "challenge") }
            let claims = try TokenVerifier.verifyPlatformToken(
                try readValue(token, what: "token"), platformPublicKey: key, challenge: expected,
                requireRealmIsolation: requireRealmIsolation)
            warnIfNotIsolated(try claims.isolation())
            print(claims.json())
        } catch let error as VerificationError {
            throw fail(error)
        } catch let error as Failure {
            throw fail(error)
        }
    }
}

enum ExampleImage: String, ExpressibleByArgument, CaseIterable {
    case generic, sel2, el3

    var model: IsolationModel? {
        switch self {
        case .generic: nil
        case .sel2: .secureEL2Stage2
        case .el3: .el3WithoutSecureStage2
        }
    }
}

struct Example: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an example token built by the firmware code with fixed, public test keys.")

    @Argument(help: "Where to write the token.")
    var output: String

    @Option(help: "Where to write the example platform public key (SEC 1 point, hex).")
    var platformKeyOut: String?

    @Option(help: "Whose platform token: generic (a made-up platform), sel2 or el3 (laid out as that image's monitor lays it out).")
    var image: ExampleImage = .generic

    func run() throws {
        var inputs = ExampleToken.Inputs()
        inputs.image = image.model
        let token = ExampleToken.make(inputs)
        guard FileManager.default.createFile(atPath: output, contents: Data(token)) else {
            throw fail("cannot write \"\(output)\"")
        }
        if let platformKeyOut {
            let key = image.model.map { ExampleToken.platformPublicKeyBytes(image: $0) } ?? ExampleToken.platformPublicKeyBytes
            let hex = key.map { String(format: "%02x", $0) }.joined() + "\n"
            guard FileManager.default.createFile(atPath: platformKeyOut, contents: Data(hex.utf8)) else {
                throw fail("cannot write \"\(platformKeyOut)\"")
            }
        }
    }
}
