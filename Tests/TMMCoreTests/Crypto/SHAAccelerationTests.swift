// The check that decides whether the firmware may compress SHA-2 blocks with the CPU's
// instructions (SHAAcceleration): it must accept a correct block function and refuse each way
// a block function in assembly could plausibly be wrong. The assembly itself runs only on
// target, where the boot self-test runs this same check (Tests/System: "self-test passed").
// These tests call `check`, never `enable`: the host build keeps the portable code.

import Testing
@testable import TMMCore

// MARK: An independent SHA-256/SHA-512 compression (FIPS 180-4 6.2.2, 6.4.2), written as the
// C-convention block functions the firmware's assembly provides.

private let k256: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]

private let k512: [UInt64] = [
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]

private func compress256(_ state: UnsafeMutablePointer<UInt32>, _ block: UnsafeRawPointer) {
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
    var w = [UInt32](repeating: 0, count: 64)
    for t in 0..<16 {
        w[t] = (0..<4).reduce(0) { $0 << 8 | UInt32(block.load(fromByteOffset: 4 * t + $1, as: UInt8.self)) }
    }
    for t in 16..<64 {
        w[t] = (rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ w[t - 2] >> 10) &+ w[t - 7]
            &+ (rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ w[t - 15] >> 3) &+ w[t - 16]
    }
    var v = (0..<8).map { state[$0] }
    for t in 0..<64 {
        let t1 = v[7] &+ (rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)) &+ (v[4] & v[5] ^ ~v[4] & v[6]) &+ k256[t] &+ w[t]
        let t2 = (rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)) &+ (v[0] & v[1] ^ v[0] & v[2] ^ v[1] & v[2])
        v = [t1 &+ t2, v[0], v[1], v[2], v[3] &+ t1, v[4], v[5], v[6]]
    }
    for i in 0..<8 { state[i] &+= v[i] }
}

private func compress512(_ state: UnsafeMutablePointer<UInt64>, _ block: UnsafeRawPointer) {
    func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { x >> n | x << (64 - n) }
    var w = [UInt64](repeating: 0, count: 80)
    for t in 0..<16 {
        w[t] = (0..<8).reduce(0) { $0 << 8 | UInt64(block.load(fromByteOffset: 8 * t + $1, as: UInt8.self)) }
    }
    for t in 16..<80 {
        w[t] = (rotr(w[t - 2], 19) ^ rotr(w[t - 2], 61) ^ w[t - 2] >> 6) &+ w[t - 7]
            &+ (rotr(w[t - 15], 1) ^ rotr(w[t - 15], 8) ^ w[t - 15] >> 7) &+ w[t - 16]
    }
    var v = (0..<8).map { state[$0] }
    for t in 0..<80 {
        let t1 = v[7] &+ (rotr(v[4], 14) ^ rotr(v[4], 18) ^ rotr(v[4], 41)) &+ (v[4] & v[5] ^ ~v[4] & v[6]) &+ k512[t] &+ w[t]
        let t2 = (rotr(v[0], 28) ^ rotr(v[0], 34) ^ rotr(v[0], 39)) &+ (v[0] & v[1] ^ v[0] & v[2] ^ v[1] & v[2])
        v = [t1 &+ t2, v[0], v[1], v[2], v[3] &+ t1, v[4], v[5], v[6]]
    }
    for i in 0..<8 { state[i] &+= v[i] }
}

private let correct256: SHA256BlockFunction = { state, data, blocks in
    for i in 0..<blocks { compress256(state, data + 64 * i) }
}
private let correct512: SHA512BlockFunction = { state, data, blocks in
    for i in 0..<blocks { compress512(state, data + 128 * i) }
}

// MARK: Block functions with the mistakes the check must catch.

