// The fuzzer's bytes read as a stream of choices. Reads past the end give zeros, so every
// input, however short or mangled, decodes to a finite sequence of well-typed calls; small
// mutations of the bytes make small changes to the calls, which is what lets libFuzzer's
// coverage feedback steer.

struct FuzzInput {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isExhausted: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }

    mutating func u64() -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(byte()) << (8 * UInt64(i)) }
        return v
    }

    /// 0..<n (n at most 65536).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0 && n <= 65536)
        return n <= 256 ? Int(byte()) % n : Int(u16()) % n
    }

    /// True for roughly `percent` out of 100 byte values.
    mutating func chance(_ percent: Int) -> Bool { Int(byte()) * 100 < percent * 256 }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A 64-bit value biased toward the boundaries where arithmetic and range checks break.
    mutating func interesting() -> UInt64 {
        switch byte() % 16 {
        case 0: return 0
        case 1: return UInt64.max
        case 2: return 1 << 63
        case 3: return UInt64(bitPattern: Int64.max)
        case 4: return 1 << UInt64(byte() % 64)
        case 5: return (1 << UInt64(byte() % 64)) &- 1
        case 6: return UInt64.max &- UInt64(byte())
        case 7: return UInt64(byte())
        case 8: return 0xFFF_F000 | UInt64(byte()) << 32
        case 9: return UInt64(u16()) << 12
        default: return u64()
        }
    }
}
