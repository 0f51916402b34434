import AArch64

// An exception the monitor does not expect means firmware or configuration is broken: report
// what the CPU says about it on the secure console and stop this CPU. Other CPUs go on.

private let exceptionKindNames: InlineArray<13, StaticString> = [
    "EL3 sync (SP_EL0)", "EL3 IRQ (SP_EL0)", "EL3 FIQ (SP_EL0)", "EL3 SError (SP_EL0)",
    "EL3 sync", "EL3 IRQ", "EL3 FIQ", "EL3 SError",
    "lower-EL sync", "lower-EL IRQ", "lower-EL FIQ", "lower-EL SError", "lower-EL AArch32",
]

@_cdecl("monitor_unexpected_exception")
func monitorUnexpectedException(_ kind: UInt64, _ savedRegisters: UnsafeMutableRawPointer) -> Never {
    reportUnexpectedException(kind: kind, lowerEL: false)
}

func reportUnexpectedException(kind: UInt64, lowerEL: Bool) -> Never {
    var line = LogLine("[EL3] UNEXPECTED EXCEPTION on CPU ")
    line.decimal(read_tpidr_el3())
    line.append(": ")
    line.append(kind < 13 ? exceptionKindNames[Int(kind)] : "unknown")
    console.print(line)
    var registers = LogLine("[EL3]   ESR_EL3 ")
    registers.hex(read_esr_el3(), digits: 8)
    registers.append(" ELR_EL3 ")
    registers.hex(read_elr_el3(), digits: 16)
    registers.append(" FAR_EL3 ")
    registers.hex(read_far_el3(), digits: 16)
    registers.append(" SPSR_EL3 ")
    registers.hex(read_spsr_el3(), digits: 8)
    console.print(registers)
    console.print("[EL3]   this CPU is stopped")
    haltCPU()
}
