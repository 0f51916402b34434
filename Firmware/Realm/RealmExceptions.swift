import AArch64

// The realm's exception handling: aborts the checks provoke on purpose (the handler records the
// syndrome and skips the faulting instruction), the virtual timer's interrupt, and anything
// else, which ends the run.

/// ESR_EL1 of a data abort taken at EL1 and the fault status code of a synchronous external
/// abort (Arm ARM D24.2.45).
enum Syndrome {
    static let dataAbortSameEL: UInt64 = 0x25
    static let externalAbort: UInt64 = 0x10

    static func exceptionClass(_ esr: UInt64) -> UInt64 { esr >> 26 & 0x3F }
    static func faultStatus(_ esr: UInt64) -> UInt64 { esr & 0x3F }
}

nonisolated(unsafe) var expectingAbort = false
nonisolated(unsafe) var abortTaken = false
nonisolated(unsafe) var abortSyndrome: UInt64 = 0
nonisolated(unsafe) var abortAddress: UInt64 = 0

/// What the IRQ handler saw: how many interrupts it took, the INTIDs and ICC_RPR_EL1 (the
/// running priority once acknowledged) of the first two, the timer's control at its interrupt.
nonisolated(unsafe) var interruptCount: UInt64 = 0
nonisolated(unsafe) var takenINTIDs: (UInt64, UInt64) = (0, 0)
nonisolated(unsafe) var runningPriorities: (UInt64, UInt64) = (0, 0)
nonisolated(unsafe) var timerControlAtInterrupt: UInt64 = 0

/// The outcome of an access that is expected to fault.
struct AbortProbe {
    var taken: Bool
    var syndrome: UInt64
    var address: UInt64
    var value: UInt64

    /// A data abort at EL1 with the fault status of a synchronous external abort.
    var isExternalAbort: Bool {
        taken && Syndrome.exceptionClass(syndrome) == Syndrome.dataAbortSameEL
            && Syndrome.faultStatus(syndrome) == Syndrome.externalAbort
    }

    var isDataAbort: Bool { taken && Syndrome.exceptionClass(syndrome) == Syndrome.dataAbortSameEL }

    var detail: LogLine {
        var line = LogLine(": ")
        if taken {
            line.append("ESR_EL1 ")
            line.hex(syndrome, digits: 8)
            line.append(" FAR_EL1 ")
            line.hex(address)
        } else {
            line.append("no abort, read ")
            line.hex(value)
        }
        return line
    }
}

/// Loads 8 bytes from `address`, which is expected to fault.
func probeRead(_ address: UInt64) -> AbortProbe {
    abortTaken = false
    abortSyndrome = 0
    abortAddress = 0
    expectingAbort = true
    let value = probe_read64(address)
    expectingAbort = false
    return AbortProbe(taken: abortTaken, syndrome: abortSyndrome, address: abortAddress, value: value)
}

/// Stores 8 bytes to `address`, which is expected to fault.
func probeWrite(_ address: UInt64, _ value: UInt64) -> AbortProbe {
    abortTaken = false
    abortSyndrome = 0
    abortAddress = 0
    expectingAbort = true
    probe_write64(address, value)
    expectingAbort = false
    return AbortProbe(taken: abortTaken, syndrome: abortSyndrome, address: abortAddress, value: 0)
}

/// Saved registers of an exception (realm_entry.S): x0-x30, ELR_EL1, SPSR_EL1.
private let savedELRIndex = 31

@_cdecl("realm_exception")
func realmException(_ kind: UInt64, _ frame: UnsafeMutablePointer<UInt64>) {
    let esr = read_esr_el1()
    // Vector 4: synchronous exception at EL1 with SP_EL1.
    if kind == 4 && expectingAbort && Syndrome.exceptionClass(esr) == Syndrome.dataAbortSameEL {
        abortSyndrome = esr
        abortAddress = read_far_el1()
        abortTaken = true
        expectingAbort = false
        frame[savedELRIndex] += 4
        return
    }
    // Vector 5: IRQ at EL1 with SP_EL1. Acknowledge, quieten the source, end the interrupt.
    if kind == 5 {
        let acknowledged = read_icc_iar1_el1()
        let intid = acknowledged & 0xFF_FFFF
        let priority = read_icc_rpr_el1()
        if interruptCount == 0 { takenINTIDs.0 = intid; runningPriorities.0 = priority }
        if interruptCount == 1 { takenINTIDs.1 = intid; runningPriorities.1 = priority }
        interruptCount += 1
        if intid == virtualTimerINTID {
            timerControlAtInterrupt = read_cntv_ctl_el0()
            write_cntv_ctl_el0(0)
            isb()
        }
        if intid < 1020 { write_icc_eoir1_el1(acknowledged) }
        return
    }
    var line = LogLine("FAIL unexpected exception, vector ")
    line.decimal(kind)
    line.append(": ESR_EL1 ")
    line.hex(esr, digits: 8)
    line.append(" ELR_EL1 ")
    line.hex(frame[savedELRIndex])
    line.append(" FAR_EL1 ")
    line.hex(read_far_el1())
    // The MMU may be on (stage-1 experiment), and the console's IPA is not mapped there.
    write_sctlr_el1(read_sctlr_el1() & ~1)
    isb()
    say(line)
    systemOff()
}

/// Opens the emulated CPU interface to every Group 1 interrupt (PMR 0xFF, IGRPEN1 1) and
/// forgets what the IRQ handler saw before.
func prepareForInterrupt() {
    write_icc_pmr_el1(0xFF)
    write_icc_igrpen1_el1(1)
    isb()
    interruptCount = 0
    takenINTIDs = (0, 0)
    runningPriorities = (0, 0)
}

/// The EL1 virtual timer's PPI (Arm BSA).
let virtualTimerINTID: UInt64 = 27
