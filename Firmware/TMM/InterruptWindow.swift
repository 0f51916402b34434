import AArch64
import PlatformDefinitions

// RealmRunControls.interruptWindow on this platform: stop a realm that has an interrupt pending
// behind PSTATE.I soon after it may have unmasked IRQs, so that the core can take the interrupt
// into it. A CPU with a GIC that virtualises Secure EL1 would use HCR_EL2.VI (the CPU takes the
// virtual IRQ exactly at the unmask); QEMU 7.2 honours VI only with HCR_EL2.IMO set, and with IMO
// set it sends a Secure EL1 guest's ICC_* accesses to the physical CPU interface instead of
// trapping them to EL3 (checked: the realm then read the physical ICC_CTLR_EL1, BPR1 and
// HPPIR1 and could write the physical PMR), which a realm must never reach
// (Docs/realm-execution.md). So the TMM polls: the EL2 physical timer (CNTHP, PPI 26), which
// QEMU 7.2 does not bank by security state and which the host may be using to bound the run,
// is borrowed for the run: it fires at the earlier of the host's deadline and `period` from
// now; the host's values are put back afterwards. Its interrupt ends the run like any physical
// interrupt; if the host's own deadline has not passed, the exit is the window's.

struct InterruptWindow {
    /// EL2 physical timer PPI (Arm BSA: INTID 26).
    static let hypervisorTimerPPI: UInt32 = 26

    private let hostControl: UInt64
    private let hostCompare: UInt64
    private let deadline: UInt64
    private let enableSet: UInt64
    private let enableClear: UInt64
    private let enabledForTheRun: Bool

    /// Counter ticks over which the early windows after a WFI are spread (at QEMU's 62.5 MHz
    /// counter, about 2 us, some 2000 instructions under -icount shift=0).
    static let afterWFISpread: UInt64 = 128

    /// Arms the window `1 / periodsPerSecond` seconds from now; right after a WFI
    /// (RealmRunControls.interruptWindowAfterWFI) much sooner, one tick later than the last
    /// time on this CPU (`phase`, wrapping at `afterWFISpread`): an idle loop that unmasks for
    /// a few instructions between WFIs is then seen unmasked within a sweep, whereas a fixed
    /// delay could land on the same masked instruction every time.
    init(cpu: UInt64, periodsPerSecond: UInt64, afterWFI: Bool, phase: inout UInt64) {
        hostControl = read_cnthp_ctl_el2()
        hostCompare = read_cnthp_cval_el2()
        var delay = read_cntfrq_el0() / periodsPerSecond
        if afterWFI {
            phase = (phase &+ 1) % Self.afterWFISpread
            delay = min(delay, phase &+ 1)
        }
        deadline = read_cntpct_el0() &+ delay
        let hostArmed = hostControl & 0b11 == 0b01
        let compare = hostArmed && hostCompare < deadline ? hostCompare : deadline
        write_cnthp_ctl_el2(0)
        write_cnthp_cval_el2(compare)
        write_cnthp_ctl_el2(1)   // ENABLE, not masked
        let sgiFrame = redistributorSGIFrame(cpu: cpu)
        enableSet = sgiFrame + 0x100     // GICR_ISENABLER0
        enableClear = sgiFrame + 0x180   // GICR_ICENABLER0
        let bit: UInt32 = 1 << Self.hypervisorTimerPPI
        enabledForTheRun = mmio_read32(enableSet) & bit == 0
        if enabledForTheRun { mmio_write32(enableSet, bit) }
        dsb_sy()
        isb()
    }

    /// The host's timer is enabled and not masked: its interrupt is the host's to see.
    private var hostTimerArmed: Bool { hostControl & 0b11 == 0b01 }

    /// Whether a physical interrupt that ended the run at counter value `now` was the window's:
    /// its deadline has passed and the host's own timer has not fired.
    func ended(now: UInt64) -> Bool {
        now >= deadline && !(hostTimerArmed && now >= hostCompare)
    }

    /// The host's timer as it was (firing at once if its deadline passed meanwhile) and PPI 26
    /// as the host left it.
    func restore() {
        write_cnthp_ctl_el2(0)
        write_cnthp_cval_el2(hostCompare)
        write_cnthp_ctl_el2(hostControl)
        if enabledForTheRun { mmio_write32(enableClear, 1 << Self.hypervisorTimerPPI) }
        isb()
    }
}
