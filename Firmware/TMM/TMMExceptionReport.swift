import AArch64

// An exception at the TMM's own level means a TMM bug: report it and stop this CPU.

#if TMM_AT_EL3
// In the EL3 image the TMM shares the monitor's vectors and reporting.
#else
@_cdecl("tmm_unexpected_exception")
func tmmUnexpectedException(_ kind: UInt64) -> Never {
    var line = LogLine("[TMM] UNEXPECTED EXCEPTION, vector ")
    line.decimal(kind)
    line.append(": ESR_EL2 ")
    line.hex(read_esr_el2(), digits: 8)
    line.append(" ELR_EL2 ")
    line.hex(read_elr_el2(), digits: 16)
    line.append(" FAR_EL2 ")
    line.hex(read_far_el2(), digits: 16)
    line.append(" SPSR_EL2 ")
    line.hex(read_spsr_el2(), digits: 8)
    console.print(line)
    console.print("[TMM]   this CPU is stopped")
    mask_all_interrupts()
    while true { wfi() }
}
#endif
