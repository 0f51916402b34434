import AArch64
import PlatformDefinitions

// The Linux realm's run loop: REC_ENTER for each vCPU in turn on the host's one CPU (10 ms
// slices, round robin: Devices/VCPUSchedule; vCPUs waiting in WFI skipped until something
// wakes them), and the host's side of every exit (DEN0137 1.0-rel0 RmiRecRun; offsets in RecRun):
//   SYNC, data abort at an unprotected IPA
//                  an emulated device (PL011, GIC distributor and redistributors): EMUL_MMIO
//                  the shared alias of realm RAM: RTT_MAP_UNPROTECTED of a normal-world page,
//                  and the access is retried
//                  anything else: INJECT_SEA, the architected answer for a bus error
//   SYNC, data abort at a protected IPA: INJECT_SEA (the VMM backs all RAM up front, so the
//                  realm touched RAM it gave away, or an address that was never RAM)
//   SYNC, ICC_SGI1R_EL1 write: the SGI for its targets
//   SYNC, WFI      the vCPU waits until an interrupt is pending for it
//   IRQ, FIQ       a physical interrupt (the host's preemption timer, the realm's own timer)
//   PSCI           CPU_ON / AFFINITY_INFO with PSCI_COMPLETE, CPU_OFF, SYSTEM_OFF / RESET
//   RIPAS_CHANGE   RTT_SET_RIPAS over the range (EMPTY anywhere in RAM, RAM only in RAM)
//   HOST_CALL      answered with zeros (Linux makes none)

// Interrupts: the GIC model (Devices/EmulatedGICv3) is the truth between an exit and the next
// entry. Before each REC_ENTER its state fills the vCPU's list registers; after the exit the
// returned list registers go back into it. The virtual timer drives PPI 27 of its vCPU as a
// level (RecExit.cntv_ctl: enabled, not masked, condition met); the PL011's interrupt output
// drives its SPI.

/// The host's view of one vCPU between two entries.
struct LinuxVCPU {
    var runnable = false
    /// In WFI: not entered until an interrupt is pending for it.
    var waiting = false
    var flags: UInt64 = 0
    /// RecEnter.gprs[0]: the value of an emulated MMIO read.
    var readValue: UInt64 = 0
    var timerControl: UInt64 = 0
    var timerCompare: UInt64 = 0
}

/// What happened in the run, for the summary line.
struct LinuxRunStatistics {
    var exits: UInt64 = 0
    var mmio: UInt64 = 0
    var sharedPages: UInt64 = 0
    var ripasChanges: UInt64 = 0
    var psci: UInt64 = 0
    var wfi: UInt64 = 0
    var sgis: UInt64 = 0
    var seaInjected: UInt64 = 0
    var interruptExits: UInt64 = 0
    var systemOff = false
    var reset = false
}

/// The emulated devices of one realm and the host console behind its UART.
struct LinuxRealmDevices {
    var gic: EmulatedGICv3
    var uart = EmulatedPL011()
    let vm: VMDescription
    var input = HostConsoleInput()

    init(_ vm: VMDescription) {
        self.vm = vm
        gic = EmulatedGICv3(vm)
        // As firmware leaves a console UART: enabled, transmit and receive on (UARTCR). Linux's
        // earlycon writes to it before its driver sets it up.
        _ = uart.write(offset: 0x030, size: 4, value: 0x301)
    }

    /// Moves what the user typed into the UART's receive FIFO.
    mutating func pollHostInput() {
        while let byte = input.peek(), uart.receive(byte) { input.consume() }
        updateUARTLine()
    }

    mutating func updateUARTLine() {
        gic.setLine(intid: Int(vm.uartINTID), high: uart.interruptLine)
    }

