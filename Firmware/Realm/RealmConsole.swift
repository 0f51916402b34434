import AArch64
import RealmLayout

// The test realm's console and check recorder. The realm writes to a PL011 data register at an
// unprotected IPA that nothing maps: each access is an MMIO exit that the host emulates and
// forwards to its own console, prefixed `[realm]`.

let realmUART = PL011(base: UInt64(REALM_UART_IPA))

func say(_ line: LogLine) { line.write(to: realmUART) }
func say(_ text: StaticString) { say(LogLine(text)) }

/// Counts and prints the realm's checks: `PASS name` or `FAIL name ...`, then a total.
struct RealmChecks {
    private(set) var passed: UInt64 = 0
    private(set) var failed: UInt64 = 0

    mutating func expect(_ name: StaticString, _ condition: Bool, _ detail: LogLine = LogLine()) {
        var line = LogLine(condition ? "PASS " : "FAIL ")
        line.append(name)
        line.append(detail)
        say(line)
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
        var line = LogLine("checks: ")
        line.decimal(passed)
        line.append(" passed, ")
        line.decimal(failed)
        line.append(" failed")
        say(line)
    }
}
