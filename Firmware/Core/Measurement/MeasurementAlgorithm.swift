// RmiHashAlgorithm (DEN0137 B4.4.3): the hash a realm's measurements use, chosen at
// REALM_CREATE. The same type as the realm token's RealmHashAlgorithm (Crypto/).

public typealias MeasurementAlgorithm = RealmHashAlgorithm

extension MeasurementHasher {
    /// The digest, zero-padded to 64 bytes as the RMM stores measurements.
    mutating func finalize() -> MeasurementValue {
        var out = MeasurementValue()
        withUnsafeMutableBytes(of: &out.bytes) { finalize(into: $0) }
        return out
    }
}
