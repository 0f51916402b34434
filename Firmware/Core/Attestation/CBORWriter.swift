// A CBOR encoder (RFC 8949) for exactly what the attestation tokens need: integers, byte and
// text strings, arrays, maps and tags, always with definite lengths and the shortest
// argument encoding (the "preferred serialization" of section 4.1). Deterministic encoding
// (section 4.2.1) also orders map keys by their encoded bytes; the token builders emit keys
// in that order, and the tests check the bytes.
//
// It writes into a buffer it does not own. Running out of room is not a trap: the writer keeps
// counting the bytes the encoding needs and `finish()` reports the shortfall, so the same
// encoding code can first run on an empty buffer just to measure.

/// Why a token could not be produced.
public enum AttestationError: Error, Equatable, Sendable {
    /// The output buffer was too small; `needed` bytes would have fitted.
    case bufferTooSmall(needed: Int)
    /// An input had the wrong length or was missing.
    case invalidInput
}

/// CBOR major types (RFC 8949 section 3.1).
public enum CBORMajorType: UInt8 {
    case unsigned = 0
    case negative = 1
    case byteString = 2
    case textString = 3
    case array = 4
    case map = 5
    case tag = 6
    case simple = 7
}

public struct CBORWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes the encoding has needed so far; larger than the buffer after an overflow.
    public private(set) var count = 0

    /// Encodes into `buffer`, from its start.
    public init(into buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// A writer that stores nothing and only counts.
    public static func measuring() -> CBORWriter {
        CBORWriter(into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }

    public var overflowed: Bool { count > buffer.count }

    /// The encoded length, or `bufferTooSmall` with the length that would have been needed.
    public func finish() throws(AttestationError) -> Int {
        if overflowed { throw .bufferTooSmall(needed: count) }
        return count
    }

    public mutating func writeByte(_ byte: UInt8) {
        if count < buffer.count { buffer[count] = byte }
        count += 1
    }

    /// Appends already-encoded bytes (or a string's content) verbatim.
    public mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) {
        if count + bytes.count <= buffer.count, bytes.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + bytes.count)]).copyMemory(from: bytes)
        }
        count += bytes.count
    }

    /// Appends `length` zero bytes, to be filled in later (a signature).
    public mutating func reserve(_ length: Int) {
        for _ in 0..<length { writeByte(0) }
    }

    /// The initial byte and argument, in the shortest form (section 4.2.1, first rule).
    public mutating func head(_ major: CBORMajorType, _ argument: UInt64) {
        let type = major.rawValue << 5
        switch argument {
        case 0..<24:
            writeByte(type | UInt8(argument))
        case 24..<0x100:
            writeByte(type | 24)
            writeByte(UInt8(argument))
        case 0x100..<0x1_0000:
            writeByte(type | 25)
            writeBigEndian(argument, bytes: 2)
        case 0x1_0000..<0x1_0000_0000:
            writeByte(type | 26)
            writeBigEndian(argument, bytes: 4)
        default:
            writeByte(type | 27)
            writeBigEndian(argument, bytes: 8)
        }
    }

    private mutating func writeBigEndian(_ value: UInt64, bytes: Int) {
        var shift = 8 * (bytes - 1)
        while shift >= 0 {
            writeByte(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    public mutating func unsigned(_ value: UInt64) { head(.unsigned, value) }

    /// Any 64-bit signed integer: negative n is major type 1 with argument -1 - n.
    public mutating func int(_ value: Int64) {
        if value >= 0 {
            head(.unsigned, UInt64(value))
        } else {
            head(.negative, UInt64(bitPattern: -1 - value))
        }
    }

    public mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        head(.byteString, UInt64(bytes.count))
        writeRaw(bytes)
    }

    /// The head of a byte string whose `length` content bytes the caller writes next.
    public mutating func byteStringHead(length: Int) { head(.byteString, UInt64(length)) }

    /// A text string from a compile-time string (always UTF-8).
    public mutating func text(_ string: StaticString) {
        text(utf8: string.rawBytes)
    }

    /// A text string from UTF-8 bytes the caller vouches for.
    public mutating func text(utf8 bytes: UnsafeRawBufferPointer) {
        head(.textString, UInt64(bytes.count))
        writeRaw(bytes)
    }

    public mutating func arrayHead(count: Int) { head(.array, UInt64(count)) }

    public mutating func mapHead(count: Int) { head(.map, UInt64(count)) }

    public mutating func tag(_ number: UInt64) { head(.tag, number) }

    /// Encoded size of a head with this argument: what a length prefix costs.
    public static func headSize(_ argument: UInt64) -> Int {
        switch argument {
        case 0..<24: 1
        case 24..<0x100: 2
        case 0x100..<0x1_0000: 3
        case 0x1_0000..<0x1_0000_0000: 5
        default: 9
        }
    }
}

/// Something that encodes itself as one CBOR data item: a token's claims map.
public protocol CBOREncodable {
    func encode(into writer: inout CBORWriter)
}

extension CBOREncodable {
    /// The encoded length, found by encoding into nothing.
    public var encodedSize: Int {
        var writer = CBORWriter.measuring()
        encode(into: &writer)
        return writer.count
    }
}
