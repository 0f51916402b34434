// RmiHashAlgorithm (DEN0137 B4.4.3): the hash a realm's measurements use, chosen at
// REALM_CREATE.

public enum MeasurementAlgorithm: UInt8 {
    case sha256 = 0
    case sha512 = 1

    public var digestSize: Int {
        switch self {
        case .sha256: 32
        case .sha512: 64
        }
    }
}

/// One running hash of either algorithm, so callers need not care which one a realm uses.
struct MeasurementHasher {
    private enum Engine {
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var engine: Engine

    init(_ algorithm: MeasurementAlgorithm) {
        switch algorithm {
        case .sha256: engine = .sha256(SHA256())
        case .sha512: engine = .sha512(SHA512())
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch engine {
        case .sha256(var h):
            h.update(bytes)
            engine = .sha256(h)
        case .sha512(var h):
            h.update(bytes)
            engine = .sha512(h)
        }
    }

    /// The digest, zero-padded to 64 bytes as the RMM stores measurements.
    mutating func finalize() -> MeasurementValue {
        var out = MeasurementValue()
        switch engine {
        case .sha256(var h):
            withUnsafeMutableBytes(of: &out.bytes) { h.finalize(into: $0) }
        case .sha512(var h):
            withUnsafeMutableBytes(of: &out.bytes) { h.finalize(into: $0) }
        }
        return out
    }
}
