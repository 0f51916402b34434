// Arithmetic modulo the two 384-bit primes of P-384: the field prime p and the group order n.
// Values are six little-endian 64-bit limbs in Montgomery form (x·R mod m, R = 2^384).
// Every operation runs the same instructions and touches the same memory whatever the
// values: fixed limb counts, fixed loop bounds, and masks instead of branches.

/// Six little-endian 64-bit limbs: a 384-bit unsigned integer.
typealias Limbs384 = InlineArray<6, UInt64>

/// An odd 384-bit modulus and the constants Montgomery arithmetic needs for it.
protocol MontgomeryModulus {
    static var modulus: Limbs384 { get }
    /// -modulus^-1 mod 2^64.
    static var negativeInverse: UInt64 { get }
    /// R^2 mod modulus: multiplying by it enters Montgomery form.
    static var rSquared: Limbs384 { get }
    /// R mod modulus: 1 in Montgomery form.
    static var montgomeryOne: Limbs384 { get }
}

/// p = 2^384 - 2^128 - 2^96 + 2^32 - 1 (FIPS 186-5 / SP 800-186, curve P-384).
enum P384FieldModulus: MontgomeryModulus {
    static let modulus: Limbs384 = [
        0x0000_0000_ffff_ffff, 0xffff_ffff_0000_0000, 0xffff_ffff_ffff_fffe,
        0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff,
    ]
    static let negativeInverse: UInt64 = 0x0000_0001_0000_0001
    static let rSquared: Limbs384 = [
        0xffff_fffe_0000_0001, 0x0000_0002_0000_0000, 0xffff_fffe_0000_0000,
        0x0000_0002_0000_0000, 0x0000_0000_0000_0001, 0x0000_0000_0000_0000,
    ]
    static let montgomeryOne: Limbs384 = [
        0xffff_ffff_0000_0001, 0x0000_0000_ffff_ffff, 0x0000_0000_0000_0001,
        0x0000_0000_0000_0000, 0x0000_0000_0000_0000, 0x0000_0000_0000_0000,
    ]
}

/// n, the order of the P-384 base point.
enum P384ScalarModulus: MontgomeryModulus {
    static let modulus: Limbs384 = [
        0xecec_196a_ccc5_2973, 0x581a_0db2_48b0_a77a, 0xc763_4d81_f437_2ddf,
        0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff,
    ]
    static let negativeInverse: UInt64 = 0x6ed4_6089_e88f_dc45
    static let rSquared: Limbs384 = [
        0x2d31_9b24_19b4_09a9, 0xff3d_81e5_df1a_a419, 0xbc3e_483a_fcb8_2947,
        0xd40d_4917_4aab_1cc5, 0x3fb0_5b7a_2826_6895, 0x0c84_ee01_2b39_bf21,
    ]
    static let montgomeryOne: Limbs384 = [
        0x1313_e695_333a_d68d, 0xa7e5_f24d_b74f_5885, 0x389c_b27e_0bc8_d220,
        0x0000_0000_0000_0000, 0x0000_0000_0000_0000, 0x0000_0000_0000_0000,
    ]
}

/// Plain multi-precision helpers on Limbs384.
enum Limbs {
    static let zero = Limbs384(repeating: 0)

    /// a - b and the final borrow (1 when a < b).
    @inline(__always)
    static func subtract(_ a: Limbs384, _ b: Limbs384) -> (Limbs384, UInt64) {
        var out = zero
        var borrow: UInt64 = 0
        for i in 0..<6 { (out[i], borrow) = subBorrow(a[i], b[i], borrow) }
        return (out, borrow)
    }

    /// a + b and the final carry.
    @inline(__always)
    static func add(_ a: Limbs384, _ b: Limbs384) -> (Limbs384, UInt64) {
        var out = zero
        var carry: UInt64 = 0
        for i in 0..<6 { (out[i], carry) = addCarry(a[i], b[i], carry) }
        return (out, carry)
    }

    /// `a` where `mask` is all ones, `b` where it is zero.
    @inline(__always)
    static func select(_ mask: UInt64, _ a: Limbs384, _ b: Limbs384) -> Limbs384 {
        var out = zero
        for i in 0..<6 { out[i] = (a[i] & mask) | (b[i] & ~mask) }
        return out
    }

    /// All ones when every limb is zero.
    @inline(__always)
    static func zeroMask(_ a: Limbs384) -> UInt64 {
        var any: UInt64 = 0
        for i in 0..<6 { any |= a[i] }
        return maskIfZero(any)
    }

    /// All ones when a < b.
    @inline(__always)
    static func lessThanMask(_ a: Limbs384, _ b: Limbs384) -> UInt64 {
        maskFromBit(subtract(a, b).1)
    }

    /// Reads 48 big-endian bytes.
    static func fromBigEndian(_ bytes: UnsafeRawBufferPointer) -> Limbs384 {
        precondition(bytes.count >= 48)
        var out = zero
        for i in 0..<6 {
            var limb: UInt64 = 0
            for j in 0..<8 { limb = limb << 8 | UInt64(bytes[(5 - i) * 8 + j]) }
            out[i] = limb
        }
        return out
    }

    /// Writes 48 big-endian bytes.
    static func writeBigEndian(_ a: Limbs384, to bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= 48)
        for i in 0..<6 {
            for j in 0..<8 { bytes[(5 - i) * 8 + j] = UInt8(truncatingIfNeeded: a[i] >> (56 - 8 * UInt64(j))) }
        }
    }
}

