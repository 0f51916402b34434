// Points of P-384 (y^2 = x^3 - 3x + b over GF(p)) in homogeneous projective coordinates
// (X:Y:Z), x = X/Z, y = Y/Z; the identity is (0:1:0). Addition and doubling use the complete
// formulas for a = -3 of Renes, Costello and Batina, "Complete addition formulas for prime
// order elliptic curves" (EUROCRYPT 2016), algorithms 4 and 6: one formula for every input,
// the identity and P + P included, so no branch ever depends on a point.

struct P384Point {
    var x: FieldElement
    var y: FieldElement
    var z: FieldElement

    /// The curve constant b, in Montgomery form. (Constants are kept as plain limb literals,
    /// which compile to read-only data in both builds, and wrapped on use.)
    private static let bLimbs: Limbs384 = [
        0x0811_8871_9d41_2dcc, 0xf729_add8_7a4c_32ec, 0x77f2_209b_1920_022e,
        0xe337_4bee_9493_8ae2, 0xb62b_21f4_1f02_2094, 0xcd08_114b_604f_bff9,
    ]
    static var b: FieldElement { FieldElement(montgomery: bLimbs) }

    /// The base point G, in Montgomery form.
    private static let generatorX: Limbs384 = [
        0x3dd0_7566_49c0_b528, 0x20e3_78e2_a0d6_ce38, 0x879c_3afc_541b_4d6e,
        0x6454_8684_59a3_0eff, 0x812f_f723_614e_de2b, 0x4d3a_adc2_299e_1513,
    ]
    private static let generatorY: Limbs384 = [
        0x2304_3dad_4b03_a4fe, 0xa1bf_a8bf_7bb4_a9ac, 0x8bad_e756_2e83_b050,
        0xc6c3_5219_68f4_ffd9, 0xdd80_0226_3969_a840, 0x2b78_abc2_5a15_c5e9,
    ]
    static var generator: P384Point {
        P384Point(x: FieldElement(montgomery: generatorX), y: FieldElement(montgomery: generatorY), z: .one)
    }

    static var identity: P384Point { P384Point(x: .zero, y: .one, z: .zero) }

    init(x: FieldElement, y: FieldElement, z: FieldElement) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The point with affine coordinates (x, y); the caller has checked it is on the curve.
    init(affineX: FieldElement, affineY: FieldElement) {
        self.init(x: affineX, y: affineY, z: .one)
    }

    /// Whether affine (x, y) satisfies the curve equation.
    static func isOnCurve(x: FieldElement, y: FieldElement) -> Bool {
        let rhs = x.squared * x - x.doubled - x + b
        return FieldElement.equalMask(y.squared, rhs) != 0
    }

    /// All ones when this is the identity (Z = 0).
    var identityMask: UInt64 { z.zeroMask }

    /// Affine coordinates; both zero for the identity (1/0 is taken as 0).
    func affine() -> (x: FieldElement, y: FieldElement) {
        let zInverse = z.inverted
        return (x * zInverse, y * zInverse)
    }

    static func select(_ mask: UInt64, _ a: P384Point, _ b: P384Point) -> P384Point {
        P384Point(
            x: FieldElement.select(mask, a.x, b.x),
            y: FieldElement.select(mask, a.y, b.y),
            z: FieldElement.select(mask, a.z, b.z))
    }

    /// self + q, RCB 2016 algorithm 4 (12M + 2 multiplications by b).
    func adding(_ q: P384Point) -> P384Point {
        let b = P384Point.b
        var t0 = x * q.x
        var t1 = y * q.y
        var t2 = z * q.z
        var t3 = x + y
        var t4 = q.x + q.y
        t3 = t3 * t4
        t4 = t0 + t1
        t3 = t3 - t4
        t4 = y + z
        var x3 = q.y + q.z
        t4 = t4 * x3
        x3 = t1 + t2
        t4 = t4 - x3
        x3 = x + z
        var y3 = q.x + q.z
        x3 = x3 * y3
        y3 = t0 + t2
        y3 = x3 - y3
        var z3 = b * t2
        x3 = y3 - z3
        z3 = x3 + x3
        x3 = x3 + z3
        z3 = t1 - x3
        x3 = t1 + x3
        y3 = b * y3
        t1 = t2 + t2
        t2 = t1 + t2
        y3 = y3 - t2
        y3 = y3 - t0
        t1 = y3 + y3
        y3 = t1 + y3
        t1 = t0 + t0
        t0 = t1 + t0
        t0 = t0 - t2
        t1 = t4 * y3
        t2 = t0 * y3
        y3 = x3 * z3
        y3 = y3 + t2
        x3 = x3 * t3
        x3 = x3 - t1
        z3 = z3 * t4
        t1 = t3 * t0
        z3 = z3 + t1
        return P384Point(x: x3, y: y3, z: z3)
    }

    /// 2·self, RCB 2016 algorithm 6 (8M + 3S + 2 multiplications by b).
    func doubled() -> P384Point {
        let b = P384Point.b
        var t0 = x.squared
        let t1 = y.squared
        var t2 = z.squared
        var t3 = x * y
        t3 = t3 + t3
        var z3 = x * z
        z3 = z3 + z3
        var y3 = b * t2
        y3 = y3 - z3
        var x3 = y3 + y3
        y3 = x3 + y3
        x3 = t1 - y3
        y3 = t1 + y3
        y3 = x3 * y3
        x3 = x3 * t3
        t3 = t2 + t2
        t2 = t2 + t3
        z3 = b * z3
        z3 = z3 - t2
        z3 = z3 - t0
        t3 = z3 + z3
        z3 = z3 + t3
        t3 = t0 + t0
        t0 = t3 + t0
        t0 = t0 - t2
        t0 = t0 * z3
        y3 = y3 + t0
        t0 = y * z
        t0 = t0 + t0
        z3 = t0 * z3
        x3 = x3 - z3
        z3 = t0 * t1
        z3 = z3 + z3
        z3 = z3 + z3
        return P384Point(x: x3, y: y3, z: z3)
    }

    /// k·self for a 384-bit integer k (any value, taken as is), in constant time: a fixed
    /// 4-bit window, MSB first, 96 windows of four doublings and one addition each. Each
    /// window's multiple is read from a 16-entry table by scanning every entry with masks, so
    /// neither the sequence of operations nor the memory touched depends on k.
    func multiplied(by k: Limbs384) -> P384Point {
        var table = InlineArray<16, P384Point>(repeating: .identity)
        table[1] = self
        for i in 2..<16 { table[i] = table[i - 1].adding(self) }

        var result = P384Point.identity
        var window = 95
        while window >= 0 {
            result = result.doubled().doubled().doubled().doubled()
            // The window's position is public; only its value is secret.
            let digit = (k[window / 16] >> UInt64(4 * (window % 16))) & 0xF
            var chosen = P384Point.identity
            for i in 0..<16 { chosen = P384Point.select(maskIfEqual(UInt64(i), digit), table[i], chosen) }
            result = result.adding(chosen)
            window -= 1
        }
        return result
    }
}
