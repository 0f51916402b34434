// RSI_MEASUREMENT_READ and RSI_MEASUREMENT_EXTEND. The realm computes each extension itself with
// the project's SHA-256 (Firmware/Core/Crypto): REM[i] = H(REM[i] || first `size` bytes of the
// value) (DEN0137 A7.1.2), and the value read back must be exactly that.

typealias Measurement = InlineArray<8, UInt64>

enum MeasurementChecks {
    static func read(_ slot: UInt64) -> (status: UInt64, value: Measurement) {
        let r = rsi(RSIFunction.measurementRead, slot)
        var value = Measurement(repeating: 0)
        for i in 0..<8 { value[i] = r.x[i + 1] }
        return (r.status, value)
    }

    /// H(current (digest size) || first `size` bytes of `value`), as the RMM must compute it.
    static func extended(_ current: Measurement, _ value: Measurement, size: Int) -> Measurement {
        var message = InlineArray<96, UInt8>(repeating: 0)
        withUnsafeBytes(of: current) { c in for i in 0..<32 { message[i] = c[i] } }
        withUnsafeBytes(of: value) { v in for i in 0..<size { message[32 + i] = v[i] } }
        var digest = Measurement(repeating: 0)
        withUnsafeBytes(of: message) { m in
            withUnsafeMutableBytes(of: &digest) { d in
                SHA256.hash(UnsafeRawBufferPointer(rebasing: m[0..<(32 + size)]), into: d)
            }
        }
        return digest
    }

    static func equal(_ a: Measurement, _ b: Measurement) -> Bool {
        for i in 0..<8 where a[i] != b[i] { return false }
        return true
    }

    static func isZero(_ a: Measurement, fromByte start: Int = 0) -> Bool {
        var zero = true
        withUnsafeBytes(of: a) { bytes in for i in start..<64 where bytes[i] != 0 { zero = false } }
        return zero
    }

    static func run(_ checks: inout RealmChecks, _ config: RealmConfiguration) {
        let rim = read(0)
        checks.expect("RSI_MEASUREMENT_READ(RIM): non-zero, zero past the digest",
                      rim.status == RSIStatus.success && !isZero(rim.value) && isZero(rim.value, fromByte: config.digestSize))
        var remsZero = true
        for slot: UInt64 in 1...4 {
            let rem = read(slot)
            remsZero = remsZero && rem.status == RSIStatus.success && isZero(rem.value)
        }
        checks.expect("RSI_MEASUREMENT_READ(REM0-REM3): zero before any extension", remsZero)
        checks.expectEqual("RSI_MEASUREMENT_READ(slot 5): RSI_ERROR_INPUT", read(5).status, RSIStatus.errorInput)

        var value = Measurement(repeating: 0)
        for i in 0..<8 { value[i] = 0x0123_4567_89AB_CDEF &* UInt64(i + 1) }
        let before = read(1).value
        let full = rsi(RSIFunction.measurementExtend, 1, 64, 0, 0, value)
        checks.expectEqual("RSI_MEASUREMENT_EXTEND(REM0, 64 bytes): RSI_SUCCESS", full.status, RSIStatus.success)
        let after = read(1).value
        checks.expect("RSI_MEASUREMENT_EXTEND: REM0 is the hash the realm computes",
                      equal(after, extended(before, value, size: 64)))

        let partial = rsi(RSIFunction.measurementExtend, 2, 10, 0, 0, value)
        checks.expectEqual("RSI_MEASUREMENT_EXTEND(REM1, 10 bytes): RSI_SUCCESS", partial.status, RSIStatus.success)
        checks.expect("RSI_MEASUREMENT_EXTEND: REM1 hashes only the first 10 bytes",
                      equal(read(2).value, extended(Measurement(repeating: 0), value, size: 10)))

        checks.expectEqual("RSI_MEASUREMENT_EXTEND(RIM): RSI_ERROR_INPUT",
                           rsi(RSIFunction.measurementExtend, 0, 8, 0, 0, value).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_MEASUREMENT_EXTEND(slot 5): RSI_ERROR_INPUT",
                           rsi(RSIFunction.measurementExtend, 5, 8, 0, 0, value).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_MEASUREMENT_EXTEND(65 bytes): RSI_ERROR_INPUT",
                           rsi(RSIFunction.measurementExtend, 1, 65, 0, 0, value).status, RSIStatus.errorInput)
        checks.expect("RSI_MEASUREMENT_EXTEND: refused extensions leave REM0 unchanged", equal(read(1).value, after))

        // For the verifier: the values the attestation token must carry.
        for slot: UInt64 in 0...4 {
            var line = LogLine(slot == 0 ? "measurement RIM: " : "measurement REM")
            if slot > 0 {
                line.decimal(slot - 1)
                line.append(": ")
            }
            let m = read(slot).value
            withUnsafeBytes(of: m) { line.hexBytes(UnsafeRawBufferPointer(rebasing: $0[0..<config.digestSize])) }
            say(line)
        }
    }
}
