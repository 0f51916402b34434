import AArch64
import RealmLayout

// The VMM's run loop: REC_ENTER for each runnable REC in turn (one physical CPU, round robin
// after every exit), and the host's side of every exit the realm causes (DEN0137 1.0-rel0,
// RmiRecRun: RmiRecEnter at 0x000, RmiRecExit at 0x800):
//   SYNC          data abort at an unprotected IPA: the emulated PL011 (EMUL_MMIO, the read
//                 value in gprs[0]; a write's value arrives in RecExit.gprs[0]), else INJECT_SEA;
//                 an ICC_SGI1R_EL1 write (EC 0x18): the SGI for its targets (VirtualSGI.swift)
//   IRQ           a physical interrupt of the host's (or its own preemption timer): enter again
//   FIQ           an interrupt the host would take as FIQ (none on this platform): enter again
//   PSCI          CPU_ON / AFFINITY_INFO completed with PSCI_COMPLETE; CPU_OFF; SYSTEM_OFF
//   RIPAS_CHANGE  RTT_SET_RIPAS over the range, or a reject for RAM the host cannot back
//   HOST_CALL     answered in RecEnter.gprs (conventions in realm_layout.h)
// After every exit, the virtual timer: when RecExit.cntv_ctl shows it enabled, unmasked and
// asserted, the host injects INTID 27 through a list register (ICH_LR<n>_EL2 format) and
// follows that list register's state in the next RecExits. SGIs use list register 1 likewise.

/// RmiRecRun offsets.
enum RecRun {
    static let enterFlags = 0x000
    static let enterGPRs = 0x200
    static let enterGICHCR = 0x300
    static let enterGICLRs = 0x308
    static let exitReason = 0x800
    static let exitESR = 0x900
    static let exitFAR = 0x908
    static let exitHPFAR = 0x910
    static let exitGPRs = 0xA00
    static let exitGICLRs = 0xB08
    static let exitCNTVCTL = 0xC10
    static let exitCNTVCVAL = 0xC18
    static let exitRIPASBase = 0xD00
    static let exitRIPASTop = 0xD08
    static let exitRIPASValue = 0xD10
    static let exitImmediate = 0xE00

    // RmiRecExitReason
    static let sync: UInt64 = 0
    static let irq: UInt64 = 1
    static let fiq: UInt64 = 2
    static let psci: UInt64 = 3
    static let ripasChange: UInt64 = 4
    static let hostCall: UInt64 = 5
    static let serror: UInt64 = 6

    // RmiRecEnterFlags
    static let emulatedMMIO: UInt64 = 1 << 0
    static let injectSEA: UInt64 = 1 << 1
    static let trapWFI: UInt64 = 1 << 2
    static let ripasResponseReject: UInt64 = 1 << 4
}

/// A list register (ICH_LR<n>_EL2): pending, Group 1, HW = 0, vINTID 27, a lower priority than
/// the realm's SGIs (realm_layout.h).
let timerListRegister: UInt64 = pendingListRegister(27, priority: UInt64(REALM_TIMER_PRIORITY))

/// What the host saw while a realm ran; the checks read it afterwards.
struct RunReport {
    var exits: UInt64 = 0
    var irqExits: UInt64 = 0
    var fiqExits: UInt64 = 0
    var mmioWrites: UInt64 = 0
    var mmioReads: UInt64 = 0
    var consoleHostCalls: UInt64 = 0
    var realmLines: UInt64 = 0
    var seaInjected: UInt64 = 0
    var seaIPA: UInt64 = 0
    var echoAnswered = false
    var sharedReplySeen = false
    var ripasAccepted: UInt64 = 0
    var ripasSetCalls: UInt64 = 0
    var ripasRejected: UInt64 = 0
    var cpuOnCompleted: UInt64 = 0
    var affinityCompleted: UInt64 = 0
    var secondEntered = false
    var secondTurnedOff = false
    var timerInjected: UInt64 = 0
    var timerCompleted = false
    var timerLRAfterEOI: UInt64 = 0
    var sgiExits: UInt64 = 0
    var sgiESR: UInt64 = 0
    var sgiValue: UInt64 = 0
    var sgiToSelf: UInt64 = 0
    var sgiInjected: UInt64 = 0
    var sgiCompleted: UInt64 = 0
    var sgiLRAfterEOI: UInt64 = 0
    var tokenBytes: UInt64 = 0
    var realmReported = false
    var realmPassed: UInt64 = 0
    var realmFailed: UInt64 = 0
    var systemOff = false
    /// Every exit was IRQ before the realm did anything: the firmware does not run realms.
    var notRunning = false
    var failure: LogLine? = nil
}

