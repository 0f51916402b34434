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

    /// a·b·R^-1 mod m by coarsely integrated operand scanning (CIOS), one `CIOSState.round`
    /// per word of b: for a, b < m the intermediate stays below 2m, so one masked subtraction at
    /// the end reduces it. The rounds work on named locals, inlined, so every limb stays in a
    /// register; indexing the arrays in a loop made the embedded build copy both operands on
    /// every step.
    @inline(never)
    static func montgomeryMultiply(_ a: Limbs384, _ b: Limbs384) -> Limbs384 {
        var state = CIOSState(a: a, m: M.modulus, inverse: M.negativeInverse)
        state.round(b[0])
        state.round(b[1])
        state.round(b[2])
        state.round(b[3])
        state.round(b[4])
        state.round(b[5])
        let result: Limbs384 = [state.t0, state.t1, state.t2, state.t3, state.t4, state.t5]
        let (reduced, borrow) = Limbs.subtract(result, M.modulus)
        // Keep the unreduced value only when it was below m: no ninth-word bit and a borrow.
        let keep = maskFromBit(borrow & (state.t6 ^ 1))
        return Limbs.select(keep, result, reduced)
    }

    static func * (a: Self, b: Self) -> Self {
        Self(montgomery: montgomeryMultiply(a.montgomery, b.montgomery))
    }

    // Addition and subtraction are unrolled over locals for the same reason as the multiply.
    static func + (a: Self, b: Self) -> Self {
        let x = a.montgomery, y = b.montgomery, m = M.modulus
        var carry: UInt64 = 0, borrow: UInt64 = 0
        let s0: UInt64
        (s0, carry) = addCarry(x[0], y[0], carry)
        let s1: UInt64
        (s1, carry) = addCarry(x[1], y[1], carry)
        let s2: UInt64
        (s2, carry) = addCarry(x[2], y[2], carry)
        let s3: UInt64
        (s3, carry) = addCarry(x[3], y[3], carry)
        let s4: UInt64
        (s4, carry) = addCarry(x[4], y[4], carry)
        let s5: UInt64
        (s5, carry) = addCarry(x[5], y[5], carry)
        let d0: UInt64
        (d0, borrow) = subBorrow(s0, m[0], borrow)
        let d1: UInt64
        (d1, borrow) = subBorrow(s1, m[1], borrow)
        let d2: UInt64
        (d2, borrow) = subBorrow(s2, m[2], borrow)
        let d3: UInt64
        (d3, borrow) = subBorrow(s3, m[3], borrow)
        let d4: UInt64
        (d4, borrow) = subBorrow(s4, m[4], borrow)
        let d5: UInt64
        (d5, borrow) = subBorrow(s5, m[5], borrow)
        // sum < 2m: keep it unreduced only when it did not carry out and was below m.
        let keep = maskFromBit(borrow & (carry ^ 1))
        return Self(montgomery: [
            (s0 & keep) | (d0 & ~keep), (s1 & keep) | (d1 & ~keep), (s2 & keep) | (d2 & ~keep),
            (s3 & keep) | (d3 & ~keep), (s4 & keep) | (d4 & ~keep), (s5 & keep) | (d5 & ~keep),
        ])
    }

    static func - (a: Self, b: Self) -> Self {
        let x = a.montgomery, y = b.montgomery, m = M.modulus
        var carry: UInt64 = 0, borrow: UInt64 = 0
        let d0: UInt64
        (d0, borrow) = subBorrow(x[0], y[0], borrow)
        let d1: UInt64
        (d1, borrow) = subBorrow(x[1], y[1], borrow)
        let d2: UInt64
        (d2, borrow) = subBorrow(x[2], y[2], borrow)
        let d3: UInt64
        (d3, borrow) = subBorrow(x[3], y[3], borrow)
        let d4: UInt64
        (d4, borrow) = subBorrow(x[4], y[4], borrow)
        let d5: UInt64
        (d5, borrow) = subBorrow(x[5], y[5], borrow)
        // On a borrow, add m back.
        let mask = maskFromBit(borrow)
        let r0: UInt64
        (r0, carry) = addCarry(d0, m[0] & mask, carry)
        let r1: UInt64
        (r1, carry) = addCarry(d1, m[1] & mask, carry)
        let r2: UInt64
        (r2, carry) = addCarry(d2, m[2] & mask, carry)
        let r3: UInt64
        (r3, carry) = addCarry(d3, m[3] & mask, carry)
        let r4: UInt64
        (r4, carry) = addCarry(d4, m[4] & mask, carry)
        let r5: UInt64
        (r5, carry) = addCarry(d5, m[5] & mask, carry)
        _ = carry
        return Self(montgomery: [r0, r1, r2, r3, r4, r5])
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

/// The running state of a 6-word CIOS Montgomery multiplication: the operand a, the modulus and
/// its negative inverse, and the accumulator t0...t6 (t7 only inside a round).
private struct CIOSState {
    let a0: UInt64, a1: UInt64, a2: UInt64, a3: UInt64, a4: UInt64, a5: UInt64
    let m0: UInt64, m1: UInt64, m2: UInt64, m3: UInt64, m4: UInt64, m5: UInt64
    let inverse: UInt64
    var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
    var t4: UInt64 = 0, t5: UInt64 = 0, t6: UInt64 = 0

    @inline(__always)
    init(a: Limbs384, m: Limbs384, inverse: UInt64) {
        a0 = a[0]; a1 = a[1]; a2 = a[2]; a3 = a[3]; a4 = a[4]; a5 = a[5]
        m0 = m[0]; m1 = m[1]; m2 = m[2]; m3 = m[3]; m4 = m[4]; m5 = m[5]
        self.inverse = inverse
    }

    /// t = (t + a·bi + q·m) / 2^64 with q chosen so that the division is exact.
    @inline(__always)
    mutating func round(_ bi: UInt64) {
        var carry: UInt64, bit: UInt64
        (carry, t0) = multiplyAdd(a0, bi, t0, 0)
        (carry, t1) = multiplyAdd(a1, bi, t1, carry)
        (carry, t2) = multiplyAdd(a2, bi, t2, carry)
        (carry, t3) = multiplyAdd(a3, bi, t3, carry)
        (carry, t4) = multiplyAdd(a4, bi, t4, carry)
        (carry, t5) = multiplyAdd(a5, bi, t5, carry)
        (t6, bit) = addCarry(t6, carry, 0)
        let t7 = bit
        let q = t0 &* inverse
        (carry, _) = multiplyAdd(q, m0, t0, 0)
        (carry, t0) = multiplyAdd(q, m1, t1, carry)
        (carry, t1) = multiplyAdd(q, m2, t2, carry)
        (carry, t2) = multiplyAdd(q, m3, t3, carry)
        (carry, t3) = multiplyAdd(q, m4, t4, carry)
        (carry, t4) = multiplyAdd(q, m5, t5, carry)
        (t5, bit) = addCarry(t6, carry, 0)
        t6 = t7 &+ bit
    }
}
