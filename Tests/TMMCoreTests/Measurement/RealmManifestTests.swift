// The offline RIM prediction (Tools/measure, RealmManifest) against the RIM the RMI core computes
// when a host builds the same realm over RMI: the tool must follow the TMM's rules exactly.

import Foundation
import Testing
@testable import TMMCore
@testable import RealmManifest

@Suite struct RealmManifestTests {
    /// Writes `pages` pages of distinct content to a file and returns its bytes.
    private func writeImage(_ url: URL, pages: Int, seed: UInt64) throws -> [UInt8] {
        var random = SplitMix64(seed: seed)
        let bytes = random.bytes(pages * 4096)
        try Data(bytes).write(to: url)
        return bytes
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Builds the realm the manifest describes over RMI, with the harness playing the host.
    private func buildOverRMI(hash: UInt8, measured: [UInt8], unmeasured: [UInt8]) -> [UInt8] {
        let h = Harness()
        let realm = h.createRealm { $0.hashAlgorithm = hash; $0.numBPs = 5; $0.numWPs = 3 }
        h.createTables(realm, ipa: 0, downTo: 3)
        precondition(h.call(.rttInitRIPAS, realm.rd, 0, 0x4000).x0 == Status.success)
        for (index, page) in [measured, unmeasured].enumerated() {
            let data = h.delegated(), source = h.freshNS()
            h.machine.fill(source, with: page)
            let flags: UInt64 = index == 0 ? 1 : 0
            precondition(h.call(.dataCreate, realm.rd, data, UInt64(index) * 0x1000, source, flags).x0 == Status.success)
        }
        // DATA_CREATE_UNKNOWN is not measured.
        precondition(h.call(.dataCreateUnknown, realm.rd, h.delegated(), 0x2000).x0 == Status.success)
        precondition(h.createREC(realm) { $0.pc = 0x40; $0.gprs = [9, 8, 7, 6, 5, 4, 3, 2] }.result.x0 == Status.success)
        precondition(h.createREC(realm) { $0.mpidr = 1; $0.flags = 0; $0.pc = 0x80 }.result.x0 == Status.success)
        let digest = hash == 0 ? 32 : 64
        return Array(h.rim(realm)[0..<digest])
    }

    private func manifest(hash: String) -> String {
        """
        {
          "hash_algorithm": "\(hash)",
          "realm": { "s2sz": 40, "num_bps": 5, "num_wps": 3 },
          "steps": [
            { "init_ripas": { "base": "0x0", "top": "0x4000", "level": 3 } },
            { "data": { "ipa": "0x0", "file": "measured.bin", "measure_content": true } },
            { "data": { "ipa": "0x1000", "file": "unmeasured.bin", "measure_content": false } },
            { "rec": { "runnable": true, "pc": "0x40", "gprs": [9, 8, 7, 6, 5, 4, 3, 2] } },
            { "rec": { "runnable": false, "pc": "0x80" } }
          ]
        }
        """
    }

    @Test(arguments: [("sha-256", UInt8(0)), ("sha-512", UInt8(1))])
    func predictionMatchesTheRMICore(hash: String, algorithm: UInt8) throws {
        let dir = try temporaryDirectory()
        let measured = try writeImage(dir.appendingPathComponent("measured.bin"), pages: 1, seed: 1)
        let unmeasured = try writeImage(dir.appendingPathComponent("unmeasured.bin"), pages: 1, seed: 2)
        let realm = try RealmManifest(json: Data(manifest(hash: hash).utf8), directory: dir)
        #expect(realm.expectedRIM() == buildOverRMI(hash: algorithm, measured: measured, unmeasured: unmeasured))
    }

    @Test func oneChangedByteChangesTheRIM() throws {
        let dir = try temporaryDirectory()
        var measured = try writeImage(dir.appendingPathComponent("measured.bin"), pages: 1, seed: 1)
        _ = try writeImage(dir.appendingPathComponent("unmeasured.bin"), pages: 1, seed: 2)
        let before = try RealmManifest(json: Data(manifest(hash: "sha-256").utf8), directory: dir).expectedRIM()
        measured[100] ^= 1
        try Data(measured).write(to: dir.appendingPathComponent("measured.bin"))
        let after = try RealmManifest(json: Data(manifest(hash: "sha-256").utf8), directory: dir).expectedRIM()
        #expect(before != after)
        // The unmeasured page's content does not count, only its IPA and flags.
        var unmeasured = try writeImage(dir.appendingPathComponent("unmeasured.bin"), pages: 1, seed: 3)
        unmeasured[0] ^= 1
        try Data(unmeasured).write(to: dir.appendingPathComponent("unmeasured.bin"))
        #expect(try RealmManifest(json: Data(manifest(hash: "sha-256").utf8), directory: dir).expectedRIM() == after)
    }

    @Test func aPartialLastPageIsZeroPadded() {
        let pages = RealmManifest.pages(of: [1, 2, 3])
        #expect(pages.count == 1 && pages[0].count == 4096 && pages[0][0..<3] == [1, 2, 3] && pages[0][3...].allSatisfy { $0 == 0 })
        #expect(RealmManifest.pages(of: [UInt8](repeating: 7, count: 4097)).count == 2)
    }

    @Test(arguments: [
        #"{"realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": []}"#,
        #"{"hash_algorithm": "md5", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": []}"#,
        #"{"hash_algorithm": "sha-256", "steps": []}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5}, "steps": []}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 0, "num_wps": 3}, "steps": []}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 0}, "steps": []}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": [{"init_ripas": {"base": "0x10", "top": "0x2000", "level": 3}}]}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": [{"init_ripas": {"base": "0x0", "top": "0x1000", "level": 0}}]}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": [{"data": {"ipa": "0x0", "file": "no-such-file"}}]}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": [{"rec": {"pc": "0x0", "gprs": [0,1,2,3,4,5,6,7,8]}}]}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": "forty", "num_bps": 5, "num_wps": 3}, "steps": []}"#,
        #"{"hash_algorithm": "sha-256", "realm": {"s2sz": 40, "num_bps": 5, "num_wps": 3}, "steps": [{"mystery": {}}]}"#,
    ])
    func malformedManifestsAreRefused(json: String) throws {
        let dir = try temporaryDirectory()
        #expect(throws: ManifestError.self) { try RealmManifest(json: Data(json.utf8), directory: dir) }
    }
}
