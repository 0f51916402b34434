// Writes a flattened device tree (Devicetree Specification v0.4, chapter 5: header, memory
// reservation block, structure block, strings block; version 17, last compatible 16) into a
// buffer the caller supplies. Property names are kept, without repeats, in the top
// `stringsCapacity` bytes of the buffer while the structure block grows from below, and moved
// down behind it by `finish`. Errors are sticky: after the first one every call does nothing
// and `finish` throws it, so a generator need not check each step.

public enum DeviceTreeError: Error, Equatable {
    /// The structure block ran into the strings area, or the strings area is full.
    case bufferTooSmall
    /// endNode without a node, a property outside any node, or finish with nodes still open.
    case unbalancedNodes
    /// A reservation after the first node, or a property begun inside another.
    case misordered
}

public struct DeviceTreeWriter {
    static let magic: UInt32 = 0xD00D_FEED
    static let headerSize = 40
    static let beginNodeToken: UInt32 = 1
    static let endNodeToken: UInt32 = 2
    static let propertyToken: UInt32 = 3
    static let endToken: UInt32 = 9

    let buffer: UnsafeMutableRawBufferPointer
    let stringsStart: Int
    var stringsCount = 0
    var reservationCount = 0
    /// Next byte of the structure block; 0 until the first node.
    var cursor = 0
    var depth = 0
    var structStart = 0
    /// Where the length word of the property being written is, or -1.
    var openProperty = -1
    public private(set) var error: DeviceTreeError? = nil

    /// A writer over `buffer` (8-byte aligned base not required: all stores are byte-wise).
    public init(buffer: UnsafeMutableRawBufferPointer, stringsCapacity: Int = 512) {
        self.buffer = buffer
        let capacity = min(max(stringsCapacity, 0), buffer.count)
        stringsStart = buffer.count - capacity
        if stringsStart < Self.headerSize + 16 { error = .bufferTooSmall }
    }

    /// Adds a memory reservation block entry; only before the first node.
    public mutating func addReservation(address: UInt64, size: UInt64) {
        guard error == nil else { return }
        guard cursor == 0 else { return fail(.misordered) }
        let at = Self.headerSize + 16 * reservationCount
        guard at + 32 <= stringsStart else { return fail(.bufferTooSmall) }
        store64(address, at: at)
        store64(size, at: at + 8)
        reservationCount += 1
    }

    public mutating func beginNode(_ name: StaticString) {
        startNode(name)
        finishNodeName()
    }

    /// A node named `name@<unitAddress in lower-case hex>`.
    public mutating func beginNode(_ name: StaticString, unitAddress: UInt64) {
        startNode(name)
        appendRaw(UInt8(ascii: "@"))
        appendHexDigits(unitAddress)
        finishNodeName()
    }

    public mutating func endNode() {
        guard error == nil else { return }
        guard depth > 0, openProperty < 0 else { return fail(.unbalancedNodes) }
        token(Self.endNodeToken)
        depth -= 1
    }

    // MARK: Properties

    /// Starts property `name`; its value is what the append calls add until endProperty.
    public mutating func beginProperty(_ name: StaticString) {
        guard error == nil else { return }
        guard depth > 0 else { return fail(.unbalancedNodes) }
        guard openProperty < 0 else { return fail(.misordered) }
        let nameOffset = stringOffset(name)
        token(Self.propertyToken)
        openProperty = cursor
        append32(0)
        append32(UInt32(truncatingIfNeeded: nameOffset))
    }

    public mutating func endProperty() {
        guard error == nil else { return }
        guard openProperty >= 0 else { return fail(.misordered) }
        let length = cursor - openProperty - 8
        store32(UInt32(truncatingIfNeeded: length), at: openProperty)
        openProperty = -1
        align4()
    }

    /// A big-endian 32-bit cell.
    public mutating func append32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { appendRaw(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Two cells, high word first.
    public mutating func append64(_ value: UInt64) {
        append32(UInt32(truncatingIfNeeded: value >> 32))
        append32(UInt32(truncatingIfNeeded: value))
    }

    /// The bytes of `text` (which may contain NULs separating a string list), no terminator.
    public mutating func appendBytes(_ text: StaticString) {
        let p = text.utf8Start
        for i in 0..<text.utf8CodeUnitCount { appendRaw(p[i]) }
    }

    public mutating func appendByte(_ byte: UInt8) { appendRaw(byte) }

    /// `value` in lower-case hexadecimal without prefix or leading zeros (unit addresses).
    public mutating func appendHexDigits(_ value: UInt64) {
        var shift = 60
        var started = false
        while shift >= 0 {
            let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift) & 0xF)
            if digit != 0 || started || shift == 0 {
                started = true
                appendRaw(digit < 10 ? 0x30 + digit : 0x57 + digit)
            }
            shift -= 4
        }
    }

