// The one place that decides whether SHA-256 and SHA-512/384 compress blocks with the CPU's
// SHA instructions: the firmware offers a block function at cold boot (Firmware/Secure/
// SHAInstructions.swift: FEAT_SHA256/FEAT_SHA512 found in ID_AA64ISAR0_EL1), and it is used
// only if it gives the FIPS 180-4 examples' digests and agrees with the portable code over
// message lengths around every block and padding boundary. The host build never offers one.

/// Compresses `blocks` consecutive 64-byte blocks at `data` (any alignment) into `state`,
/// H0..H7 as native-endian words (FIPS 180-4 6.2.2).
public typealias SHA256BlockFunction = @convention(c) (UnsafeMutablePointer<UInt32>, UnsafeRawPointer, Int) -> Void
/// Compresses `blocks` consecutive 128-byte blocks at `data` (any alignment) into `state`,
/// H0..H7 as native-endian words (FIPS 180-4 6.4.2).
public typealias SHA512BlockFunction = @convention(c) (UnsafeMutablePointer<UInt64>, UnsafeRawPointer, Int) -> Void

public enum SHAAcceleration {
    /// What every SHA256 (SHA512, SHA384) made afterwards compresses with; nil: the portable
    /// code. Written only by `enable`, on the boot CPU at cold boot before any other CPU runs
    /// firmware code, and never again: read without a lock.
    nonisolated(unsafe) public private(set) static var sha256: SHA256BlockFunction? = nil
    nonisolated(unsafe) public private(set) static var sha512: SHA512BlockFunction? = nil

    /// Makes `candidate` SHA-256's block function if it passes `check`; false: it stays portable.
    public static func enable(sha256 candidate: SHA256BlockFunction) -> Bool {
        guard check(sha256: candidate) else { return false }
        sha256 = candidate
        return true
    }

    /// Makes `candidate` the SHA-512/384 block function if it passes `check`.
    public static func enable(sha512 candidate: SHA512BlockFunction) -> Bool {
        guard check(sha512: candidate) else { return false }
        sha512 = candidate
        return true
    }

    /// FIPS 180-4 examples ("abc", the two-block message, one million 'a') through `candidate`,
    /// then the same digests from `candidate` and the portable code over the sample lengths.
    public static func check(sha256 candidate: SHA256BlockFunction) -> Bool {
        var ok = knownAnswer256(candidate, abc.rawBytes, sha256ABC)
        ok = ok && knownAnswer256(candidate, message448.rawBytes, sha256Message448)
        ok = ok && millionA(into: SHA256(blockFunction: candidate), sha256MillionA)
        return ok && crossCheck { message, split in
            same(digest(SHA256(blockFunction: candidate), message, split: split),
                 digest(SHA256(blockFunction: nil), message, split: split))
        }
    }

    /// As `check(sha256:)` for SHA-512, plus SHA-384's "abc" (its own initial value).
    public static func check(sha512 candidate: SHA512BlockFunction) -> Bool {
        var ok = knownAnswer512(SHA512(blockFunction: candidate), abc.rawBytes, sha512ABC)
        ok = ok && knownAnswer512(SHA512(blockFunction: candidate), message896.rawBytes, sha512Message896)
        ok = ok && knownAnswer512(SHA512(sha384: true, blockFunction: candidate), abc.rawBytes, sha384ABC)
        ok = ok && millionA(into: SHA512(blockFunction: candidate), sha512MillionA)
        return ok && crossCheck { message, split in
            same(digest(SHA512(blockFunction: candidate), message, split: split),
                 digest(SHA512(blockFunction: nil), message, split: split))
        }
    }

    // MARK: Known answers (FIPS 180-4 examples, NIST CSRC "Examples with Intermediate Values")

    private static let abc: StaticString = "abc"
    private static let message448: StaticString = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    private static let message896: StaticString =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

