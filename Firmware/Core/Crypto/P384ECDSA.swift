// ECDSA over P-384 with SHA-384 (COSE "ES384", FIPS 186-5): key derivation from a device
// secret, public-key export, deterministic signing (RFC 6979 nonces from an HMAC-SHA-384
// DRBG) and verification. Signing is constant time with respect to the private key and the
// nonce; verification handles only public data.

public enum P384 {
    /// Bytes in a scalar, a coordinate, and each half of a signature.
    public static let byteCount = 48

    /// Reduces a 384-bit integer modulo n. Any value below 2^384 is below 2n, so at most one
    /// subtraction is needed; it is applied with a mask.
    static func reduceOnce(_ value: Limbs384) -> Limbs384 {
        let (reduced, borrow) = Limbs.subtract(value, P384ScalarModulus.modulus)
        return Limbs.select(maskFromBit(borrow), value, reduced)
    }

    /// The integer e of FIPS 186-5 6.4.1 for a SHA-384 digest: the digest's 384 bits taken
    /// as an integer (the digest is exactly as long as n), reduced modulo n.
    static func digestScalar(_ digest: UnsafeRawBufferPointer) -> Limbs384 {
        reduceOnce(Limbs.fromBigEndian(digest))
    }

    // MARK: Keys

    /// A point on P-384 other than the identity.
    public struct PublicKey {
        let x: FieldElement
        let y: FieldElement

        init(point: P384Point) {
            (x, y) = point.affine()
        }

        /// The key with affine coordinates `x` and `y` (48 big-endian bytes each); nil when
        /// either is not below p or the point is not on the curve.
        public init?(x xBytes: UnsafeRawBufferPointer, y yBytes: UnsafeRawBufferPointer) {
            guard let x = FieldElement(bigEndian: xBytes), let y = FieldElement(bigEndian: yBytes),
                P384Point.isOnCurve(x: x, y: y)
            else { return nil }
            self.x = x
            self.y = y
        }

        /// The key from an uncompressed SEC 1 point (0x04 || x || y, 97 bytes).
        public init?(uncompressed bytes: UnsafeRawBufferPointer) {
            guard bytes.count == 97, bytes[0] == 0x04 else { return nil }
            self.init(
                x: UnsafeRawBufferPointer(rebasing: bytes[1..<49]), y: UnsafeRawBufferPointer(rebasing: bytes[49..<97]))
        }

        /// Writes the 48-byte big-endian x coordinate.
        public func writeX(to bytes: UnsafeMutableRawBufferPointer) { x.writeBigEndian(to: bytes) }

        /// Writes the 48-byte big-endian y coordinate.
        public func writeY(to bytes: UnsafeMutableRawBufferPointer) { y.writeBigEndian(to: bytes) }

        /// Writes the uncompressed SEC 1 point, 97 bytes: 0x04 || x || y.
        public func writeUncompressed(to bytes: UnsafeMutableRawBufferPointer) {
            precondition(bytes.count >= 97)
            bytes[0] = 0x04
            writeX(to: UnsafeMutableRawBufferPointer(rebasing: bytes[1..<49]))
            writeY(to: UnsafeMutableRawBufferPointer(rebasing: bytes[49..<97]))
        }

        var point: P384Point { P384Point(affineX: x, affineY: y) }

        /// Verifies `signature` over a SHA-384 `digest` (FIPS 186-5 6.4.2).
        public func isValidSignature(_ signature: Signature, digest: UnsafeRawBufferPointer) -> Bool {
            guard digest.count == 48 else { return false }
            let r = signature.r
            let s = signature.s
            let n = P384ScalarModulus.modulus
            guard Limbs.zeroMask(r) == 0, Limbs.zeroMask(s) == 0,
                Limbs.lessThanMask(r, n) != 0, Limbs.lessThanMask(s, n) != 0
            else { return false }
            let e = Scalar(reduced: digestScalar(digest))
            let w = Scalar(reduced: s).inverted
            let u1 = (e * w).value
            let u2 = (Scalar(reduced: r) * w).value
            let sum = P384Point.generator.multiplied(by: u1).adding(point.multiplied(by: u2))
            guard sum.identityMask == 0 else { return false }
            let xCoordinate = reduceOnce(sum.affine().x.value)
            return Limbs.zeroMask(Limbs.subtract(xCoordinate, r).0) != 0
        }

        /// Verifies `signature` over `message`, hashing it with SHA-384.
        public func isValidSignature(_ signature: Signature, for message: UnsafeRawBufferPointer) -> Bool {
            var digest = InlineArray<48, UInt8>(repeating: 0)
            withUnsafeMutableBytes(of: &digest) { SHA384.hash(message, into: $0) }
            return withUnsafeBytes(of: digest) { isValidSignature(signature, digest: $0) }
        }
    }

