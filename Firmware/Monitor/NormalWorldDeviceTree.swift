import AArch64
import MonitorStorage
import PlatformDefinitions

/// Which of the two embedded device trees the normal world gets (ns_dtb.S): the one that lists
/// the EL2 virtual timer's interrupt where the board wires that timer to the GIC, the other
/// where it does not. Telling Linux about an interrupt that never arrives is worse than not
/// describing it: a VHE kernel then runs its clock on that timer and stops at its first sleep.
enum NormalWorldDeviceTree {
    /// CNTHV_CTL_EL2.ENABLE; IMASK clear, so the timer's output follows its condition.
    private static let timerEnable: UInt64 = 1
    /// SCR_EL3.NS: with FEAT_SEL2, the CNTHV_* encodings reach the Non-secure EL2 virtual timer
    /// only while NS is set (in Secure state they name the Secure EL2 one).
    private static let scrNonSecure: UInt64 = 1

    /// The chosen tree's bounds. Called once, on the boot CPU, before the normal world runs.
    static func choose(cpu: UInt64) -> (start: UInt64, end: UInt64) {
        let wired = el2VirtualTimerIsWired(cpu: cpu)
        var line = LogLine("[EL3] EL2 virtual timer interrupt (PPI ")
        line.decimal(UInt64(PLAT_EL2_VTIMER_PPI))
        if !CPUFeatures.hasVHE {
            line.append("): no FEAT_VHE, not described")
        } else if wired {
            line.append("): wired, described to the normal world")
        } else {
            line.append("): not wired on this board, left out of the normal world's device tree")
        }
        console.print(line)
        return wired ? (ns_dtb_start(), ns_dtb_fallback_start()) : (ns_dtb_fallback_start(), ns_dtb_end())
    }

    /// Makes the EL2 virtual timer's condition true (compare value 0) and looks whether the
    /// redistributor sees the PPI's line asserted; then turns the timer off again, which drops
    /// the level-sensitive line (nothing stays latched).
    private static func el2VirtualTimerIsWired(cpu: UInt64) -> Bool {
        guard CPUFeatures.hasVHE else { return false }
        let scr = read_scr_el3()
        write_scr_el3(scr | scrNonSecure)
        isb()
        write_cnthv_cval_el2(0)
        write_cnthv_ctl_el2(timerEnable)
        isb()
        let pending = GICv3.isPrivateInterruptPending(16 + UInt32(PLAT_EL2_VTIMER_PPI), cpu: Int(cpu))
        write_cnthv_ctl_el2(0)
        isb()
        write_scr_el3(scr)
        isb()
        return pending
    }
}
