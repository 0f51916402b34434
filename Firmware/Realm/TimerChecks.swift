import AArch64

// The EL1 virtual timer and the GICv3 CPU interface as the realm sees them: arm the timer for a
// short deadline, wait with IRQs unmasked, and take INTID 27 in the IRQ handler, which
// acknowledges it (ICC_IAR1_EL1), turns the timer off and ends it (ICC_EOIR1_EL1). The host
// learns of the expiry from the REC exit and injects the interrupt through a list register;
// the TMM emulates the CPU interface from those list registers.

enum TimerChecks {
    static func run(_ checks: inout RealmChecks) {
        prepareForInterrupt()
        write_cntv_cval_el0(read_cntvct_el0() + read_cntfrq_el0() / 100)
        write_cntv_ctl_el0(1)   // ENABLE, not masked
        isb()
        awaitInterrupt()

        var detail = LogLine(": INTID ")
        detail.decimal(interruptID)
        detail.append(", CNTV_CTL_EL0 at the interrupt ")
        detail.hex(timerControlAtInterrupt)
        checks.expect("virtual timer: the IRQ handler takes INTID 27 with the timer condition met",
                      interruptCount == 1 && interruptID == virtualTimerINTID && timerControlAtInterrupt & 0b111 == 0b101, detail)
        checks.expectEqual("virtual timer: off after the handler (CNTV_CTL_EL0)", read_cntv_ctl_el0() & 1, 0)
        checks.expectEqual("GIC: ICC_IAR1_EL1 with nothing pending reads 1023", read_icc_iar1_el1() & 0xFF_FFFF, 1023)
    }
}