    /// A private scalar d in [1, n - 1] and its public key d·G.
    public struct PrivateKey {
        /// d as a plain integer (not in Montgomery form).
        let scalar: Limbs384
        public let publicKey: PublicKey

        init(scalar: Limbs384) {
            self.scalar = scalar
            publicKey = PublicKey(point: P384Point.generator.multiplied(by: scalar))
        }

        /// The key with scalar `bytes` (48 big-endian bytes); nil unless 1 <= d < n.
        public init?(rawScalar bytes: UnsafeRawBufferPointer) {
            guard bytes.count == 48 else { return nil }
            let d = Limbs.fromBigEndian(bytes)
            guard Limbs.zeroMask(d) == 0, Limbs.lessThanMask(d, P384ScalarModulus.modulus) != 0 else { return nil }
            self.init(scalar: d)
        }

        /// Salt of the key derivation: fixes the purpose of the HKDF output.
        static let derivationSalt: StaticString = "TMM P-384 ECDSA private key v1"

        /// Derives a key from a device secret: HKDF-SHA-384(salt: "TMM P-384 ECDSA private key
        /// v1", IKM: secret, info: context) gives 72 bytes, 192 more than the scalar, whose
        /// value modulo n is d; the bias is below 2^-190. The all-but-impossible d = 0 becomes
        /// 1 (by a mask), so d is never 0. The same secret and context always give the same key.
        public init(derivingFrom secret: UnsafeRawBufferPointer, context: UnsafeRawBufferPointer) {
            self.init(scalar: Self.derivedScalar(from: secret, context: context))
        }

        /// The d of `init(derivingFrom:context:)` alone, without the scalar multiplication that
        /// gives its public key: for a holder that only hands the scalar on (the RAK at EL3).
        static func derivedScalar(from secret: UnsafeRawBufferPointer, context: UnsafeRawBufferPointer) -> Limbs384 {
            var okm = InlineArray<72, UInt8>(repeating: 0)
            _ = withUnsafeMutableBytes(of: &okm) {
                HKDF<SHA384>.deriveKey(salt: derivationSalt.rawBytes, inputKeyMaterial: secret, info: context, into: $0)
            }
            var d = withUnsafeBytes(of: okm) { P384.reduceWide($0) }
            var one = Limbs.zero
            one[0] = 1
            d = Limbs.select(Limbs.zeroMask(d), one, d)
            for i in 0..<72 { okm[i] = 0 }
            return d
        }

