// The `cbor` fuzz target's committed inputs (Tests/Fuzz/corpus/cbor, Tests/Fuzz/regressions/
// cbor) replayed without libFuzzer through the same check, and through the whole token
// verifier as well: it refuses or accepts each with a VerificationError, never a trap.

import Foundation
import Testing
@testable import CCAVerify

@Suite struct CBORFuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Fuzz")

    static var inputs: [(name: String, bytes: [UInt8])] {
        ["corpus", "regressions"].flatMap { kind -> [(name: String, bytes: [UInt8])] in
            let dir = root.appendingPathComponent(kind).appendingPathComponent("cbor")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.sorted().filter { !$0.hasPrefix(".") }.compactMap { name in
                (try? Data(contentsOf: dir.appendingPathComponent(name))).map { ("\(kind)/cbor/\(name)", [UInt8]($0)) }
            }
        }
    }

    @Test func committedInputsPassTheDecoderCheck() {
        let inputs = Self.inputs
        #expect(!inputs.isEmpty)
        var accepted = 0
        for input in inputs {
            if let finding = CBORFuzzTarget.finding(input.bytes) { Issue.record("\(input.name): \(finding)") }
            if (try? CBORDecoder.decode(input.bytes)) != nil { accepted += 1 }
            _ = try? TokenVerifier.verify(input.bytes)
        }
        // The corpus holds well-formed items too, so the round trip is exercised.
        #expect(accepted > 0)
    }

    @Test func roundTripCheckCatchesANonPreferredEncoding() {
        // 0x18 0x05: the integer 5 with a one-byte argument; the decoder must refuse it.
        #expect(CBORFuzzTarget.finding([0x18, 0x05]) == nil)
        #expect((try? CBORDecoder.decode([0x18, 0x05])) == nil)
        #expect(CBORFuzzTarget.finding([0x82, 0x01, 0x42, 0xAB, 0xCD]) == nil)
    }
}
