// Line-oriented console output without a heap: a line is built in a fixed buffer and written
// whole under a lock, so lines from different CPUs of one image do not interleave.

/// A line of text under construction. Text beyond the buffer is dropped, never trapped on.
struct LogLine {
    private var bytes = InlineArray<224, UInt8>(repeating: 0)
    private var count = 0

    init() {}

    init(_ text: StaticString) { append(text) }

    mutating func append(_ text: StaticString) {
        let start = text.utf8Start
        for i in 0..<text.utf8CodeUnitCount { appendByte(start[i]) }
    }

    /// Appends the text of another line.
    mutating func append(_ other: LogLine) {
        other.forEachByte { appendByte($0) }
    }

    /// Appends raw bytes that are known to be printable ASCII.
    mutating func append(bytes source: UnsafeRawBufferPointer) {
        for byte in source { appendByte(byte >= 0x20 && byte < 0x7f ? byte : UInt8(ascii: "?")) }
    }

    mutating func appendByte(_ byte: UInt8) {
        guard count < bytes.count else { return }
        bytes[count] = byte
        count += 1
    }

    /// `0x` followed by the value in lower-case hex, without leading zeros.
    mutating func hex(_ value: UInt64) {
        append("0x")
        var shift: UInt64 = 60
        while shift > 0 && value >> shift == 0 { shift -= 4 }
        while true {
            appendByte(Self.hexDigit(value >> shift))
            if shift == 0 { break }
            shift -= 4
        }
    }

    /// `0x` followed by exactly `digits` hex digits.
    mutating func hex(_ value: UInt64, digits: Int) {
        append("0x")
        var i = digits - 1
        while i >= 0 {
            appendByte(Self.hexDigit(value >> UInt64(4 * i)))
            i -= 1
        }
    }

    mutating func decimal(_ value: UInt64) {
        var digits = InlineArray<20, UInt8>(repeating: 0)
        var n = value
        var used = 0
        repeat {
            digits[used] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
            used += 1
        } while n != 0
        while used > 0 {
            used -= 1
            appendByte(digits[used])
        }
    }

    mutating func decimal(signed value: Int64) {
        if value < 0 {
            appendByte(UInt8(ascii: "-"))
            decimal(UInt64(bitPattern: 0 &- value))
        } else {
            decimal(UInt64(value))
        }
    }

    /// `major.minor` of a version encoded as (major << 16) | minor (RMI, RSI, PSCI, SMCCC).
    mutating func version(_ encoded: UInt64) {
        decimal(encoded >> 16 & 0x7fff)
        appendByte(UInt8(ascii: "."))
        decimal(encoded & 0xffff)
    }

    func forEachByte(_ body: (UInt8) -> Void) {
        for i in 0..<count { body(bytes[i]) }
    }

    func write(to uart: PL011) {
        for i in 0..<count { uart.put(bytes[i]) }
        uart.put(UInt8(ascii: "\r"))
        uart.put(UInt8(ascii: "\n"))
    }

    /// The lower-case hex digit of the low four bits of `nibble`.
    static func hexDigit(_ nibble: UInt64) -> UInt8 {
        let n = UInt8(truncatingIfNeeded: nibble & 0xf)
        return n < 10 ? UInt8(ascii: "0") + n : UInt8(ascii: "a") + n - 10
    }
}

/// The console of one image: a UART and the lock that keeps its lines whole.
struct Console: ~Copyable {
    private let lock = SpinLock()
    private let uartBase: UInt64

    init(uartBase: UInt64) { self.uartBase = uartBase }

    /// The UART's base address.
    var base: UInt64 { uartBase }

    var uart: PL011 { PL011(base: uartBase) }

    func print(_ line: LogLine) {
        lock.acquire()
        line.write(to: uart)
        lock.release()
    }

    func print(_ text: StaticString) {
        print(LogLine(text))
    }
}