        /// Writes d as 48 big-endian bytes, the form `init?(rawScalar:)` reads. Only for handing
        /// the RAK from EL3 to the TMM, which TF-A's RMMD does with the raw private key
        /// (ATTEST_GET_REALM_KEY); the caller wipes the bytes once the key is loaded.
        public func writeRawScalar(to bytes: UnsafeMutableRawBufferPointer) {
            precondition(bytes.count >= P384.byteCount)
            Limbs.writeBigEndian(scalar, to: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<P384.byteCount]))
        }

        /// Signs a SHA-384 `digest` (48 bytes). The nonce is RFC 6979's: deterministic, so the
        /// same key and digest always give the same signature, and no random source is needed.
        public func signature(digest: UnsafeRawBufferPointer) -> Signature {
            precondition(digest.count == 48)
            let n = P384ScalarModulus.modulus
            let e = digestScalar(digest)
            var nonces = RFC6979Nonces(privateKey: scalar, reducedDigest: e)
            while true {
                // Each rejection below happens with probability below 2^-189; the branch only
                // reveals that a candidate was rejected, never anything about the accepted one.
                let k = nonces.next()
                guard Limbs.zeroMask(k) == 0, Limbs.lessThanMask(k, n) != 0 else { continue }
                let point = P384Point.generator.multiplied(by: k)
                let r = reduceOnce(point.affine().x.value)
                guard Limbs.zeroMask(r) == 0 else { continue }
                let kInverse = Scalar(reduced: k).inverted
                let s = (kInverse * (Scalar(reduced: e) + Scalar(reduced: r) * Scalar(reduced: scalar))).value
                guard Limbs.zeroMask(s) == 0 else { continue }
                return Signature(r: r, s: s)
            }
        }

        /// Signs `message`, hashing it with SHA-384 (ES384).
        public func signature(for message: UnsafeRawBufferPointer) -> Signature {
            var digest = InlineArray<48, UInt8>(repeating: 0)
            withUnsafeMutableBytes(of: &digest) { SHA384.hash(message, into: $0) }
            return withUnsafeBytes(of: digest) { signature(digest: $0) }
        }
    }

    /// (r, s), each below n. COSE (RFC 9053 section 2.1) carries it as r || s, 48 bytes each.
    public struct Signature {
        let r: Limbs384
        let s: Limbs384

        init(r: Limbs384, s: Limbs384) {
            self.r = r
            self.s = s
        }

        /// Reads r || s (96 bytes). Range checks happen at verification.
        public init?(rawRepresentation bytes: UnsafeRawBufferPointer) {
            guard bytes.count == 96 else { return nil }
            r = Limbs.fromBigEndian(UnsafeRawBufferPointer(rebasing: bytes[0..<48]))
            s = Limbs.fromBigEndian(UnsafeRawBufferPointer(rebasing: bytes[48..<96]))
        }

        /// Writes r || s, 96 bytes.
        public func writeRawRepresentation(to bytes: UnsafeMutableRawBufferPointer) {
            precondition(bytes.count >= 96)
            Limbs.writeBigEndian(r, to: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<48]))
            Limbs.writeBigEndian(s, to: UnsafeMutableRawBufferPointer(rebasing: bytes[48..<96]))
        }
    }

    /// A big-endian integer of 49 to 96 bytes modulo n: value = high·2^384 + low with
    /// high < 2^384, so high·2^384 mod n is one Montgomery multiplication of high by R^2
    /// (which yields high·R) and low needs one masked subtraction.
    static func reduceWide(_ bytes: UnsafeRawBufferPointer) -> Limbs384 {
        precondition(bytes.count > 48 && bytes.count <= 96)
        var padded = InlineArray<48, UInt8>(repeating: 0)
        let highCount = bytes.count - 48
        for i in 0..<highCount { padded[48 - highCount + i] = bytes[i] }
        let high = withUnsafeBytes(of: padded) { Limbs.fromBigEndian($0) }
        let low = Limbs.fromBigEndian(UnsafeRawBufferPointer(rebasing: bytes[highCount..<bytes.count]))
        let highPart = Scalar.montgomeryMultiply(reduceOnce(high), P384ScalarModulus.rSquared)
        // Adding two values below n modulo n does not depend on the representation.
        let sum = Scalar(montgomery: highPart) + Scalar(montgomery: reduceOnce(low))
        return sum.montgomery
    }
}

/// RFC 6979 section 3.2 with HMAC-SHA-384, for qlen = hlen = 384: each candidate nonce is one
/// HMAC block, taken whole as an integer (bits2int is the identity at this length).
struct RFC6979Nonces {
    private var k = InlineArray<48, UInt8>(repeating: 0)
    private var v = InlineArray<48, UInt8>(repeating: 1)
    private var started = false

    /// Steps b-g: x = int2octets(private key), h1 = bits2octets(digest) = int2octets(e mod n).
    init(privateKey: Limbs384, reducedDigest: Limbs384) {
        var seed = InlineArray<97, UInt8>(repeating: 0)  // separator || x || h1
        withUnsafeMutableBytes(of: &seed) { bytes in
            Limbs.writeBigEndian(privateKey, to: UnsafeMutableRawBufferPointer(rebasing: bytes[1..<49]))
            Limbs.writeBigEndian(reducedDigest, to: UnsafeMutableRawBufferPointer(rebasing: bytes[49..<97]))
        }
        for separator: UInt8 in 0...1 {
            seed[0] = separator
            rekey(with: seed, count: 97)
        }
        for i in 0..<97 { seed[i] = 0 }
    }

    /// K = HMAC_K(V || extra), then V = HMAC_K(V).
    private mutating func rekey(with extra: InlineArray<97, UInt8>, count: Int) {
        var mac = withUnsafeBytes(of: k) { HMAC<SHA384>(key: $0) }
        withUnsafeBytes(of: v) { mac.update($0) }
        withUnsafeBytes(of: extra) { mac.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        withUnsafeMutableBytes(of: &k) { mac.finalize(into: $0) }
        updateV()
    }

    private mutating func updateV() {
        var mac = withUnsafeBytes(of: k) { HMAC<SHA384>(key: $0) }
        withUnsafeBytes(of: v) { mac.update($0) }
        withUnsafeMutableBytes(of: &v) { mac.finalize(into: $0) }
    }

    /// Step h: the next candidate. After a rejected candidate, K = HMAC_K(V || 0x00) and
    /// V = HMAC_K(V) first.
    mutating func next() -> Limbs384 {
        if started { rekey(with: InlineArray<97, UInt8>(repeating: 0), count: 1) }
        started = true
        updateV()
        return withUnsafeBytes(of: v) { Limbs.fromBigEndian($0) }
    }
}
