// Two byte-level helpers the crypto, attestation and measurement code share (the EL3 monitor
// compiles Crypto/ and Attestation/, so they live here).

extension StaticString {
    /// The string's UTF-8 bytes, without a terminator; static storage, valid for the whole run.
    var rawBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}

extension InlineArray where Element == UInt8 {
    /// Stores `value` little-endian in the eight bytes from `offset`.
    mutating func storeLittleEndian(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { self[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
    }
}
