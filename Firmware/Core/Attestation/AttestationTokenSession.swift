// Delivery of a CCA token to a realm through RSI_ATTESTATION_TOKEN_INIT and
// RSI_ATTESTATION_TOKEN_CONTINUE (RMM 1.0-rel0 B5.3.2/B5.3.3; rules as TF-RMM rel0
// runtime/rsi/realm_attest.c applies them). One session per REC.
//
// INIT builds and signs the whole token at once, into storage the caller owns (the REC's
// attestation buffer), so every CONTINUE is only a bounds check and a copy. The session
// itself holds three words; it never holds a pointer, so it can live in the REC.
//
// How the RSI layer drives it:
//   INIT (x1..x8 = challenge):
//       read the RD's measurements, RPV and algorithm under the RD lock, then call
//       `start(...)`; return x0 = result.status, x1 = result.value (the token's length,
//       which bounds what CONTINUE will deliver). Any earlier token is abandoned.
//   CONTINUE (x1 = buffer IPA, x2 = offset, x3 = size):
//       1. IPA not granule aligned, or `!isChunkValid(offset:size:)`  -> RSI_ERROR_INPUT
//       2. IPA outside the protected address range                    -> RSI_ERROR_INPUT
//       3. `!isActive` (no INIT, or the last token was fully read)    -> RSI_ERROR_STATE
//       4. walk stage 2: unmapped -> exit to the host to fix it; RIPAS EMPTY -> RSI_ERROR_INPUT
//       5. map the granule and call `deliver(...)`; return x0 = status, x1 = value.
//   `deliver` checks 1 and 3 again and refuses with the same codes, so it is safe alone.

/// RSI command return codes (RsiCommandReturnCode, RMM 1.0-rel0).
public enum RSIStatus: UInt64, Sendable {
    case success = 0
    case errorInput = 1
    case errorState = 2
    case incomplete = 3
    /// New in rel0; TF-RMM returns it when building the token fails.
    case errorUnknown = 4
}

/// x0 and x1 of an attestation RSI call.
public struct AttestationResult: Equatable, Sendable {
    public var status: RSIStatus
    /// INIT: upper bound of the token size. CONTINUE: bytes written.
    public var value: UInt64

    public init(_ status: RSIStatus, _ value: UInt64 = 0) {
        self.status = status
        self.value = value
    }
}

public struct AttestationTokenSession {
    /// The realm's buffer is one granule.
    public static let granuleSize: UInt64 = 4096
    /// Storage `start` needs: the largest token it can build.
    public static let storageSize = CCAToken.maxSize

    private var tokenLength = 0
    private var delivered = 0
    public private(set) var isActive = false

    public init() {}

    /// Bytes of the current token not yet delivered.
    public var remaining: Int { isActive ? tokenLength - delivered : 0 }

    /// RSI_ATTESTATION_TOKEN_INIT: abandons any token under way, then builds and signs a new
    /// one for `challenge` (64 bytes) into `storage`. On success the result's value is the
    /// token's exact length, which is the upper bound the realm needs for its buffer.
    public mutating func start(
        challenge: UnsafeRawBufferPointer, personalizationValue: UnsafeRawBufferPointer,
        hashAlgorithm: RealmHashAlgorithm, measurements: UnsafeRawBufferPointer,
        key: RealmAttestationKey, platformToken: UnsafeRawBufferPointer,
        storage: UnsafeMutableRawBufferPointer
    ) -> AttestationResult {
        begin(challenge: challenge, personalizationValue: personalizationValue, hashAlgorithm: hashAlgorithm,
              measurements: measurements, key: key) { claims throws(AttestationError) -> Int in
            try CCAToken.build(platformToken: platformToken, realmClaims: claims, key: key, into: storage)
        }
    }

