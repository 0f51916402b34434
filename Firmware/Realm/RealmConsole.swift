import AArch64
import RealmLayout
import RealmSupport

// The test realm's console and check recorder. The realm writes to a PL011 data register at an
// unprotected IPA that nothing maps: each access is an MMIO exit that the host emulates and
// forwards to its own console, prefixed `[realm]`.

var realmUART: PL011 { PL011(base: AddressSpace.uartAddress) }

func say(_ line: LogLine) {
    if AddressSpace.consoleByHostCall { HostCallConsole.write(line) } else { line.write(to: realmUART) }
}

/// The console through RSI_HOST_CALL (REALM_HOST_CALL_CONSOLE), one line per call, in a
/// RsiHostCall of each REC's own (TPIDR_EL1 = REC index) after the one the checks use.
enum HostCallConsole {
    static func write(_ line: LogLine) {
        let structure = realm_host_call_page() + 0x100 * (1 + (read_tpidr_el1() & 1))
        Memory.fill(structure, bytes: 0x100, 0)
        Memory.store(structure, UInt64(REALM_HOST_CALL_CONSOLE))
        var count: UInt64 = 0
        var word: UInt64 = 0
        line.forEachByte { byte in
            guard count < 240 else { return }
            word |= UInt64(byte) << (8 * (count & 7))
            count += 1
            if count & 7 == 0 {
                Memory.store(structure + 8 + 8 * (count >> 3), word)
                word = 0
            }
        }
        if count & 7 != 0 { Memory.store(structure + 8 + 8 * ((count >> 3) + 1), word) }
        Memory.store(structure + 8, count)
        _ = rsi(RSIFunction.hostCall, structure)
    }
}
func say(_ text: StaticString) { say(LogLine(text)) }

/// Counts and prints the realm's checks: `PASS name` or `FAIL name ...`, then a total.
struct RealmChecks {
    private(set) var passed: UInt64 = 0
    private(set) var failed: UInt64 = 0
    private(set) var notApplicable: UInt64 = 0

    mutating func expect(_ name: StaticString, _ condition: Bool, _ detail: LogLine = LogLine()) {
        var line = LogLine(condition ? "PASS " : "FAIL ")
        line.append(name)
        line.append(detail)
        say(line)
        if condition { passed += 1 } else { failed += 1 }
    }

    /// A check this platform cannot pass because what it checks does not exist here: never
    /// counted as passed (Docs/el3-realms.md lists them).
    mutating func notApplicable(_ name: StaticString, _ reason: StaticString) {
        var line = LogLine("N/A ")
        line.append(name)
        line.append(": ")
        line.append(reason)
        say(line)
        notApplicable += 1
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
        if notApplicable > 0 {
            line.append(", ")
            line.decimal(notApplicable)
            line.append(" not applicable")
        }
        say(line)
    }
}
