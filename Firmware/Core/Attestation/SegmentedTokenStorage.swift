// Token storage made of separate granules. A REC's auxiliary granules are whatever DELEGATED
// granules the host named at REC_CREATE, in no particular place, so the token (up to
// CCAToken.maxSize, more than one granule) cannot be built contiguously in them. This storage
// presents `segments` granules as one byte range, plus one scratch granule where the realm
// token is signed contiguously before it is copied into place.

public struct SegmentedTokenStorage {
    public static let segmentSize = 4096
    /// Enough 4 KiB segments for the largest token.
    public static let segmentCount = (CCAToken.maxSize + segmentSize - 1) / segmentSize

    public var segments: InlineArray<2, UnsafeMutableRawPointer>
    /// One granule for signing the realm token (at most CCAToken.maxRealmTokenSize bytes).
    public var scratch: UnsafeMutableRawPointer

    public static var capacity: Int { segmentCount * segmentSize }

    public init(segments: InlineArray<2, UnsafeMutableRawPointer>, scratch: UnsafeMutableRawPointer) {
        self.segments = segments
        self.scratch = scratch
    }

    /// Copies `bytes` to [offset, offset + count), across segment boundaries. The caller keeps
    /// the range inside `capacity`.
    func write(at offset: Int, _ bytes: UnsafeRawBufferPointer) {
        var done = 0
        while done < bytes.count {
            let position = offset + done
            let segment = position / Self.segmentSize
            let within = position % Self.segmentSize
            let length = min(bytes.count - done, Self.segmentSize - within)
            (segments[segment] + within).copyMemory(from: bytes.baseAddress! + done, byteCount: length)
            done += length
        }
    }

    /// Copies [offset, offset + destination.count) out, across segment boundaries.
    func read(at offset: Int, into destination: UnsafeMutableRawBufferPointer) {
        var done = 0
        while done < destination.count {
            let position = offset + done
            let segment = position / Self.segmentSize
            let within = position % Self.segmentSize
            let length = min(destination.count - done, Self.segmentSize - within)
            (destination.baseAddress! + done).copyMemory(from: segments[segment] + within, byteCount: length)
            done += length
        }
    }
}

extension CCAToken {
    /// `build(platformToken:realmClaims:key:into:)` into segmented storage: the realm token is
    /// signed in the scratch granule, then the collection is written piece by piece. The
    /// bytes are exactly those of the contiguous build.
    public static func build(
        platformToken: UnsafeRawBufferPointer, realmClaims: RealmTokenClaims, key: RealmAttestationKey,
        into storage: SegmentedTokenStorage
    ) throws(AttestationError) -> Int {
        let realm = try realmTokenLengths(platformToken: platformToken, realmClaims: realmClaims)
        let realmLength = realm.token
        guard realmLength <= SegmentedTokenStorage.segmentSize else { throw .bufferTooSmall(needed: realmLength) }
        let written = try COSE.sign1(
            payload: realmClaims, encodedSize: realm.payload, key: key.privateKey,
            into: UnsafeMutableRawBufferPointer(start: storage.scratch, count: realmLength))
        guard written == realmLength else { throw .invalidInput }

        var head = InlineArray<16, UInt8>(repeating: 0)  // collectionOverhead bytes
        var offset = 0
        let first = try withUnsafeMutableBytes(of: &head) { buffer throws(AttestationError) -> Int in
            var writer = CBORWriter(into: buffer)
            writePlatformTokenHead(length: platformToken.count, into: &writer)
            return try writer.finish()
        }
        let second = try withUnsafeMutableBytes(of: &head) { buffer throws(AttestationError) -> Int in
            var writer = CBORWriter(into: UnsafeMutableRawBufferPointer(rebasing: buffer[first...]))
            writeRealmTokenHead(length: realmLength, into: &writer)
            return try writer.finish()
        }
        let total = first + platformToken.count + second + realmLength
        guard total <= SegmentedTokenStorage.capacity else { throw .bufferTooSmall(needed: total) }
        withUnsafeBytes(of: head) { h in
            storage.write(at: offset, UnsafeRawBufferPointer(rebasing: h[0..<first]))
            offset += first
            storage.write(at: offset, platformToken)
            offset += platformToken.count
            storage.write(at: offset, UnsafeRawBufferPointer(rebasing: h[first..<(first + second)]))
            offset += second
        }
        storage.write(at: offset, UnsafeRawBufferPointer(start: storage.scratch, count: realmLength))
        return total
    }
}
