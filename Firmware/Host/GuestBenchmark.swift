import AArch64

// Instruction counts of a Linux guest's run, the same way for a realm (LinuxRealmVMM) and for
// the ordinary VM (NormalVMM), so that `make bench-linux` can put them side by side. The PMU
// cycle counter runs from the guest's first entry; the guest's console output is scanned for
// the marker lines of Tools/guest/init-realm.sh (Docs/guest.md), and the counter is read when
// a marker line ends. Under QEMU `-icount shift=0` the cycle counter advances once per
// instruction executed anywhere (guest, TMM, monitor, host), plus the virtual time QEMU skips
// while the CPU sleeps in WFI: the host counts that part separately around its own idle WFI
// (`idle`), so the reports give both.

enum GuestBenchmark {
    /// The markers, in the order the guest prints them.
    enum Marker: Int {
        case initReached = 0, cpuBegin, cpuEnd, ioBegin, ioEnd
    }
    static let markerCount = 5

    nonisolated(unsafe) private static var running = false
    nonisolated(unsafe) private static var start: UInt64 = 0
    nonisolated(unsafe) private static var idleTotal: UInt64 = 0
    nonisolated(unsafe) private static var seen = InlineArray<5, Bool>(repeating: false)
    nonisolated(unsafe) private static var at = InlineArray<5, UInt64>(repeating: 0)
    nonisolated(unsafe) private static var idleAt = InlineArray<5, UInt64>(repeating: 0)
    /// The start of the guest's current console line (markers are matched by prefix).
    nonisolated(unsafe) private static var line = InlineArray<40, UInt8>(repeating: 0)
    nonisolated(unsafe) private static var lineLength = 0

    /// PMCR_EL0.E and LC (a 64-bit cycle counter) with DP clear (it keeps counting in Secure state, where the
    /// realm and the TMM run), PMCCFILTR_EL0.NSH: every Exception level of both states
    /// (CycleCounter.swift explains the filter).
    static func startAtFirstEntry() {
        guard !running else { return }
        write_pmccfiltr_el0(1 << 27)
        write_pmcntenset_el0(1 << 31)
        write_pmcr_el0(read_pmcr_el0() & ~(1 << 5) | 1 << 0 | 1 << 6)
        isb()
        running = true
        idleTotal = 0
        for i in 0..<markerCount { seen[i] = false }
        lineLength = 0
        start = read_pmccntr_el0()
    }

    /// Counts the cycles of a host WFI while every vCPU waits.
    static func idle(_ body: () -> Void) {
        guard running else { return body() }
        isb()
        let before = read_pmccntr_el0()
        body()
        isb()
        idleTotal &+= read_pmccntr_el0() &- before
    }

    /// A byte the guest wrote to its UART.
    static func observe(_ byte: UInt8) {
        guard running else { return }
        if byte == 0x0A {
            if let marker = match() , !seen[marker.rawValue] {
                isb()
                at[marker.rawValue] = read_pmccntr_el0() &- start
                idleAt[marker.rawValue] = idleTotal
                seen[marker.rawValue] = true
            }
            lineLength = 0
            return
        }
        guard byte != 0x0D, lineLength < 40 else { return }
        line[lineLength] = byte
        lineLength += 1
    }

    private static func match() -> Marker? {
        if hasPrefix("TMM-GUEST: init reached") { return .initReached }
        if hasPrefix("TMM-GUEST: bench cpu begin") { return .cpuBegin }
        if hasPrefix("TMM-GUEST: bench cpu end") { return .cpuEnd }
        if hasPrefix("TMM-GUEST: bench io begin") { return .ioBegin }
        if hasPrefix("TMM-GUEST: bench io end") { return .ioEnd }
        return nil
    }

    private static func hasPrefix(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard n <= lineLength else { return false }
        let p = text.utf8Start
        for i in 0..<n where line[i] != p[i] { return false }
        return true
    }

    /// `[bench] <who>: ...` lines for what was seen (Tools/bench_linux.py reads them).
    static func report(_ who: StaticString) {
        guard running else { return }
        running = false
        span(who, "boot to init marker", from: nil, to: .initReached)
        span(who, "workload cpu+memory", from: .cpuBegin, to: .cpuEnd)
        span(who, "workload I/O", from: .ioBegin, to: .ioEnd)
    }

    private static func span(_ who: StaticString, _ name: StaticString, from: Marker?, to: Marker) {
        var l = LogLine("[bench] ")
        l.append(who)
        l.append(": ")
        l.append(name)
        let begun = from.map { seen[$0.rawValue] } ?? true
        guard begun && seen[to.rawValue] else {
            l.append(": not reached")
            console.print(l)
            return
        }
        let total = at[to.rawValue] &- (from.map { at[$0.rawValue] } ?? 0)
        let idle = idleAt[to.rawValue] &- (from.map { idleAt[$0.rawValue] } ?? 0)
        l.append(": ")
        l.decimal(total &- idle)
        l.append(" instructions, ")
        l.decimal(idle)
        l.append(" idle")
        console.print(l)
    }
}
