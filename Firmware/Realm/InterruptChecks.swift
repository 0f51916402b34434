import AArch64
import RealmLayout

// Virtual interrupts as an OS takes them. The realm's EL1 virtual timer fires and the realm
// sends itself an SGI (ICC_SGI1R_EL1, the way an SMP guest sends IPIs), both while IRQs are
// masked. The host learns of the timer from the REC exit and of the SGI from the SYNC exit the
// write causes, and puts both in list registers at different priorities (realm_layout.h). Then,
// still masked, the realm waits in WFI, which must complete at once, as Linux's idle loop
// expects; and unmasks, which must take both interrupts while it merely spins, the higher
// priority first, one per ICC_IAR1_EL1. The TMM emulates the CPU interface from the list
// registers and takes its interrupt into the realm as soon as it sees IRQs unmasked (on QEMU
// 7.2 within about 100 us: Docs/realm-execution.md, "Interrupts").

enum InterruptChecks {
    static func run(_ checks: inout RealmChecks) {
        prepareForInterrupt()
        mask_irq()
        let frequency = read_cntfrq_el0()
        let deadline = read_cntvct_el0() + 2 * frequency

        // The timer fires; its physical interrupt ends the run and the host injects INTID 27.
        write_cntv_cval_el0(read_cntvct_el0() + frequency / 100)
        write_cntv_ctl_el0(1)   // ENABLE, not masked
        isb()
        while read_icc_hppir1_el1() & 0xFF_FFFF != virtualTimerINTID && read_cntvct_el0() < deadline {}

        // The SGI: the write exits to the host, which delivers it at the next REC_ENTER.
        let sgi = UInt64(REALM_TEST_SGI)
        let value = toSelf(intid: sgi)
        write_icc_sgi1r_el1(value)
        isb()
        while read_icc_hppir1_el1() & 0xFF_FFFF != sgi && read_cntvct_el0() < deadline {}
        let highest = read_icc_hppir1_el1() & 0xFF_FFFF

        // WFI with both pending and IRQs masked: it completes (at once; the time is printed).
        let before = read_cntvct_el0()
        wfi()
        let waited = read_cntvct_el0() - before
        let pendingAfterWFI = read_icc_hppir1_el1() & 0xFF_FFFF
        let takenWhileMasked = interruptCount

        // Unmasking takes both while the realm spins without a trap of its own (how soon is
        // printed: the TMM looks every 100 us, but QEMU's clock follows the loaded build
        // machine's, so no bound is checked here; the host tests check the mechanism).
        let unmasked = read_cntvct_el0()
        unmask_irq()
        isb()
        while interruptCount < 2 && read_cntvct_el0() - unmasked < 2 * frequency {}
        let takenAtUnmask = interruptCount
        let latency = read_cntvct_el0() - unmasked
        mask_irq()

        var masked = LogLine(": ICC_HPPIR1_EL1 ")
        masked.decimal(highest)
        masked.append(", interrupts taken while masked ")
        masked.decimal(takenWhileMasked)
        checks.expect("GIC: interrupts pending while IRQs are masked wait; ICC_HPPIR1_EL1 names the higher-priority one (the SGI)",
                      highest == sgi && takenWhileMasked == 0, masked)
        var wait = LogLine(": ")
        wait.decimal(waited * 1_000_000 / frequency)
        wait.append(" us in WFI")
        checks.expect("GIC: WFI with IRQs masked completes on a pending virtual interrupt, which stays pending",
                      takenWhileMasked == 0 && pendingAfterWFI == sgi, wait)
        var order = LogLine(": ")
        order.decimal(takenAtUnmask)
        order.append(" taken in ")
        order.decimal(latency * 1_000_000 / frequency)
        order.append(" us")
        order.append(", INTIDs ")
        order.decimal(takenINTIDs.0)
        order.append(", ")
        order.decimal(takenINTIDs.1)
        order.append(", ICC_RPR_EL1 in the handler ")
        order.hex(runningPriorities.0)
        order.append(", ")
        order.hex(runningPriorities.1)
        checks.expect("GIC: unmasking takes both pending interrupts without a trap of the realm's, the higher priority first, one per ICC_IAR1_EL1",
                      takenAtUnmask == 2 && takenINTIDs.0 == sgi && takenINTIDs.1 == virtualTimerINTID
                          && runningPriorities.0 == UInt64(REALM_SGI_PRIORITY)
                          && runningPriorities.1 == UInt64(REALM_TIMER_PRIORITY), order)

        var timer = LogLine(": CNTV_CTL_EL0 at the interrupt ")
        timer.hex(timerControlAtInterrupt)
        checks.expect("virtual timer: the IRQ handler takes INTID 27 with the timer condition met",
                      takenINTIDs.1 == virtualTimerINTID && timerControlAtInterrupt & 0b111 == 0b101, timer)
        checks.expectEqual("virtual timer: off after the handler (CNTV_CTL_EL0)", read_cntv_ctl_el0() & 1, 0)
        var detail = LogLine(": ICC_SGI1R_EL1 ")
        detail.hex(value)
        detail.append(", IRQ handler took INTID ")
        detail.decimal(takenINTIDs.0)
        checks.expect("GIC: an SGI to itself (ICC_SGI1R_EL1) arrives as a virtual IRQ with its INTID, acknowledged and ended",
                      takenINTIDs.0 == sgi, detail)
        checks.expectEqual("GIC: ICC_IAR1_EL1 with nothing pending reads 1023", read_icc_iar1_el1() & 0xFF_FFFF, 1023)
    }

    /// ICC_SGI1R_EL1 for SGI `intid` to this PE alone: Aff3/Aff2/Aff1 from MPIDR_EL1, RS and
    /// the TargetList bit from Aff0, IRM 0.
    static func toSelf(intid: UInt64) -> UInt64 {
        let mpidr = read_mpidr_el1()
        let aff0 = mpidr & 0xFF
        return (mpidr >> 32 & 0xFF) << 48 | (aff0 >> 4) << 44 | (mpidr >> 16 & 0xFF) << 32
            | (intid & 0xF) << 24 | (mpidr >> 8 & 0xFF) << 16 | 1 << (aff0 & 0xF)
    }
}