/// Does nothing: every digest is the initial state.
private let inert256: SHA256BlockFunction = { _, _, _ in }
/// Compresses only the first block of each run (a loop counter that never counts).
private let firstBlockOnly256: SHA256BlockFunction = { state, data, blocks in
    if blocks > 0 { compress256(state, data) }
}
private let firstBlockOnly512: SHA512BlockFunction = { state, data, blocks in
    if blocks > 0 { compress512(state, data) }
}
/// Reads from the 8-byte aligned address below `data` (assumes aligned input).
private let alignedOnly256: SHA256BlockFunction = { state, data, blocks in
    let aligned = UnsafeRawPointer(bitPattern: UInt(bitPattern: data) & ~7)!
    for i in 0..<blocks { compress256(state, aligned + 64 * i) }
}
private let alignedOnly512: SHA512BlockFunction = { state, data, blocks in
    let aligned = UnsafeRawPointer(bitPattern: UInt(bitPattern: data) & ~7)!
    for i in 0..<blocks { compress512(state, aligned + 128 * i) }
}
/// Skips the FIPS 180-4 step 4 addition for the second and later blocks of a run.
private let noFeedForward256: SHA256BlockFunction = { state, data, blocks in
    for i in 0..<blocks {
        var saved = (0..<8).map { state[$0] }
        compress256(state, data + 64 * i)
        if i > 0 { for j in 0..<8 { saved[j] = state[j] &- saved[j]; state[j] = saved[j] } }
    }
}
/// Wrong in one bit of the last word of the state, only after the hundredth call: the long
/// message must catch what the short ones cannot.
nonisolated(unsafe) private var lateFaultCalls = 0
private let lateFault512: SHA512BlockFunction = { state, data, blocks in
    for i in 0..<blocks { compress512(state, data + 128 * i) }
    lateFaultCalls += 1
    if lateFaultCalls > 100 { state[7] ^= 1 }
}

@Suite struct SHAAccelerationTests {
    @Test func aCorrectBlockFunctionPasses() {
        #expect(SHAAcceleration.check(sha256: correct256))
        #expect(SHAAcceleration.check(sha512: correct512))
    }

    @Test func aCorrectBlockFunctionGivesThePortableDigests() {
        let message = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 64, 127, 128, 129, 1000, 2999] {
            var viaFunction = SHA256(blockFunction: correct256), portable = SHA256(blockFunction: nil)
            var viaFunction512 = SHA512(blockFunction: correct512), portable512 = SHA512(blockFunction: nil)
            message.withUnsafeBytes {
                let part = UnsafeRawBufferPointer(rebasing: $0[0..<length])
                viaFunction.update(part); portable.update(part)
                viaFunction512.update(part); portable512.update(part)
            }
            var a = [UInt8](repeating: 0, count: 64), b = a, c = a, d = a
            a.withUnsafeMutableBytes { viaFunction.finalize(into: $0) }
            b.withUnsafeMutableBytes { portable.finalize(into: $0) }
            c.withUnsafeMutableBytes { viaFunction512.finalize(into: $0) }
            d.withUnsafeMutableBytes { portable512.finalize(into: $0) }
            #expect(a == b, "SHA-256, \(length) bytes")
            #expect(c == d, "SHA-512, \(length) bytes")
        }
    }

    @Test func brokenBlockFunctionsAreRefused() {
        #expect(!SHAAcceleration.check(sha256: inert256))
        #expect(!SHAAcceleration.check(sha256: firstBlockOnly256))
        #expect(!SHAAcceleration.check(sha512: firstBlockOnly512))
        #expect(!SHAAcceleration.check(sha256: alignedOnly256))
        #expect(!SHAAcceleration.check(sha512: alignedOnly512))
        #expect(!SHAAcceleration.check(sha256: noFeedForward256))
        #expect(!SHAAcceleration.check(sha512: lateFault512))
    }

    /// The host build never offers a block function: SHA256() and SHA512() are portable.
    @Test func theHostBuildRunsThePortableCode() {
        #expect(SHAAcceleration.sha256 == nil)
        #expect(SHAAcceleration.sha512 == nil)
    }
}