    /// An emulated access at unprotected IPA `ipa`; nil when no device is there.
    mutating func access(ipa: UInt64, size: Int, write: Bool, value: UInt64) -> UInt64? {
        guard let (region, offset) = vm.region(at: ipa) else { return nil }
        var read: UInt64 = 0
        switch region {
        case .distributor:
            if write { gic.writeDistributor(offset: offset, size: size, value: value) } else {
                read = gic.readDistributor(offset: offset, size: size)
            }
        case .redistributor:
            if write { gic.writeRedistributor(offset: offset, size: size, value: value) } else {
                read = gic.readRedistributor(offset: offset, size: size)
            }
        case .uart:
            if write {
                if let byte = uart.write(offset: offset, size: size, value: value) { console.uart.put(byte); GuestBenchmark.observe(byte) }
            } else {
                read = uart.read(offset: offset, size: size)
            }
            updateUARTLine()
        }
        return read
    }
}

enum LinuxRunLoop {
    /// The RecRun page of vCPU i is NonSecurePage(index: runPageIndex + i).
    static let runPageIndex: UInt64 = 6
    static let virtualTimerPPI = 27

    static func run(_ realm: inout LinuxRealm, listRegisters: Int, timeLimitSeconds: UInt64) -> Result<LinuxRunStatistics, LinuxRealmError> {
        var stats = LinuxRunStatistics()
        var vcpus = InlineArray<4, LinuxVCPU>(repeating: LinuxVCPU())
        vcpus[0].runnable = true
        for i in 0..<realm.vcpus { NonSecurePage(index: runPageIndex + UInt64(i)).clear() }
        var devices = LinuxRealmDevices(realm.vm)
        // Four list registers are plenty for a guest that takes one interrupt at a time, and
        // each one the model fills costs a search of every INTID per entry.
        let lrCount = min(max(listRegisters, 1), 4)
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        enableHostPPIs(1 << 26 | 1 << 27)
        let frequency = read_cntfrq_el0()
        let deadline = read_cntpct_el0() + timeLimitSeconds * frequency
        var current = 0
        // Time slices of 10 ms (VCPUSchedule says why a vCPU keeps the CPU across exits).
        var schedule = VCPUSchedule(count: realm.vcpus, slice: frequency / 100)
        GuestBenchmark.startAtFirstEntry()

        while true {
            guard read_cntpct_el0() < deadline else {
                return .failure(LinuxRealmError("the realm did not power off within the time limit (seconds)", timeLimitSeconds))
            }
            devices.pollHostInput()
            guard let next = pickVCPU(&vcpus, &schedule, count: realm.vcpus, &devices) else {
                var anyOn = false
                for i in 0..<realm.vcpus where vcpus[i].runnable { anyOn = true }
                guard anyOn else { return .failure(LinuxRealmError("every vCPU is off and the realm did not call SYSTEM_OFF")) }
                idle(vcpus, count: realm.vcpus, frequency: frequency)
                continue
            }
            current = next
            let run = NonSecurePage(index: runPageIndex + UInt64(current))
            run.store64(vcpus[current].flags | RecRun.trapWFI, at: RecRun.enterFlags)
            run.store64(vcpus[current].readValue, at: RecRun.enterGPRs)
            run.store64(0, at: RecRun.enterGICHCR)
            devices.gic.fillListRegisters(vcpu: current, &lrs, count: lrCount)
            for i in 0..<EmulatedGICv3.maxListRegisters { run.store64(i < lrCount ? lrs[i] : 0, at: RecRun.enterGICLRs + 8 * i) }
            vcpus[current].flags = 0
            vcpus[current].readValue = 0

            // The host's EL2 physical timer ends the run with the vCPU's slice, so that every
            // vCPU gets its turn.
            write_cnthp_cval_el2(schedule.sliceEnd)
            write_cnthp_ctl_el2(1)
            isb()
            let entered = RMI.recEnter(rec: realm.rec(current), run: run.address)
            write_cnthp_ctl_el2(0)
            isb()
            guard entered.succeeded else {
                var e = LinuxRealmError("REC_ENTER failed")
                e.line.append(": vCPU ")
                e.line.decimal(UInt64(current))
                e.line.append(", status ")
                e.line.hex(entered.x0)
                return .failure(e)
            }
            stats.exits += 1
            for i in 0..<lrCount { lrs[i] = run.load64(at: RecRun.exitGICLRs + 8 * i) }
            devices.gic.syncListRegisters(vcpu: current, lrs, count: lrCount)
            vcpus[current].timerControl = run.load64(at: RecRun.exitCNTVCTL)
            vcpus[current].timerCompare = run.load64(at: RecRun.exitCNTVCVAL)
            devices.gic.setLine(intid: virtualTimerPPI, vcpu: current, high: vcpus[current].timerControl & 0b111 == 0b101)

            let reason = run.load64(at: RecRun.exitReason)
            switch reason {
            case RecRun.sync:
                let esr = run.load64(at: RecRun.exitESR)
                switch esr >> 26 & 0x3F {
                case 0x24:
                    dataAbort(&realm, run, &vcpus[current], &devices, &stats)
                case 0x01:
                    stats.wfi += 1
                    vcpus[current].waiting = !devices.gic.hasPendingInterrupt(vcpu: current)
                case 0x18:
                    stats.sgis += 1
                    let targets = devices.gic.sendSGI(from: current, icc_sgi1r: run.load64(at: RecRun.exitGPRs))
                    for i in 0..<realm.vcpus where targets >> UInt8(i) & 1 != 0 { vcpus[i].waiting = false }
                    // Linux usually waits for the target to answer (smp_call_function): let it run.
                    if targets & ~(1 << UInt8(current)) != 0 { schedule.yield() }
                default:
                    break
                }
            case RecRun.irq, RecRun.fiq:
                stats.interruptExits += 1
            case RecRun.psci:
                stats.psci += 1
                psci(realm, current, run, &vcpus, &stats)
            case RecRun.ripasChange:
                stats.ripasChanges += 1
                ripasChange(realm, current, run, &vcpus[current])
            case RecRun.hostCall:
                break
            default:
                var e = LinuxRealmError("unexpected REC exit reason")
                e.line.append(": ")
                e.line.decimal(reason)
                return .failure(e)
            }
            if stats.systemOff || stats.reset { return .success(stats) }
        }
    }

