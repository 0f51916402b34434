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

    private typealias FIPS = FIPS180Examples

    /// FIPS 180-4 examples ("abc", the two-block message, one million 'a') through `candidate`,
    /// then the same digests from `candidate` and the portable code over the sample lengths.
    public static func check(sha256 candidate: SHA256BlockFunction) -> Bool {
        var ok = knownAnswer256(candidate, FIPS.abc.rawBytes, FIPS.sha256ABC)
        ok = ok && knownAnswer256(candidate, FIPS.message448.rawBytes, FIPS.sha256Message448)
        ok = ok && millionA(into: SHA256(blockFunction: candidate), FIPS.sha256MillionA)
        return ok && crossCheck { message, split in
            same(digest(SHA256(blockFunction: candidate), message, split: split),
                 digest(SHA256(blockFunction: nil), message, split: split))
        }
    }

    /// As `check(sha256:)` for SHA-512, plus SHA-384's "abc" (its own initial value).
    public static func check(sha512 candidate: SHA512BlockFunction) -> Bool {
        var ok = knownAnswer512(SHA512(blockFunction: candidate), FIPS.abc.rawBytes, FIPS.sha512ABC)
        ok = ok && knownAnswer512(SHA512(blockFunction: candidate), FIPS.message896.rawBytes, FIPS.sha512Message896)
        ok = ok && knownAnswer512(SHA512(sha384: true, blockFunction: candidate), FIPS.abc.rawBytes, FIPS.sha384ABC)
        ok = ok && millionA(into: SHA512(blockFunction: candidate), FIPS.sha512MillionA)
        return ok && crossCheck { message, split in
            same(digest(SHA512(blockFunction: candidate), message, split: split),
                 digest(SHA512(blockFunction: nil), message, split: split))
        }
    }

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
