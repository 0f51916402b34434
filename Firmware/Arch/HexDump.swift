// Byte strings on the console as hex: digests, public keys, and the platform token that the
// system tests read back from the secure console.

extension LogLine {
    /// Appends `bytes` in lower-case hex, two digits a byte, no prefix or separators.
    mutating func hexBytes(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            appendByte(Self.hexDigit(UInt64(byte >> 4)))
            appendByte(Self.hexDigit(UInt64(byte)))
        }
    }
}

extension Console {
    /// Bytes per line of `printHexLines`: 128 hex digits after the prefix fit a LogLine.
    static var hexBytesPerLine: Int { 64 }

    /// Prints `bytes` as hex, `hexBytesPerLine` bytes a line, each line `prefix` then the digits.
    func printHexLines(prefix: StaticString, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + Self.hexBytesPerLine, bytes.count)
            var line = LogLine(prefix)
            line.hexBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            print(line)
            offset = end
        }
    }
}