    /// `start` into storage made of separate granules (a REC's auxiliary granules).
    public mutating func start(
        challenge: UnsafeRawBufferPointer, personalizationValue: UnsafeRawBufferPointer,
        hashAlgorithm: RealmHashAlgorithm, measurements: UnsafeRawBufferPointer,
        key: RealmAttestationKey, platformToken: UnsafeRawBufferPointer,
        storage: SegmentedTokenStorage
    ) -> AttestationResult {
        begin(challenge: challenge, personalizationValue: personalizationValue, hashAlgorithm: hashAlgorithm,
              measurements: measurements, key: key) { claims throws(AttestationError) -> Int in
            try CCAToken.build(platformToken: platformToken, realmClaims: claims, key: key, into: storage)
        }
    }

    private mutating func begin(
        challenge: UnsafeRawBufferPointer, personalizationValue: UnsafeRawBufferPointer,
        hashAlgorithm: RealmHashAlgorithm, measurements: UnsafeRawBufferPointer, key: RealmAttestationKey,
        build: (RealmTokenClaims) throws(AttestationError) -> Int
    ) -> AttestationResult {
        isActive = false
        tokenLength = 0
        delivered = 0
        let length: Int? = key.withEncodedPublicKey { publicKey -> Int? in
            let claims = RealmTokenClaims(
                challenge: challenge, personalizationValue: personalizationValue, hashAlgorithm: hashAlgorithm,
                measurements: measurements, publicKey: publicKey,
                publicKeyHashAlgorithm: CCAToken.bindingHashAlgorithm)
            do throws(AttestationError) {
                return try build(claims)
            } catch {
                return nil
            }
        }
        guard let length else { return AttestationResult(.errorUnknown) }
        tokenLength = length
        isActive = true
        return AttestationResult(.success, UInt64(length))
    }

    /// The argument check of RSI_ATTESTATION_TOKEN_CONTINUE: [offset, offset + size) must lie
    /// inside one granule, and offset must be inside it even when size is 0.
    public static func isChunkValid(offset: UInt64, size: UInt64) -> Bool {
        guard offset < granuleSize else { return false }
        let (end, overflow) = offset.addingReportingOverflow(size)
        return !overflow && end <= granuleSize
    }

    /// RSI_ATTESTATION_TOKEN_CONTINUE after the IPA checks: copies up to `size` bytes of the
    /// token, from where the last call stopped, to `granule[offset...]`. Returns INCOMPLETE and
    /// the count written while bytes remain (also for size 0, which writes nothing), SUCCESS
    /// with the last count when the token is complete, after which the session is inactive.
    public mutating func deliver(
        offset: UInt64, size: UInt64, into granule: UnsafeMutableRawBufferPointer, from storage: UnsafeRawBufferPointer
    ) -> AttestationResult {
        deliver(offset: offset, size: size, into: granule, available: storage.count) { from, destination in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[from..<(from + destination.count)]))
        }
    }

    /// `deliver` from storage made of separate granules.
    public mutating func deliver(
        offset: UInt64, size: UInt64, into granule: UnsafeMutableRawBufferPointer, from storage: SegmentedTokenStorage
    ) -> AttestationResult {
        deliver(offset: offset, size: size, into: granule, available: SegmentedTokenStorage.capacity) { from, destination in
            storage.read(at: from, into: destination)
        }
    }

    private mutating func deliver(
        offset: UInt64, size: UInt64, into granule: UnsafeMutableRawBufferPointer, available: Int,
        copy: (Int, UnsafeMutableRawBufferPointer) -> Void
    ) -> AttestationResult {
        guard Self.isChunkValid(offset: offset, size: size) else { return AttestationResult(.errorInput) }
        guard isActive else { return AttestationResult(.errorState) }
        precondition(granule.count >= Int(Self.granuleSize) && available >= tokenLength)
        let length = min(Int(size), tokenLength - delivered)
        if length > 0 {
            copy(delivered, UnsafeMutableRawBufferPointer(rebasing: granule[Int(offset)..<(Int(offset) + length)]))
        }
        delivered += length
        if delivered < tokenLength { return AttestationResult(.incomplete, UInt64(length)) }
        isActive = false
        return AttestationResult(.success, UInt64(length))
    }
}