    private static let sha256ABC: InlineArray<32, UInt8> = [
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    ]
    private static let sha256Message448: InlineArray<32, UInt8> = [
        0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
        0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
    ]
    private static let sha256MillionA: InlineArray<32, UInt8> = [
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
        0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0,
    ]
    private static let sha512ABC: InlineArray<64, UInt8> = [
        0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba, 0xcc, 0x41, 0x73, 0x49, 0xae, 0x20, 0x41, 0x31,
        0x12, 0xe6, 0xfa, 0x4e, 0x89, 0xa9, 0x7e, 0xa2, 0x0a, 0x9e, 0xee, 0xe6, 0x4b, 0x55, 0xd3, 0x9a,
        0x21, 0x92, 0x99, 0x2a, 0x27, 0x4f, 0xc1, 0xa8, 0x36, 0xba, 0x3c, 0x23, 0xa3, 0xfe, 0xeb, 0xbd,
        0x45, 0x4d, 0x44, 0x23, 0x64, 0x3c, 0xe8, 0x0e, 0x2a, 0x9a, 0xc9, 0x4f, 0xa5, 0x4c, 0xa4, 0x9f,
    ]
    private static let sha512Message896: InlineArray<64, UInt8> = [
        0x8e, 0x95, 0x9b, 0x75, 0xda, 0xe3, 0x13, 0xda, 0x8c, 0xf4, 0xf7, 0x28, 0x14, 0xfc, 0x14, 0x3f,
        0x8f, 0x77, 0x79, 0xc6, 0xeb, 0x9f, 0x7f, 0xa1, 0x72, 0x99, 0xae, 0xad, 0xb6, 0x88, 0x90, 0x18,
        0x50, 0x1d, 0x28, 0x9e, 0x49, 0x00, 0xf7, 0xe4, 0x33, 0x1b, 0x99, 0xde, 0xc4, 0xb5, 0x43, 0x3a,
        0xc7, 0xd3, 0x29, 0xee, 0xb6, 0xdd, 0x26, 0x54, 0x5e, 0x96, 0xe5, 0x5b, 0x87, 0x4b, 0xe9, 0x09,
    ]
    private static let sha512MillionA: InlineArray<64, UInt8> = [
        0xe7, 0x18, 0x48, 0x3d, 0x0c, 0xe7, 0x69, 0x64, 0x4e, 0x2e, 0x42, 0xc7, 0xbc, 0x15, 0xb4, 0x63,
        0x8e, 0x1f, 0x98, 0xb1, 0x3b, 0x20, 0x44, 0x28, 0x56, 0x32, 0xa8, 0x03, 0xaf, 0xa9, 0x73, 0xeb,
        0xde, 0x0f, 0xf2, 0x44, 0x87, 0x7e, 0xa6, 0x0a, 0x4c, 0xb0, 0x43, 0x2c, 0xe5, 0x77, 0xc3, 0x1b,
        0xeb, 0x00, 0x9c, 0x5c, 0x2c, 0x49, 0xaa, 0x2e, 0x4e, 0xad, 0xb2, 0x17, 0xad, 0x8c, 0xc0, 0x9b,
    ]
    private static let sha384ABC: InlineArray<48, UInt8> = [
        0xcb, 0x00, 0x75, 0x3f, 0x45, 0xa3, 0x5e, 0x8b, 0xb5, 0xa0, 0x3d, 0x69, 0x9a, 0xc6, 0x50, 0x07,
        0x27, 0x2c, 0x32, 0xab, 0x0e, 0xde, 0xd1, 0x63, 0x1a, 0x8b, 0x60, 0x5a, 0x43, 0xff, 0x5b, 0xed,
        0x80, 0x86, 0x07, 0x2b, 0xa1, 0xe7, 0xcc, 0x23, 0x58, 0xba, 0xec, 0xa1, 0x34, 0xc8, 0x25, 0xa7,
    ]

    // MARK: Running them

    /// Digests are compared through this: up to 64 bytes, zero beyond the digest.
    private typealias Digest = InlineArray<64, UInt8>

    private static func digest<H: HashFunction>(_ hash: H, _ message: UnsafeRawBufferPointer, split: Int) -> Digest {
        var h = hash
        h.update(UnsafeRawBufferPointer(rebasing: message[0..<split]))
        h.update(UnsafeRawBufferPointer(rebasing: message[split...]))
        var out = Digest(repeating: 0)
        withUnsafeMutableBytes(of: &out) { h.finalize(into: $0) }
        return out
    }

    private static func same(_ a: Digest, _ b: Digest) -> Bool {
        var same = true
        for i in 0..<a.count { same = same && a[i] == b[i] }
        return same
    }

    private static func matches<let n: Int>(_ digest: Digest, _ expected: InlineArray<n, UInt8>) -> Bool {
        var same = true
        for i in 0..<n { same = same && digest[i] == expected[i] }
        return same
    }

    private static func knownAnswer256(_ candidate: SHA256BlockFunction, _ message: UnsafeRawBufferPointer,
                                       _ expected: InlineArray<32, UInt8>) -> Bool {
        matches(digest(SHA256(blockFunction: candidate), message, split: message.count / 2), expected)
    }

    private static func knownAnswer512<let n: Int>(_ hash: SHA512, _ message: UnsafeRawBufferPointer,
                                                   _ expected: InlineArray<n, UInt8>) -> Bool {
        matches(digest(hash, message, split: message.count / 2), expected)
    }

    /// One million 'a' in 1000 pieces of 1000 bytes, which straddle block boundaries.
    private static func millionA<H: HashFunction, let n: Int>(into hash: H, _ expected: InlineArray<n, UInt8>) -> Bool {
        var h = hash
        let piece = InlineArray<1000, UInt8>(repeating: 0x61)
        withUnsafeBytes(of: piece) { bytes in
            for _ in 0..<1000 { h.update(bytes) }
        }
        var out = Digest(repeating: 0)
        withUnsafeMutableBytes(of: &out) { h.finalize(into: $0) }
        return matches(out, expected)
    }

    /// Message lengths on each side of the SHA-256 and SHA-512 block and padding boundaries
    /// (55/56 and 111/112 bytes decide whether the length needs a block of its own), and
    /// multi-block messages handed over in one call.
    private static let sampleLengths: InlineArray<24, Int> = [
        0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 191, 192, 239, 240, 255, 256, 511, 700, 1024,
    ]

    /// Calls `agree` with a pseudo-random message of each sample length, at a different byte
    /// offset each time (the block functions read unaligned input) and fed in two pieces split
    /// at a third (so buffered and directly compressed blocks both occur).
    private static func crossCheck(_ agree: (UnsafeRawBufferPointer, Int) -> Bool) -> Bool {
        var sample = InlineArray<1032, UInt8>(repeating: 0)
        var x: UInt32 = 0x2545_f491
        for i in 0..<sample.count {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5          // xorshift32
            sample[i] = UInt8(truncatingIfNeeded: x >> 24)
        }
        return withUnsafeBytes(of: sample) { bytes in
            var ok = true
            for i in 0..<sampleLengths.count {
                let length = sampleLengths[i], offset = i % 8
                ok = ok && agree(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]), length / 3)
            }
            return ok
        }
    }
}