    /// The vCPU to enter next (VCPUSchedule: the current one until its slice ends, then round
    /// robin) among those that are on and not waiting. A waiting vCPU wakes when an interrupt
    /// is pending for it: its timer's deadline passed, an SGI, an SPI.
    static func pickVCPU(_ vcpus: inout InlineArray<4, LinuxVCPU>, _ schedule: inout VCPUSchedule, count: Int,
                         _ devices: inout LinuxRealmDevices) -> Int? {
        let now = read_cntpct_el0()
        var eligible: UInt8 = 0
        for i in 0..<count where vcpus[i].runnable {
            if vcpus[i].waiting {
                if timerExpired(vcpus[i], now: now) { devices.gic.setLine(intid: virtualTimerPPI, vcpu: i, high: true) }
                if devices.gic.hasPendingInterrupt(vcpu: i) { vcpus[i].waiting = false }
            }
            if !vcpus[i].waiting { eligible |= 1 << UInt8(i) }
        }
        return schedule.next(eligible: eligible, now: now)
    }

    /// The realm's virtual timer is enabled, unmasked and at or past its compare value.
    static func timerExpired(_ vcpu: LinuxVCPU, now: UInt64) -> Bool {
        vcpu.timerControl & 0b11 == 0b01 && now >= vcpu.timerCompare
    }

    /// Every vCPU that is on waits: sleep until the earliest timer deadline, or 10 ms (the
    /// console is polled).
    static func idle(_ vcpus: InlineArray<4, LinuxVCPU>, count: Int, frequency: UInt64) {
        let now = read_cntpct_el0()
        var wake = now + frequency / 100
        for i in 0..<count where vcpus[i].runnable && vcpus[i].timerControl & 0b11 == 0b01 && vcpus[i].timerCompare < wake {
            wake = vcpus[i].timerCompare
        }
        guard wake > now else { return }
        write_cnthp_cval_el2(wake)
        write_cnthp_ctl_el2(1)
        isb()
        GuestBenchmark.idle { wfi() }
        write_cnthp_ctl_el2(0)
        isb()
    }

