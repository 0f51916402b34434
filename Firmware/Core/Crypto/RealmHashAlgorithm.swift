// The hash a realm uses: RmiHashAlgorithm (DEN0137 B4.4.3), chosen at REALM_CREATE, for its
// measurements; RsiHashAlgorithm for the realm token's claims. One type under both names
// (`MeasurementAlgorithm` in Measurement/), with the names the token uses (IANA "Named
// Information Hash Algorithm" strings). Here rather than beside the measurements because the
// EL3 monitor, which builds no measurements, compiles the attestation code that needs it.

public enum RealmHashAlgorithm: UInt8, Sendable {
    case sha256 = 0
    case sha512 = 1

    public var digestSize: Int {
        switch self {
        case .sha256: 32
        case .sha512: 64
        }
    }

    public var name: StaticString {
        switch self {
        case .sha256: "sha-256"
        case .sha512: "sha-512"
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

    init(_ algorithm: RealmHashAlgorithm) {
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

    /// Writes the algorithm's `digestSize` bytes to the start of `digest`.
    mutating func finalize(into digest: UnsafeMutableRawBufferPointer) {
        switch engine {
        case .sha256(var h): h.finalize(into: digest)
        case .sha512(var h): h.finalize(into: digest)
        }
    }
}
