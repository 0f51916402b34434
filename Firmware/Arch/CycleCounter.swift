import AArch64

// The PMU cycle counter read around a piece of firmware work (at EL3 or Secure EL2), to report
// what it costs. Under QEMU with -icount shift=0 the counter advances one per instruction, so
// the figure repeats exactly from run to run; without -icount it follows QEMU's virtual clock
// and varies with the host's load.
//
// Counting needs the cycle counter enabled (PMCR_EL0.E, PMCNTENSET_EL0.C) and, because event
// counting is prohibited in Secure state (MDCR_EL3.SPME = 0), PMCR_EL0.DP clear: then the
// cycle counter still counts there (Arm ARM D13, "prohibited regions"). PMCCFILTR_EL0 has only
// NSH set: EL1 and EL0 counted (P = U = 0), EL3 counted (M == P), Non-secure EL2 counted (NSH)
// and Secure EL2 counted (SH != NSH). The previous settings are restored afterwards.

struct CycleCounter {
    private let savedControl: UInt64
    private let savedEnabled: Bool
    private let savedFilter: UInt64
    private let start: UInt64

    private static let enable: UInt64 = 1 << 0                 // PMCR_EL0.E
    private static let disableWhenProhibited: UInt64 = 1 << 5  // PMCR_EL0.DP
    private static let cycleCounterBit: UInt64 = 1 << 31      // PMCNTEN{SET,CLR}_EL0.C
    private static let countEverywhere: UInt64 = 1 << 27      // PMCCFILTR_EL0.NSH

    init() {
        savedControl = read_pmcr_el0()
        savedEnabled = read_pmcntenset_el0() & Self.cycleCounterBit != 0
        savedFilter = read_pmccfiltr_el0()
        write_pmccfiltr_el0(Self.countEverywhere)
        write_pmcntenset_el0(Self.cycleCounterBit)
        write_pmcr_el0(savedControl & ~Self.disableWhenProhibited | Self.enable)
        isb()
        start = read_pmccntr_el0()
    }

    /// Cycles since `init`; restores the PMU settings found then.
    func stop() -> UInt64 {
        isb()
        let end = read_pmccntr_el0()
        write_pmcr_el0(savedControl)
        write_pmccfiltr_el0(savedFilter)
        if !savedEnabled { write_pmcntenclr_el0(Self.cycleCounterBit) }
        isb()
        return end &- start
    }
}