/// An element of Z/mZ in Montgomery form, always fully reduced into [0, m).
struct MontgomeryResidue<M: MontgomeryModulus> {
    /// x·R mod m.
    var montgomery: Limbs384

    init(montgomery: Limbs384) { self.montgomery = montgomery }

    static var zero: Self { Self(montgomery: Limbs.zero) }
    static var one: Self { Self(montgomery: M.montgomeryOne) }

    /// Enters Montgomery form. `value` must already be below the modulus.
    init(reduced value: Limbs384) {
        montgomery = Self.montgomeryMultiply(value, M.rSquared)
    }

    /// The integer value (leaves Montgomery form).
    var value: Limbs384 {
        var one = Limbs.zero
        one[0] = 1
        return Self.montgomeryMultiply(montgomery, one)
    }

    /// a·b·R^-1 mod m by coarsely integrated operand scanning (CIOS). For a, b < m the
    /// intermediate stays below 2m, so one masked subtraction at the end reduces it.
    @inline(never)
    static func montgomeryMultiply(_ a: Limbs384, _ b: Limbs384) -> Limbs384 {
        let m = M.modulus
        var t = InlineArray<8, UInt64>(repeating: 0)
        for i in 0..<6 {
            var carry: UInt64 = 0
            for j in 0..<6 { (carry, t[j]) = multiplyAdd(a[j], b[i], t[j], carry) }
            var c: UInt64
            (t[6], c) = addCarry(t[6], carry, 0)
            t[7] = c
            let q = t[0] &* M.negativeInverse
            (carry, _) = multiplyAdd(q, m[0], t[0], 0)
            for j in 1..<6 { (carry, t[j - 1]) = multiplyAdd(q, m[j], t[j], carry) }
            (t[5], c) = addCarry(t[6], carry, 0)
            t[6] = t[7] &+ c
        }
        var result = Limbs.zero
        for i in 0..<6 { result[i] = t[i] }
        let (reduced, borrow) = Limbs.subtract(result, m)
        // Keep the unreduced value only when it was below m: no ninth-word bit and a borrow.
        let keep = maskFromBit(borrow & (t[6] ^ 1))
        return Limbs.select(keep, result, reduced)
    }

    static func * (a: Self, b: Self) -> Self {
        Self(montgomery: montgomeryMultiply(a.montgomery, b.montgomery))
    }

    static func + (a: Self, b: Self) -> Self {
        let (sum, carry) = Limbs.add(a.montgomery, b.montgomery)
        let (reduced, borrow) = Limbs.subtract(sum, M.modulus)
        // sum < 2m: keep it unreduced only when it did not carry out and was below m.
        let keep = maskFromBit(borrow & (carry ^ 1))
        return Self(montgomery: Limbs.select(keep, sum, reduced))
    }

    static func - (a: Self, b: Self) -> Self {
        let (difference, borrow) = Limbs.subtract(a.montgomery, b.montgomery)
        let mask = maskFromBit(borrow)
        var correction = Limbs.zero
        for i in 0..<6 { correction[i] = M.modulus[i] & mask }
        return Self(montgomery: Limbs.add(difference, correction).0)
    }

    prefix static func - (a: Self) -> Self { zero - a }

    var squared: Self { self * self }

    var doubled: Self { self + self }

    /// All ones when this is zero.
    var zeroMask: UInt64 { Limbs.zeroMask(montgomery) }

    /// All ones when a == b (Montgomery form is canonical, so comparing limbs suffices).
    static func equalMask(_ a: Self, _ b: Self) -> UInt64 {
        var difference: UInt64 = 0
        for i in 0..<6 { difference |= a.montgomery[i] ^ b.montgomery[i] }
        return maskIfZero(difference)
    }

    static func select(_ mask: UInt64, _ a: Self, _ b: Self) -> Self {
        Self(montgomery: Limbs.select(mask, a.montgomery, b.montgomery))
    }

    /// x^(m-2) = x^-1 by Fermat's little theorem (0 maps to 0). The exponent is public, so the
    /// square-and-multiply sequence is the same for every x.
    var inverted: Self {
        var exponent = M.modulus
        exponent[0] &-= 2  // both moduli end in a limb far above 2: no borrow
        var result = Self.one
        var i = 383
        while i >= 0 {
            result = result.squared
            if (exponent[i / 64] >> UInt64(i % 64)) & 1 == 1 { result = result * self }
            i -= 1
        }
        return result
    }

    /// Reads 48 big-endian bytes; nil when the value is not below the modulus.
    init?(bigEndian bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 48 else { return nil }
        let value = Limbs.fromBigEndian(bytes)
        guard Limbs.lessThanMask(value, M.modulus) != 0 else { return nil }
        self.init(reduced: value)
    }

    /// Writes the value as 48 big-endian bytes.
    func writeBigEndian(to bytes: UnsafeMutableRawBufferPointer) {
        Limbs.writeBigEndian(value, to: bytes)
    }
}

/// An element of the P-384 base field.
typealias FieldElement = MontgomeryResidue<P384FieldModulus>
/// An integer modulo the P-384 group order.
typealias Scalar = MontgomeryResidue<P384ScalarModulus>
