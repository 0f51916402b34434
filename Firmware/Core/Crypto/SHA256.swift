// SHA-256, FIPS 180-4 section 6.2. Pure Swift with no heap, so the same code measures
// realms in the firmware and runs in host tests against the NIST vectors. Where the firmware
// found and checked the CPU's SHA-256 instructions at boot (SHAAcceleration), whole blocks go
// to them instead of to `compress`.

public struct SHA256 {
    public static let digestSize = 32
    public static let blockSize = 64

    private static let roundConstants: InlineArray<64, UInt32> = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    private var state: InlineArray<8, UInt32> = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var blocks = MessageBlocks<64>()
    /// The block function this hash uses; nil: the portable `compress`.
    private let blockFunction: SHA256BlockFunction?

    /// SHA-256 with the CPU's instructions when the firmware enabled them, else portable.
    public init() { blockFunction = SHAAcceleration.sha256 }

    /// SHA-256 with the given block function (nil: the portable code), whatever is enabled:
    /// for the self-test that decides whether a block function may be enabled.
    public init(blockFunction: SHA256BlockFunction?) { self.blockFunction = blockFunction }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let accelerated = blockFunction
        blocks.absorb(bytes) { data, count in
            if let accelerated {
                withUnsafeMutableBytes(of: &state) {
                    accelerated($0.baseAddress!.assumingMemoryBound(to: UInt32.self), data, count)
                }
            } else {
                for i in 0..<count { Self.compress(&state, data + i * Self.blockSize) }
            }
        }
    }

    /// Absorbs `count` blocks of zero bytes. At a block boundary the portable code compresses
    /// them without a message schedule: every W[t] of an all-zero block is zero (sigma0(0) =
    /// sigma1(0) = 0, FIPS 180-4 6.2.2 step 1), so its rounds add only K[t]. Elsewhere, or with
    /// the CPU's instructions, the zero bytes go through `update`.
    mutating func updateZeroBlocks(_ count: Int) {
        guard count > 0 else { return }
        if blocks.buffered != 0 || blockFunction != nil {
            updateZeroBytes(blocks: count, blockSize: Self.blockSize)
            return
        }
        for _ in 0..<count { Self.compressZeroBlock(&state) }
        blocks.skipWholeBlocks(count)
    }

    /// Pads the message (FIPS 180-4 5.1.1) and writes the 32-byte digest to `digest`,
    /// which must hold at least 32 bytes.
    public mutating func finalize(into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= Self.digestSize)
        let bitLength = blocks.messageLength &* 8
        var pad = InlineArray<72, UInt8>(repeating: 0)
        pad[0] = 0x80
        let padLength = (blocks.buffered < 56 ? 56 : 120) - blocks.buffered
        for i in 0..<8 { pad[padLength + i] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(i))) }
        withUnsafeBytes(of: pad) { update(UnsafeRawBufferPointer(rebasing: $0[0..<(padLength + 8)])) }
        for i in 0..<8 {
            for j in 0..<4 { digest[4 * i + j] = UInt8(truncatingIfNeeded: state[i] >> (24 - 8 * UInt32(j))) }
        }
    }

    /// One 64-byte block at `block` (it may be unaligned), FIPS 180-4 6.2.2. The message
    /// schedule lives in a 16-word window (W[t] replaces W[t-16]) and the rounds go eight at a
    /// time with the working variables renamed instead of shifted, which is what keeps the
    /// host build at or below mbedTLS's instructions per block (README: Benchmark).
    private static func compress(_ state: inout InlineArray<8, UInt32>, _ block: UnsafeRawPointer) {
        var w = InlineArray<16, UInt32>(repeating: 0)
        for t in 0..<16 { w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        var t = 0
        while t < 64 {
            if t >= 16 { for j in 0..<8 { schedule(&w, t + j) } }
            round(a, b, c, &d, e, f, g, &h, roundConstants[t] &+ w[t & 15])
            round(h, a, b, &c, d, e, f, &g, roundConstants[t + 1] &+ w[(t + 1) & 15])
            round(g, h, a, &b, c, d, e, &f, roundConstants[t + 2] &+ w[(t + 2) & 15])
            round(f, g, h, &a, b, c, d, &e, roundConstants[t + 3] &+ w[(t + 3) & 15])
            round(e, f, g, &h, a, b, c, &d, roundConstants[t + 4] &+ w[(t + 4) & 15])
            round(d, e, f, &g, h, a, b, &c, roundConstants[t + 5] &+ w[(t + 5) & 15])
            round(c, d, e, &f, g, h, a, &b, roundConstants[t + 6] &+ w[(t + 6) & 15])
            round(b, c, d, &e, f, g, h, &a, roundConstants[t + 7] &+ w[(t + 7) & 15])
            t += 8
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
    }

    /// `compress` of a block of 64 zero bytes, whose message schedule is all zero.
    private static func compressZeroBlock(_ state: inout InlineArray<8, UInt32>) {
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        var t = 0
        while t < 64 {
            round(a, b, c, &d, e, f, g, &h, roundConstants[t])
            round(h, a, b, &c, d, e, f, &g, roundConstants[t + 1])
            round(g, h, a, &b, c, d, e, &f, roundConstants[t + 2])
            round(f, g, h, &a, b, c, d, &e, roundConstants[t + 3])
            round(e, f, g, &h, a, b, c, &d, roundConstants[t + 4])
            round(d, e, f, &g, h, a, b, &c, roundConstants[t + 5])
            round(c, d, e, &f, g, h, a, &b, roundConstants[t + 6])
            round(b, c, d, &e, f, g, h, &a, roundConstants[t + 7])
            t += 8
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
    }

    /// W[t] for 16 <= t < 64, into the window slot of W[t-16].
    @inline(__always)
    private static func schedule(_ w: inout InlineArray<16, UInt32>, _ t: Int) {
        let w15 = w[(t + 1) & 15], w2 = w[(t + 14) & 15]
        let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 &>> 3)
        let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 &>> 10)
        w[t & 15] = w[t & 15] &+ s0 &+ w[(t + 9) & 15] &+ s1
    }

    /// One round: `d` becomes the next e, `h` the next a; the caller renames the rest.
    /// Ch and Maj in forms with one operation fewer (same truth tables as FIPS 180-4 4.1.2);
    /// Sigma1(e) = ROTR 6 (ROTR 5 (ROTR 14 (e) ^ e) ^ e), which is ROTR 6 ^ ROTR 11 ^ ROTR 25
    /// of e with fewer copies of e, and Sigma0(a) likewise from 2, 13 and 22.
    @inline(__always)
    private static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                              _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
        let t1 = h &+ rotr(rotr(rotr(e, 14) ^ e, 5) ^ e, 6) &+ (g ^ (e & (f ^ g))) &+ kw
        d &+= t1
        h = t1 &+ rotr(rotr(rotr(a, 9) ^ a, 11) ^ a, 2) &+ ((a & b) | (c & (a | b)))
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x &>> n | x &<< (32 &- n) }
}
