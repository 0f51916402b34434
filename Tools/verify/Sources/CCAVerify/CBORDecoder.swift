// A strict CBOR decoder (RFC 8949) for tokens that arrive from elsewhere. It accepts only
// what a well-formed attestation token can contain and refuses everything else with the
// offset and a reason: indefinite lengths, non-shortest ("non-preferred") argument
// encodings, reserved additional-information values, floating point, unassigned simple
// values, invalid UTF-8, duplicate map keys, nesting deeper than 16, lengths past the end,
// and bytes left over after the item.

public indirect enum CBORValue: Equatable, Sendable {
    case unsigned(UInt64)
    /// -1 - n.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBORValue])
    case map([CBORMapEntry])
    case tag(UInt64, CBORValue)
    /// false (20), true (21), null (22), undefined (23).
    case simple(UInt8)

    /// The value as a signed integer, when it is one that fits.
    public var integer: Int64? {
        switch self {
        case .unsigned(let n): n <= UInt64(Int64.max) ? Int64(n) : nil
        case .negative(let n): n <= UInt64(Int64.max) ? -1 - Int64(n) : nil
        default: nil
        }
    }

    /// For a map: the value under an integer key.
    public subscript(key: Int64) -> CBORValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key.integer == key }?.value
    }

    public var typeName: String {
        switch self {
        case .unsigned: "unsigned integer"
        case .negative: "negative integer"
        case .bytes: "byte string"
        case .text: "text string"
        case .array: "array"
        case .map: "map"
        case .tag: "tag"
        case .simple: "simple value"
        }
    }
}

public struct CBORMapEntry: Equatable, Sendable {
    public var key: CBORValue
    public var value: CBORValue
}

public struct CBORDecodingError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public var offset: Int

    public var description: String { "\(reason) at byte \(offset)" }
}

public struct CBORDecoder {
    private let bytes: [UInt8]
    private var offset = 0
    public static let maxDepth = 16

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Decodes exactly one item that must span all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(CBORDecodingError) -> CBORValue {
        var decoder = CBORDecoder(bytes)
        let value = try decoder.item(depth: 0)
        guard decoder.offset == bytes.count else {
            throw CBORDecodingError(reason: "\(bytes.count - decoder.offset) trailing bytes", offset: decoder.offset)
        }
        return value
    }

    private func fail(_ reason: String, at position: Int? = nil) -> CBORDecodingError {
        CBORDecodingError(reason: reason, offset: position ?? offset)
    }

    private mutating func take(_ count: Int) throws(CBORDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw fail("truncated: \(count) bytes needed") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// The argument of a head, refusing any encoding longer than necessary.
    private mutating func argument(_ info: UInt8, start: Int) throws(CBORDecodingError) -> UInt64 {
        switch info {
        case 0..<24:
            return UInt64(info)
        case 24, 25, 26, 27:
            let size = 1 << Int(info - 24)
            var value: UInt64 = 0
            for byte in try take(size) { value = value << 8 | UInt64(byte) }
            let minimum: UInt64 = [24, 0x100, 0x1_0000, 0x1_0000_0000][Int(info - 24)]
            guard value >= minimum else { throw fail("non-shortest encoding of \(value)", at: start) }
            return value
        case 31:
            throw fail("indefinite length", at: start)
        default:
            throw fail("reserved additional information \(info)", at: start)
        }
    }

    private mutating func length(_ info: UInt8, start: Int) throws(CBORDecodingError) -> Int {
        let value = try argument(info, start: start)
        guard value <= UInt64(bytes.count - offset) else { throw fail("length \(value) runs past the end", at: start) }
        return Int(value)
    }

    private mutating func item(depth: Int) throws(CBORDecodingError) -> CBORValue {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
        let start = offset
        let initial = try take(1).first!
        let major = initial >> 5
        let info = initial & 0x1f
        switch major {
        case 0:
            return .unsigned(try argument(info, start: start))
        case 1:
            return .negative(try argument(info, start: start))
        case 2:
            return .bytes(Array(try take(try length(info, start: start))))
        case 3:
            let content = try take(try length(info, start: start))
            guard let string = String(validating: content, as: UTF8.self) else {
                throw fail("text string is not valid UTF-8", at: start)
            }
            return .text(string)
        case 4:
            // Each element takes at least one byte, so the count is bounded by what is left.
            let count = try length(info, start: start)
            var elements: [CBORValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try item(depth: depth + 1)) }
            return .array(elements)
        case 5:
            let count = try argument(info, start: start)
            guard count <= UInt64(bytes.count - offset) / 2 else { throw fail("map of \(count) entries runs past the end", at: start) }
            var entries: [CBORMapEntry] = []
            for _ in 0..<Int(count) {
                let keyOffset = offset
                let key = try item(depth: depth + 1)
                guard !entries.contains(where: { $0.key == key }) else { throw fail("duplicate map key", at: keyOffset) }
                entries.append(CBORMapEntry(key: key, value: try item(depth: depth + 1)))
            }
            return .map(entries)
        case 6:
            let number = try argument(info, start: start)
            return .tag(number, try item(depth: depth + 1))
        default:
            switch info {
            case 20..<24: return .simple(info)
            case 25, 26, 27: throw fail("floating point is not allowed", at: start)
            case 31: throw fail("unexpected break", at: start)
            default: throw fail("unassigned simple value", at: start)
            }
        }
    }
}
