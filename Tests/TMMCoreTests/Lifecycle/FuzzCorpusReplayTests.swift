// The fuzz targets' committed inputs, replayed without libFuzzer through the same drivers
// (Tests/TMMCoreTests/Fuzz): the seed corpus and every crash reproducer ever found
// (Tests/Fuzz/regressions) must pass every oracle, so a finding fixed once stays fixed. The
// seed corpus must also reach every RMI command and every RSI function (Docs/fuzzing.md).

import Foundation
import Testing
@testable import TMMCore

@Suite struct FuzzCorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Fuzz")

    static func inputs(_ target: String) -> [(name: String, bytes: [UInt8])] {
        ["corpus", "regressions"].flatMap { kind -> [(name: String, bytes: [UInt8])] in
            let dir = root.appendingPathComponent(kind).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.sorted().filter { !$0.hasPrefix(".") }.compactMap { name in
                (try? Data(contentsOf: dir.appendingPathComponent(name))).map { ("\(kind)/\(target)/\(name)", [UInt8]($0)) }
            }
        }
    }

    /// Every committed input of both targets passes; together the seeds call every RMI
    /// command and have the core answer every RSI function.
    @Test func committedInputsPassEveryOracleAndReachEveryFunction() {
        var total = FuzzStats()
        for target in FuzzTargets.names {
            let inputs = Self.inputs(target)
            #expect(!inputs.isEmpty, "no committed inputs for \(target)")
            for input in inputs {
                let (stats, finding) = FuzzTargets.run(target, input.bytes)
                total.add(stats)
                if let finding { Issue.record("\(input.name): \(finding)") }
            }
        }
        #expect(total.realmRuns > 0)
        #expect(total.unreached.isEmpty, "unreached: \(total.unreached)")
    }

    /// The oracles can fail: a result the specification does not list for a command is caught.
    @Test func returnCodeOracleRejectsUnlistedResults() {
        let args = RMIArguments(0, 0, 3, 0, 0, 0)
        #expect(SpecReturnCodes.rmiViolation(fid: RMIFunctionID.granuleDelegate.rawValue, args, RMIResult(x0: 4)) != nil)
        #expect(SpecReturnCodes.rmiViolation(fid: RMIFunctionID.rttFold.rawValue, RMIArguments(0, 0, 2, 0, 0, 0),
                                             RMIResult(x0: 4 | 3 << 8)) != nil)
        #expect(SpecReturnCodes.rmiViolation(fid: RMIFunctionID.rttFold.rawValue, RMIArguments(0, 0, 2, 0, 0, 0),
                                             RMIResult(x0: 4 | 1 << 8)) == nil)
        #expect(SpecReturnCodes.rmiViolation(fid: 0xC400_0156, args, RMIResult(x0: 0)) != nil)
        #expect(SpecReturnCodes.realmCallViolation(fid: 0xC400_0192, x0: 3) != nil)
        #expect(SpecReturnCodes.realmCallViolation(fid: 0xC401_0195, x0: 3) == nil)
    }
}