/// The host's view of one vCPU between two entries.
struct VCPU {
    var runnable = false
    var flags: UInt64 = 0
    var gprs = InlineArray<31, UInt64>(repeating: 0)
    var listRegister: UInt64 = 0
    var timerInjected = false
    /// SGIs waiting for list register 1 (bit n: SGI n), and what list register 1 holds.
    var pendingSGIs: UInt16 = 0
    var sgiListRegister: UInt64 = 0
    var line = InlineArray<200, UInt8>(repeating: 0)
    var lineLength = 0
}

enum RECRunner {
    /// REC_ENTER calls that all end in IRQ before the host concludes that realms do not run.
    static let notRunningThreshold: UInt64 = 256

    /// Runs `vm` until SYSTEM_OFF, a failure, or `budget` exits (or two minutes of the counter).
    static func run(_ vm: RealmVM, budget: UInt64) -> RunReport {
        var report = RunReport()
        var vcpus = InlineArray<2, VCPU>(repeating: VCPU())
        vcpus[0].runnable = true
        let runs: InlineArray<2, NonSecurePage> = [NonSecurePage(index: 6), NonSecurePage(index: 7)]
        runs[0].clear()
        runs[1].clear()
        // PPI 26 (the host's EL2 physical timer) and PPI 27 (the EL1 virtual timer a realm uses).
        enableHostPPIs(1 << 26 | 1 << 27)
        let frequency = read_cntfrq_el0()
        let deadline = read_cntpct_el0() + 120 * frequency
        var current = 1

        while report.exits < budget {
            guard read_cntpct_el0() < deadline else {
                report.failure = LogLine("two minutes passed before the realm called SYSTEM_OFF")
                return report
            }
            var next = -1
            for k in 1...2 where next < 0 && vcpus[(current + k) % 2].runnable { next = (current + k) % 2 }
            guard next >= 0 else {
                report.failure = LogLine("no REC is runnable and the realm did not call SYSTEM_OFF")
                return report
            }
            current = next
            if current == 1 { report.secondEntered = true }
            let run = runs[current]
            run.store64(vcpus[current].flags, at: RecRun.enterFlags)
            for i in 0..<31 { run.store64(vcpus[current].gprs[i], at: RecRun.enterGPRs + 8 * i) }
            run.store64(0, at: RecRun.enterGICHCR)
            run.store64(vcpus[current].listRegister, at: RecRun.enterGICLRs)
            run.store64(VirtualSGI.listRegister(&vcpus[current], &report),
                        at: RecRun.enterGICLRs + 8 * VirtualSGI.listRegisterIndex)
            vcpus[current].flags = 0
            vcpus[current].gprs = InlineArray(repeating: 0)

            // The host's EL2 physical timer bounds the run: its interrupt ends the REC run (IRQ).
            write_cnthp_cval_el2(read_cntpct_el0() + frequency / 10)
            write_cnthp_ctl_el2(1)
            isb()
            let entered = RMI.recEnter(rec: vm.recs[current], run: run.address)
            write_cnthp_ctl_el2(0)
            isb()
            guard entered.succeeded else {
                var line = LogLine("REC_ENTER(REC ")
                line.decimal(UInt64(current))
                line.append(") returned ")
                line.hex(entered.x0)
                report.failure = line
                return report
            }
            report.exits += 1
            let reason = run.load64(at: RecRun.exitReason)
            if reason == RecRun.irq { report.irqExits += 1 }
            if report.irqExits == report.exits && report.exits >= notRunningThreshold {
                report.notRunning = true
                return report
            }
            followTimer(run, &vcpus[current], &report)
            VirtualSGI.follow(run, &vcpus[current], &report)

            switch reason {
            case RecRun.sync where run.load64(at: RecRun.exitESR) >> 26 & 0x3F == 0x18:
                VirtualSGI.exit(current, run, &vcpus, &report)
            case RecRun.sync:
                dataAbort(vm, run, &vcpus[current], &report)
            case RecRun.irq:
                break
            case RecRun.fiq:
                report.fiqExits += 1
            case RecRun.psci:
                psci(vm, current, run, &vcpus, &report)
            case RecRun.ripasChange:
                ripasChange(vm, current, run, &vcpus[current], &report)
            case RecRun.hostCall:
                hostCall(vm, run, &vcpus[current], &report)
            default:
                var line = LogLine("exit reason ")
                line.decimal(reason)
                line.append(", ESR ")
                line.hex(run.load64(at: RecRun.exitESR))
                report.failure = line
            }
            if report.failure != nil || report.systemOff { return report }
        }
        var line = LogLine("the realm did not call SYSTEM_OFF within ")
        line.decimal(budget)
        line.append(" exits")
        report.failure = line
        return report
    }

