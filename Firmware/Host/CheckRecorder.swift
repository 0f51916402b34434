/// Counts and prints the host's checks: one `[host] PASS name` or `[host] FAIL name ...` line
/// each, which the system tests read.
struct CheckRecorder {
    private(set) var passed = 0
    private(set) var failed = 0

    mutating func expect(_ name: StaticString, _ condition: Bool, _ detail: LogLine = LogLine()) {
        var line = LogLine(condition ? "[host] PASS " : "[host] FAIL ")
        line.append(name)
        line.append(detail)
        console.print(line)
        if condition { passed += 1 } else { failed += 1 }
    }

    /// Checks that a returned register equals what the specification says.
    mutating func expectEqual(_ name: StaticString, _ value: UInt64, _ expected: UInt64) {
        var detail = LogLine(": ")
        detail.hex(value)
        if value != expected {
            detail.append(" (expected ")
            detail.hex(expected)
            detail.append(")")
        }
        expect(name, value == expected, detail)
    }

    func summary() {
        var line = LogLine("[host] checks: ")
        line.decimal(UInt64(passed))
        line.append(" passed, ")
        line.decimal(UInt64(failed))
        line.append(" failed")
        console.print(line)
    }
}
