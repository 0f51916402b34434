// A reader for flattened device trees (Devicetree Specification v0.4, chapter 5): finds a
// property by node path. The host reads the tree the firmware passes in x0; the monitor reads
// the one QEMU hands to firmware. Big-endian throughout; every offset is checked against the
// blob's declared size before use.

struct FlattenedDeviceTree {
    private let base: UnsafeRawPointer
    private let totalSize: Int
    private let structOffset: Int
    private let structSize: Int
    private let stringsOffset: Int
    private let stringsSize: Int

    private static let magic: UInt32 = 0xD00D_FEED
    private static let beginNode: UInt32 = 1
    private static let endNode: UInt32 = 2
    private static let property: UInt32 = 3
    private static let nop: UInt32 = 4
    private static let end: UInt32 = 9

    init?(address: UInt64) {
        guard address & 7 == 0, let pointer = UnsafeRawPointer(bitPattern: UInt(address)) else { return nil }
        base = pointer
        guard Self.load32(pointer, 0) == Self.magic else { return nil }
        totalSize = Int(Self.load32(pointer, 4))
        structOffset = Int(Self.load32(pointer, 8))
        stringsOffset = Int(Self.load32(pointer, 12))
        stringsSize = Int(Self.load32(pointer, 32))
        structSize = Int(Self.load32(pointer, 36))
        guard totalSize <= 1 << 20, structOffset + structSize <= totalSize, stringsOffset + stringsSize <= totalSize
        else { return nil }
    }

    var size: Int { totalSize }

    private static func load32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The value of property `name` of the node at `path` ("/firmware/tmm"), if present.
    func property(path: StaticString, name: StaticString) -> UnsafeRawBufferPointer? {
        property(pathBytes: UnsafeRawBufferPointer(start: path.utf8Start, count: path.utf8CodeUnitCount), name: name)
    }

    /// The same for a path read at run time (e.g. from /chosen stdout-path), without its NUL.
    func property(pathBytes: UnsafeRawBufferPointer, name: StaticString) -> UnsafeRawBufferPointer? {
        let nameBytes = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        guard pathBytes.count > 0, pathBytes[0] == UInt8(ascii: "/") else { return nil }
        // For each open node: how many bytes of `path` it and its ancestors match, or -1.
        var matched = InlineArray<16, Int>(repeating: -1)
        var depth = 0
        var offset = structOffset
        let limit = structOffset + structSize
        while offset + 4 <= limit {
            let token = Self.load32(base, offset)
            offset += 4
            switch token {
            case Self.beginNode:
                guard depth < matched.count, let nameLength = stringLength(at: offset, limit: limit) else { return nil }
                let nodeName = UnsafeRawBufferPointer(start: base + offset, count: nameLength)
                if depth == 0 {
                    matched[0] = 1
                } else if matched[depth - 1] >= 0,
                          let next = Self.component(of: pathBytes, after: matched[depth - 1]),
                          Self.nameMatches(next.bytes, nodeName) {
                    matched[depth] = next.end
                } else {
                    matched[depth] = -1
                }
                depth += 1
                offset = (offset + nameLength + 1 + 3) & ~3
            case Self.endNode:
                guard depth > 0 else { return nil }
                depth -= 1
            case Self.property:
                guard depth > 0, offset + 8 <= limit else { return nil }
                let length = Int(Self.load32(base, offset))
                let nameOffset = Int(Self.load32(base, offset + 4))
                let value = offset + 8
                guard length <= limit - value, nameOffset < stringsSize,
                      let propertyNameLength = stringLength(at: stringsOffset + nameOffset, limit: stringsOffset + stringsSize)
                else { return nil }
                let propertyName = UnsafeRawBufferPointer(start: base + stringsOffset + nameOffset, count: propertyNameLength)
                if matched[depth - 1] == pathBytes.count, Self.bytesEqual(propertyName, nameBytes) {
                    return UnsafeRawBufferPointer(start: base + value, count: length)
                }
                offset = (value + length + 3) & ~3
            case Self.nop:
                continue
            default:
                return nil
            }
        }
        return nil
    }

    /// Reads the (address, size) pair at `index` of a `reg`-style property with two address and
    /// two size cells.
    static func addressSizePair(_ value: UnsafeRawBufferPointer, index: Int) -> (base: UInt64, size: UInt64)? {
        guard value.count >= (index + 1) * 16 else { return nil }
        func cell64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(value[at + i]) }
            return v
        }
        return (cell64(index * 16), cell64(index * 16 + 8))
    }

    private func stringLength(at offset: Int, limit: Int) -> Int? {
        var end = offset
        while end < limit {
            if base.load(fromByteOffset: end, as: UInt8.self) == 0 { return end - offset }
            end += 1
        }
        return nil
    }

    /// The path component after byte `after` of `path` (skipping one "/"), and where it ends.
    private static func component(of path: UnsafeRawBufferPointer, after: Int) -> (bytes: UnsafeRawBufferPointer, end: Int)? {
        var start = after
        if start < path.count && path[start] == UInt8(ascii: "/") { start += 1 }
        guard start < path.count else { return nil }
        var end = start
        while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
        return (UnsafeRawBufferPointer(rebasing: path[start..<end]), end)
    }

    private static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// A path component matches a node name exactly, or its part before "@unit-address".
    private static func nameMatches(_ component: UnsafeRawBufferPointer, _ node: UnsafeRawBufferPointer) -> Bool {
        if bytesEqual(component, node) { return true }
        guard node.count > component.count, node[component.count] == UInt8(ascii: "@") else { return false }
        return bytesEqual(component, UnsafeRawBufferPointer(rebasing: node[0..<component.count]))
    }
}