    /// A property whose value is `text` plus a NUL (a string, or with embedded NULs a string list).
    public mutating func property(_ name: StaticString, string text: StaticString) {
        beginProperty(name)
        appendBytes(text)
        appendRaw(0)
        endProperty()
    }

    public mutating func property(_ name: StaticString, u32 value: UInt32) {
        beginProperty(name)
        append32(value)
        endProperty()
    }

    public mutating func property(_ name: StaticString, u64 value: UInt64) {
        beginProperty(name)
        append64(value)
        endProperty()
    }

    /// A property without a value (interrupt-controller, ranges).
    public mutating func emptyProperty(_ name: StaticString) {
        beginProperty(name)
        endProperty()
    }

    /// Ends the structure block, moves the strings behind it, writes the header and zeroes the
    /// rest of the buffer; the blob's total size, or the first error.
    public mutating func finish(bootCPU: UInt32 = 0) throws(DeviceTreeError) -> Int {
        if let error { throw error }
        guard cursor != 0, depth == 0, openProperty < 0 else { throw .unbalancedNodes }
        token(Self.endToken)
        if let error { throw error }
        let structSize = cursor - structStart
        let stringsOffset = cursor
        guard stringsOffset + stringsCount <= buffer.count else { throw .bufferTooSmall }
        // Forward copy is safe: the destination is below the source.
        for i in 0..<stringsCount { buffer[stringsOffset + i] = buffer[stringsStart + i] }
        let total = stringsOffset + stringsCount
        // Nothing of the strings area's old copy stays behind the blob: a VMM that measures
        // the blob's whole last page (DATA_CREATE) measures zeros there, as a tool predicts.
        for i in total..<buffer.count { buffer[i] = 0 }
        store32(Self.magic, at: 0)
        store32(UInt32(truncatingIfNeeded: total), at: 4)
        store32(UInt32(truncatingIfNeeded: structStart), at: 8)
        store32(UInt32(truncatingIfNeeded: stringsOffset), at: 12)
        store32(UInt32(Self.headerSize), at: 16)
        store32(17, at: 20)
        store32(16, at: 24)
        store32(bootCPU, at: 28)
        store32(UInt32(truncatingIfNeeded: stringsCount), at: 32)
        store32(UInt32(truncatingIfNeeded: structSize), at: 36)
        self.error = .misordered  // a finished blob takes nothing more
        return total
    }

    // MARK: Internals

    private mutating func startNode(_ name: StaticString) {
        guard error == nil else { return }
        guard openProperty < 0 else { return fail(.misordered) }
        if cursor == 0 {
            // The reservation block ends with a zero entry; the structure block follows.
            let terminator = Self.headerSize + 16 * reservationCount
            guard terminator + 16 <= stringsStart else { return fail(.bufferTooSmall) }
            store64(0, at: terminator)
            store64(0, at: terminator + 8)
            structStart = terminator + 16
            cursor = structStart
        } else if depth == 0 {
            // Only one root node.
            return fail(.unbalancedNodes)
        }
        token(Self.beginNodeToken)
        appendBytes(name)
    }

    private mutating func finishNodeName() {
        appendRaw(0)
        align4()
        depth += 1
    }

    private mutating func token(_ value: UInt32) { append32(value) }

    private mutating func align4() {
        while cursor & 3 != 0 && error == nil { appendRaw(0) }
    }

    private mutating func appendRaw(_ byte: UInt8) {
        guard error == nil else { return }
        guard cursor > 0, cursor < stringsStart else { return fail(.bufferTooSmall) }
        buffer[cursor] = byte
        cursor += 1
    }

    /// The offset of `name` in the strings block, adding it when new.
    private mutating func stringOffset(_ name: StaticString) -> Int {
        let p = name.utf8Start
        let length = name.utf8CodeUnitCount
        var start = 0
        while start < stringsCount {
            var end = start
            while end < stringsCount && buffer[stringsStart + end] != 0 { end += 1 }
            if end - start == length {
                var same = true
                for i in 0..<length where buffer[stringsStart + start + i] != p[i] { same = false; break }
                if same { return start }
            }
            start = end + 1
        }
        guard stringsStart + stringsCount + length + 1 <= buffer.count else {
            fail(.bufferTooSmall)
            return 0
        }
        let offset = stringsCount
        for i in 0..<length { buffer[stringsStart + offset + i] = p[i] }
        buffer[stringsStart + offset + length] = 0
        stringsCount += length + 1
        return offset
    }

    private mutating func fail(_ e: DeviceTreeError) { if error == nil { error = e } }

    private func store32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * i)) }
    }

    private func store64(_ value: UInt64, at offset: Int) {
        store32(UInt32(truncatingIfNeeded: value >> 32), at: offset)
        store32(UInt32(truncatingIfNeeded: value), at: offset + 4)
    }
}
