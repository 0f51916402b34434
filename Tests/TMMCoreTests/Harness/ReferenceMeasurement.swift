// The RIM formulas of DEN0137 A7.1 written out independently of the core: the test builds the
// byte images and descriptors itself and hashes them with the SHA-2 code that the NIST vectors
// check.

@testable import TMMCore

enum Reference {
    static func hash(_ bytes: [UInt8], algorithm: UInt8) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        if algorithm == 0 {
            var h = SHA256()
            bytes.withUnsafeBytes { h.update($0) }
            out.withUnsafeMutableBytes { h.finalize(into: $0) }
        } else {
            var h = SHA512()
            bytes.withUnsafeBytes { h.update($0) }
            out.withUnsafeMutableBytes { h.finalize(into: $0) }
        }
        return out
    }

    static func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    static func put(_ v: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        bytes.replaceSubrange(offset..<offset + 8, with: le(v))
    }

    /// RIM after REALM_CREATE: hash of a 4 KiB RmiRealmParams image holding only flags, s2sz,
    /// sve_vl, num_bps, num_wps, pmu_num_ctrs and hash_algo.
    static func initialRIM(_ p: RealmParams) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 4096)
        put(p.flags, at: 0x0, in: &image)
        put(p.s2sz, at: 0x8, in: &image)
        put(p.sveVL, at: 0x10, in: &image)
        put(p.numBPs, at: 0x18, in: &image)
        put(p.numWPs, at: 0x20, in: &image)
        put(p.pmuNumCounters, at: 0x28, in: &image)
        image[0x30] = p.hashAlgorithm
        return hash(image, algorithm: p.hashAlgorithm)
    }

    private static func descriptor(type: UInt8, rim: [UInt8]) -> [UInt8] {
        var d = [UInt8](repeating: 0, count: 0x100)
        d[0] = type
        put(0x100, at: 0x8, in: &d)
        d.replaceSubrange(0x10..<0x50, with: rim)
        return d
    }

    static func extendData(_ rim: [UInt8], ipa: UInt64, flags: UInt64, content: [UInt8], algorithm: UInt8) -> [UInt8] {
        var d = descriptor(type: 0, rim: rim)
        put(ipa, at: 0x50, in: &d)
        put(flags, at: 0x58, in: &d)
        if flags == 1 { d.replaceSubrange(0x60..<0xA0, with: hash(content, algorithm: algorithm)) }
        return hash(d, algorithm: algorithm)
    }

    static func extendREC(_ rim: [UInt8], _ p: RECParams, algorithm: UInt8) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 4096)
        put(p.flags, at: 0x0, in: &image)
        put(p.pc, at: 0x200, in: &image)
        for (i, g) in p.gprs.enumerated() { put(g, at: 0x300 + 8 * i, in: &image) }
        var d = descriptor(type: 1, rim: rim)
        d.replaceSubrange(0x50..<0x90, with: hash(image, algorithm: algorithm))
        return hash(d, algorithm: algorithm)
    }

    static func extendRIPAS(_ rim: [UInt8], base: UInt64, top: UInt64, algorithm: UInt8) -> [UInt8] {
        var d = descriptor(type: 2, rim: rim)
        put(base, at: 0x50, in: &d)
        put(top, at: 0x58, in: &d)
        return hash(d, algorithm: algorithm)
    }
}