    /// Injects the virtual timer's interrupt when the realm's timer fires, and follows the list
    /// register the TMM hands back until the realm has handled the interrupt.
    static func followTimer(_ run: NonSecurePage, _ vcpu: inout VCPU, _ report: inout RunReport) {
        let control = run.load64(at: RecRun.exitCNTVCTL)
        let asserted = control & 0b111 == 0b101   // ENABLE, not IMASK, ISTATUS
        if vcpu.timerInjected {
            let lr = run.load64(at: RecRun.exitGICLRs)
            if lr >> 62 == 0 && !asserted {
                report.timerCompleted = true
                report.timerLRAfterEOI = lr
                vcpu.timerInjected = false
                vcpu.listRegister = 0
            } else {
                vcpu.listRegister = lr >> 62 == 0 ? timerListRegister : lr
            }
        }
        if asserted && !vcpu.timerInjected {
            vcpu.listRegister = timerListRegister
            vcpu.timerInjected = true
            report.timerInjected += 1
        }
    }

    static func dataAbort(_ vm: RealmVM, _ run: NonSecurePage, _ vcpu: inout VCPU, _ report: inout RunReport) {
        let esr = run.load64(at: RecRun.exitESR)
        let ipa = (run.load64(at: RecRun.exitHPFAR) >> 4 & 0xFF_FFFF_FFFF) << 12 | run.load64(at: RecRun.exitFAR) & 0xFFF
        guard esr >> 26 & 0x3F == 0x24 else {
            var line = LogLine("unexpected SYNC exit: ESR ")
            line.hex(esr)
            line.append(" FAR ")
            line.hex(run.load64(at: RecRun.exitFAR))
            line.append(" HPFAR ")
            line.hex(run.load64(at: RecRun.exitHPFAR))
            report.failure = line
            return
        }
        let validSyndrome = esr & 1 << 24 != 0
        let write = esr & 1 << 6 != 0
        let uart = vm.uartIPA
        if validSyndrome && ipa >= uart && ipa < uart + 0x1000 {
            if write {
                report.mmioWrites += 1
                if ipa - uart == 0x000 { emit(UInt8(truncatingIfNeeded: run.load64(at: RecRun.exitGPRs)), &vcpu, &report) }
            } else {
                report.mmioReads += 1
                // UARTFR: transmit FIFO empty, receive FIFO empty, never busy or full.
                vcpu.gprs[0] = ipa - uart == 0x018 ? 0x90 : 0
            }
            vcpu.flags = RecRun.emulatedMMIO
        } else if ipa >= RealmVM.unprotectedBase && ipa < 1 << RealmVM.ipaWidth {
            vcpu.flags = RecRun.injectSEA
            report.seaInjected += 1
            report.seaIPA = ipa
        } else {
            var line = LogLine("data abort exit at a protected IPA ")
            line.hex(ipa)
            line.append(", ESR ")
            line.hex(esr)
            report.failure = line
        }
    }

    /// The realm's console: one line per newline, prefixed `[realm]`, one buffer per vCPU.
    static func emit(_ byte: UInt8, _ vcpu: inout VCPU, _ report: inout RunReport) {
        if byte == UInt8(ascii: "\r") { return }
        if byte != UInt8(ascii: "\n") && vcpu.lineLength < 200 {
            vcpu.line[vcpu.lineLength] = byte >= 0x20 && byte < 0x7F ? byte : UInt8(ascii: "?")
            vcpu.lineLength += 1
            if vcpu.lineLength < 200 { return }
        }
        var line = LogLine("[realm] ")
        for i in 0..<vcpu.lineLength { line.appendByte(vcpu.line[i]) }
        console.print(line)
        vcpu.lineLength = 0
        report.realmLines += 1
    }

    static func psci(_ vm: RealmVM, _ current: Int, _ run: NonSecurePage, _ vcpus: inout InlineArray<2, VCPU>,
                     _ report: inout RunReport) {
        let function = run.load64(at: RecRun.exitGPRs) & 0xFFFF_FFFF
        let target = Int(run.load64(at: RecRun.exitGPRs + 8) & 0xFF)
        switch function {
        case PSCIFunction.cpuOn, PSCIFunction.cpuOn32, PSCIFunction.affinityInfo, PSCIFunction.affinityInfo32:
            guard target < RealmVM.recCount else {
                var line = LogLine("PSCI exit for MPIDR ")
                line.decimal(UInt64(target))
                line.append(", which no REC has")
                report.failure = line
                return
            }
            let completed = RMI.psciComplete(callingREC: vm.recs[current], targetREC: vm.recs[target], status: 0)
            guard completed.succeeded else {
                var line = LogLine("PSCI_COMPLETE returned ")
                line.hex(completed.x0)
                report.failure = line
                return
            }
            if function == PSCIFunction.cpuOn || function == PSCIFunction.cpuOn32 {
                vcpus[target].runnable = true
                report.cpuOnCompleted += 1
            } else {
                report.affinityCompleted += 1
            }
        case PSCIFunction.cpuOff:
            vcpus[current].runnable = false
            if current == 1 { report.secondTurnedOff = true }
        case PSCIFunction.systemOff, PSCIFunction.systemReset:
            report.systemOff = true
        default:
            break
        }
    }