    static func dataAbort(_ realm: inout LinuxRealm, _ run: NonSecurePage, _ vcpu: inout LinuxVCPU,
                          _ devices: inout LinuxRealmDevices, _ stats: inout LinuxRunStatistics) {
        let esr = run.load64(at: RecRun.exitESR)
        let ipa = (run.load64(at: RecRun.exitHPFAR) >> 4 & 0xFF_FFFF_FFFF) << 12 | run.load64(at: RecRun.exitFAR) & 0xFFF
        let validSyndrome = esr & 1 << 24 != 0
        if ipa & realm.vm.sharedAliasBit != 0 && validSyndrome {
            let size = 1 << Int(esr >> 22 & 3)
            let write = esr & 1 << 6 != 0
            if let value = devices.access(ipa: ipa, size: size, write: write, value: run.load64(at: RecRun.exitGPRs)) {
                stats.mmio += 1
                vcpu.readValue = value
                vcpu.flags = RecRun.emulatedMMIO
                return
            }
        }
        if realm.sharedBacking(ipa & ~0xFFF) != nil {
            do throws(VMMError) {
                try realm.mapShared(ipa)
                stats.sharedPages += 1
                return
            } catch {
                var line = LogLine("[vmm] cannot map shared memory for the realm")
                line.append(error.detail)
                console.print(line)
            }
        }
        // Nothing there (or a protected page the VMM never gave away): an external abort, as a
        // bus would answer.
        vcpu.flags = RecRun.injectSEA
        stats.seaInjected += 1
    }

    static func psci(_ realm: LinuxRealm, _ current: Int, _ run: NonSecurePage, _ vcpus: inout InlineArray<4, LinuxVCPU>,
                     _ stats: inout LinuxRunStatistics) {
        let function = run.load64(at: RecRun.exitGPRs) & 0xFFFF_FFFF
        let target = run.load64(at: RecRun.exitGPRs + 8) & 0xFF
        switch function {
        case PSCIFunction.cpuOn, PSCIFunction.cpuOn32, PSCIFunction.affinityInfo, PSCIFunction.affinityInfo32:
            // The TMM has checked that the target is a REC of this realm (MPIDR Aff0 = index).
            guard target < UInt64(realm.vcpus) else { return }
            let completed = RMI.psciComplete(callingREC: realm.rec(current), targetREC: realm.rec(Int(target)), status: 0)
            if completed.succeeded && (function == PSCIFunction.cpuOn || function == PSCIFunction.cpuOn32) {
                vcpus[Int(target)].runnable = true
                vcpus[Int(target)].waiting = false
            }
        case PSCIFunction.cpuOff:
            vcpus[current].runnable = false
        case PSCIFunction.systemOff:
            stats.systemOff = true
        case PSCIFunction.systemReset:
            stats.reset = true
        default:
            break
        }
    }

    /// RTT_SET_RIPAS over the requested range: EMPTY or RAM, inside the realm's RAM. A request
    /// the host cannot make progress on is rejected, so the realm does not retry it forever.
    static func ripasChange(_ realm: LinuxRealm, _ current: Int, _ run: NonSecurePage, _ vcpu: inout LinuxVCPU) {
        let base = run.load64(at: RecRun.exitRIPASBase)
        let top = run.load64(at: RecRun.exitRIPASTop)
        let ripas = run.load64(at: RecRun.exitRIPASValue) & 0xFF
        let inRAM = base >= realm.ramBase && top <= realm.ramEnd && base < top
        guard inRAM && (ripas == RIPASValue.empty || ripas == RIPASValue.ram) else {
            vcpu.flags = RecRun.ripasResponseReject
            return
        }
        var next = base
        var calls: UInt64 = 0
        while next < top && calls <= realm.ramBlocks + 1 {
            let r = RMI.rttSetRIPAS(rd: realm.rd, rec: realm.rec(current), base: next, top: top)
            calls += 1
            guard r.succeeded, r.x1 > next else { break }
            next = r.x1
        }
        if next == base { vcpu.flags = RecRun.ripasResponseReject }
    }
}
