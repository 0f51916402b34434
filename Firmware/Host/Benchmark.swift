import AArch64

// Round-trip cost of SMCs through the firmware, counted by the PMU cycle counter. Under QEMU
// with `-icount shift=0` the virtual clock advances one nanosecond per instruction and QEMU's
// cycle counter runs at 1 GHz of that clock, so counts are instructions and repeat exactly.

enum Benchmark {
    private static let iterations = 501
    nonisolated(unsafe) private static var samples = InlineArray<501, UInt64>(repeating: 0)

    static func run() {
        enableCycleCounter()
        console.print("[bench] cycles per SMC round trip from NS-EL2 (PMCCNTR; instructions under -icount shift=0)")
        measure("counter read overhead", fid: nil, x1: 0)
        measure("RMI_VERSION", fid: RMIFID.version, x1: RMI.version1_0)
        measure("RMI_FEATURES", fid: RMIFID.features, x1: 0)
        measure("NOT_SUPPORTED SMC", fid: 0xC200_0001, x1: 0)
    }

    /// PMCR_EL0: enable (E), reset the cycle counter (C), 64-bit overflow (LC); PMCCFILTR_EL0:
    /// count at EL2 (NSH) and, by leaving P, U and M clear, at EL1, EL0 and EL3 too, so the
    /// secure side of a call is counted as well.
    private static func enableCycleCounter() {
        write_pmccfiltr_el0(1 << 27)
        write_pmcr_el0(read_pmcr_el0() | 1 << 0 | 1 << 2 | 1 << 6)
        write_pmcntenset_el0(1 << 31)
        isb()
    }

    private static func measure(_ name: StaticString, fid: UInt64?, x1: UInt64) {
        for i in 0..<iterations {
            isb()
            let start = read_pmccntr_el0()
            if let fid { _ = smc(fid, x1) }
            isb()
            samples[i] = read_pmccntr_el0() &- start
        }
        // Insertion sort: a few hundred samples, no heap.
        for i in 1..<iterations {
            let value = samples[i]
            var j = i
            while j > 0 && samples[j - 1] > value {
                samples[j] = samples[j - 1]
                j -= 1
            }
            samples[j] = value
        }
        var line = LogLine("[bench] ")
        line.append(name)
        line.append(": min ")
        line.decimal(samples[0])
        line.append(" median ")
        line.decimal(samples[iterations / 2])
        line.append(" max ")
        line.decimal(samples[iterations - 1])
        line.append(" (n=")
        line.decimal(UInt64(iterations))
        line.append(")")
        console.print(line)
    }
}