    static func ripasChange(_ vm: RealmVM, _ current: Int, _ run: NonSecurePage, _ vcpu: inout VCPU,
                            _ report: inout RunReport) {
        let base = run.load64(at: RecRun.exitRIPASBase)
        let top = run.load64(at: RecRun.exitRIPASTop)
        let ripas = run.load64(at: RecRun.exitRIPASValue) & 0xFF
        // Giving memory up is always accepted; RAM only where the host has memory behind it.
        let accept = ripas == RIPASValue.empty || (ripas == RIPASValue.ram && base >= vm.ramBase && top <= vm.ramEnd)
        guard accept else {
            vcpu.flags = RecRun.ripasResponseReject
            report.ripasRejected += 1
            return
        }
        var next = base
        var calls: UInt64 = 0
        while next < top && calls < 64 {
            let r = RMI.rttSetRIPAS(rd: vm.rd, rec: vm.recs[current], base: next, top: top)
            calls += 1
            guard r.succeeded, r.x1 > next, r.x1 <= top else {
                var line = LogLine("RTT_SET_RIPAS returned ")
                line.hex(r.x0)
                line.append(", top ")
                line.hex(r.x1)
                report.failure = line
                return
            }
            next = r.x1
        }
        report.ripasAccepted += 1
        report.ripasSetCalls += calls
    }

    static func hostCall(_ vm: RealmVM, _ run: NonSecurePage, _ vcpu: inout VCPU, _ report: inout RunReport) {
        let immediate = run.load64(at: RecRun.exitImmediate) & 0xFFFF
        var gprs = InlineArray<31, UInt64>(repeating: 0)
        for i in 0..<31 { gprs[i] = run.load64(at: RecRun.exitGPRs + 8 * i) }
        switch immediate {
        case UInt64(REALM_HOST_CALL_ECHO):
            var expected = true
            for i in 0..<31 where gprs[i] != UInt64(REALM_HOST_CALL_ECHO_PATTERN) | UInt64(i) { expected = false }
            report.echoAnswered = expected
            for i in 0..<31 { vcpu.gprs[i] = ~gprs[i] }
        case UInt64(REALM_HOST_CALL_SHARED):
            let mailbox = vm.sharedPage(0)
            var right = mailbox.load64(at: Int(REALM_MBX_REALM_MAGIC)) == UInt64(REALM_MBX_REALM_MAGIC_VALUE)
            for i in 0..<Int(REALM_MBX_MESSAGE_BYTES) {
                let byte = UInt8(truncatingIfNeeded: mailbox.load64(at: Int(REALM_MBX_REALM_REPLY) + i & ~7) >> (8 * UInt64(i & 7)))
                if byte != VMMChecks.messageByte(i) ^ 0xA5 { right = false }
            }
            report.sharedReplySeen = right
            vcpu.gprs[0] = right ? 1 : 0
        case UInt64(REALM_HOST_CALL_TOKEN):
            let length = gprs[0]
            if length > 0 && length <= UInt64(REALM_SHARED_TOKEN_SIZE) {
                printToken(vm.sharedPage(1).address, length)
                report.tokenBytes = length
                vcpu.gprs[0] = length
            }
        case UInt64(REALM_HOST_CALL_CONSOLE):
            // One line of the realm's console (where its MMIO cannot reach the host).
            let count = min(gprs[0], 240)
            for i in 0..<count {
                emit(UInt8(truncatingIfNeeded: gprs[1 + Int(i >> 3)] >> (8 * (i & 7))), &vcpu, &report)
            }
            emit(UInt8(ascii: "\n"), &vcpu, &report)
            report.consoleHostCalls += 1
        case UInt64(REALM_HOST_CALL_RESULT):
            report.realmReported = true
            report.realmPassed = gprs[0]
            report.realmFailed = gprs[1]
        default:
            break
        }
    }

    /// The token in hex between two marker lines, 64 bytes a line, for a verifier to extract.
    static func printToken(_ address: UInt64, _ length: UInt64) {
        var header = LogLine("[host] vmm: attestation token from the realm, ")
        header.decimal(length)
        header.append(" bytes")
        console.print(header)
        console.print("[host] attestation-token-begin")
        let bytes = UnsafeRawPointer(bitPattern: UInt(address))!
        console.printHexLines(prefix: "[host] ", UnsafeRawBufferPointer(start: bytes, count: Int(length)))
        console.print("[host] attestation-token-end")
    }
}
