// The shortcuts issue 13's benchmark asked for, checked against the long way: a sparse image
// hashed block by block with zero blocks absorbed unseen, against the hash of the whole image;
// and RTT entry tests on the descriptor word, against the decoded entry for every word shape.

import Crypto
import Testing
@testable import TMMCore

@Suite struct SparseHashTests {
    /// Field sets: none, REC-parameters-like, every block of SHA-256 touched, fields at both
    /// ends of the image and at block edges.
    static let layouts: [[(offset: Int, value: UInt64)]] = [
        [],
        [(0x000, 1), (0x200, 0x8000_0000)] + (0..<8).map { (0x300 + 8 * $0, UInt64($0) &* 0x0101_0101_0101_0101) },
        (0..<16).map { (256 * $0 + 56, ~UInt64($0)) },
        [(0, .max), (4088, 0x1122_3344_5566_7788), (64, 2), (120, 3), (128, 4)],
    ]

    static func image(_ fields: [(offset: Int, value: UInt64)]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        for f in fields { for i in 0..<8 { bytes[f.offset + i] = UInt8(truncatingIfNeeded: f.value >> (8 * UInt64(i))) } }
        return bytes
    }

    @Test(arguments: [MeasurementAlgorithm.sha256, .sha512], layouts.indices)
    func sparseImageHashesLikeTheWholeImage(_ algorithm: MeasurementAlgorithm, _ layout: Int) {
        var sparse = SparseImage()
        for f in Self.layouts[layout] { sparse.set(f.value, at: f.offset) }
        let digest = sparse.hash(algorithm)
        let whole = Self.image(Self.layouts[layout])
        let expected: [UInt8] = algorithm == .sha256 ? Array(Crypto.SHA256.hash(data: whole)) : Array(Crypto.SHA512.hash(data: whole))
        #expect((0..<algorithm.digestSize).map { digest.bytes[$0] } == expected)
        #expect((algorithm.digestSize..<64).allSatisfy { digest.bytes[$0] == 0 })
    }

    /// Zero blocks after a partial block (not at a block boundary) and between data.
    @Test(arguments: [0, 1, 63, 64, 65, 127, 128])
    func zeroBlocksAnywhereInTheMessage(_ prefix: Int) {
        let head = (0..<prefix).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        var h256 = TMMCore.SHA256()
        var h512 = TMMCore.SHA512()
        head.withUnsafeBytes { h256.update($0); h512.update($0) }
        h256.updateZeroBlocks(3)
        h512.updateZeroBlocks(3)
        [UInt8(0xAB)].withUnsafeBytes { h256.update($0); h512.update($0) }
        var d256 = [UInt8](repeating: 0, count: 32), d512 = [UInt8](repeating: 0, count: 64)
        d256.withUnsafeMutableBytes { h256.finalize(into: $0) }
        d512.withUnsafeMutableBytes { h512.finalize(into: $0) }
        #expect(d256 == Array(Crypto.SHA256.hash(data: head + [UInt8](repeating: 0, count: 192) + [0xAB])))
        #expect(d512 == Array(Crypto.SHA512.hash(data: head + [UInt8](repeating: 0, count: 384) + [0xAB])))
    }

    /// Every combination of the bits the entry tests look at (type, HIPAS, RIPAS, NS, one
    /// address bit), at every level: the word tests agree with `kind(level:)`.
    @Test func entryWordTestsAgreeWithDecoding() {
        for level in 0...3 {
            for bits in 0..<(1 << 9) {
                let b = UInt64(bits)
                let raw = (b & 0x7F) | (b >> 7 & 1) << 55 | (b >> 8 & 1) << 12
                let e = RTTEntry(raw: raw)
                let kind = e.kind(level: level)
                let live: Bool, holds: Bool
                switch kind {
                case .assigned: live = true; holds = true
                case .table: live = true; holds = true
                case .assignedNS: live = true; holds = false
                case .unassigned, .unassignedNS, .malformed: live = false; holds = false
                }
                #expect(e.isLive(level: level) == live, "raw \(raw) level \(level)")
                #expect(e.holdsGranule(level: level) == holds, "raw \(raw) level \(level)")
                let unassigned: RIPAS? = if case .unassigned(let r) = kind { r } else { nil }
                #expect(e.unassignedRIPAS == unassigned, "raw \(raw) level \(level)")
                let table: UInt64? = if case .table(let pa) = kind { pa } else { nil }
                #expect(e.tableAddress(level: level) == table, "raw \(raw) level \(level)")
                if raw & RTTEntry.liveCandidateMask == 0 { #expect(!live) }
            }
        }
    }

    /// The next live entry found four words at a time, against an entry-by-entry scan.
    @Test func firstLiveMatchesAnEntryByEntryScan() {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { memory.deallocate() }
        let table = RTTTable(base: memory)
        var random = SplitMix64(seed: 13)
        for _ in 0..<200 {
            for i in 0..<512 {
                let roll = random.next() % 64
                table[i] = roll == 0 ? .assignedRAM(0x1000_0000 + UInt64(i) << 12, level: 3)
                    : roll == 1 ? .assignedInvalid(.destroyed, 0x2000_0000) : roll == 2 ? .unassignedNS
                    : .unassigned(RIPAS(rawValue: UInt8(roll % 3))!)
            }
            for start in [0, 1, 3, 4, 5, 200, 508, 509, 511, 512] {
                var expected = start
                while expected < 512 && !table[expected].isLive(level: 3) { expected += 1 }
                #expect(table.firstLive(from: start, level: 3) == expected)
            }
        }
    }
}
