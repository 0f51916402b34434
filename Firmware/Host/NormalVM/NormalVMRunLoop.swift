import AArch64
import NormalVMSupport
import PlatformDefinitions

// The ordinary VM's run loop: the guest at Non-secure EL1 under the host's stage 2, and the
// host's side of every exception it takes to EL2 (normal_vm_entry.S). HCR_EL2 for the guest:
//   VM     stage 2 on (NormalVMStage2)             SWIO   set/way invalidation as clean+inv.
//   FMO, IMO, AMO  physical interrupts go to EL2; the guest's ICC_* accesses reach the GIC's
//          virtual CPU interface (ICH_*), which takes interrupts from the list registers
//   TWI    WFI traps, so an idle guest gives the CPU back
//   TSC    SMC traps: the device tree's PSCI method is "smc" (as for the realm), and the VMM
//          answers PSCI and SMCCC itself; nothing reaches the firmware
//   RW     EL1 is AArch64          API, APK  pointer authentication is the guest's own
// Exits (ESR_EL2.EC, Arm ARM D17.2.37):
//   0x24 data abort from stage 2: an emulated device (VMDevices, decoded from ISV, SAS, SSE,
//        SRT, SF and WnR), or a synchronous external abort injected at EL1 when there is none
//   0x01 WFI: the vCPU waits until the GIC model has an interrupt for it
//   0x17 SMC: PSCI 1.0 for one vCPU, SMCCC_VERSION 1.1, NOT_SUPPORTED otherwise (RSI too: the
//        guest learns it is not in a realm)
//   0x18 MSR/MRS: ICC_SGI1R_EL1 (trapped while IMO is set) to the GIC model; PMU registers
//        (MDCR_EL2.TPM: the host's cycle counter is the benchmark's) read as zero
//   IRQ  the GIC maintenance interrupt (PPI 25): the guest completed an interrupt the model
//        asked to hear about (requestEOIMaintenance)
//   IRQ  the host's EL2 timer (CNTHP, PPI 26): a time slice ended or the guest's virtual timer
//        deadline came (the host programs CNTHP for it; PPI 27 itself stays disabled at the
//        physical redistributor and reaches the guest only through a list register)
// The guest's EL1 virtual timer runs natively (CNTVOFF_EL2 0, as for the realm); its output
// drives PPI 27 in the GIC model as a level (CNTV_CTL_EL0 ENABLE, !IMASK, ISTATUS).

/// How the guest's run ended.
enum NormalVMOutcome: Equatable {
    case poweredOff
    case reset
    case failed(LogLine)

    static func == (a: NormalVMOutcome, b: NormalVMOutcome) -> Bool {
        switch (a, b) {
        case (.poweredOff, .poweredOff), (.reset, .reset): return true
        default: return false
        }
    }
}

/// The guest's exits by kind, for the summary line (and Tools/bench_linux.py).
struct NormalVMStatistics {
    var exits: UInt64 = 0
    var mmio: UInt64 = 0
    var interrupts: UInt64 = 0
    var maintenance: UInt64 = 0
    var wfi: UInt64 = 0
    var sgis: UInt64 = 0
    var psci: UInt64 = 0
    var smccc: UInt64 = 0
    var systemRegisters: UInt64 = 0
    var seaInjected: UInt64 = 0

    func print() {
        var l = LogLine("[nvm] ")
        l.decimal(exits)
        l.append(" exits (")
        l.decimal(mmio)
        l.append(" MMIO, ")
        l.decimal(interrupts)
        l.append(" IRQ/FIQ, ")
        l.decimal(maintenance)
        l.append(" GIC maintenance, ")
        l.decimal(wfi)
        l.append(" WFI, ")
        l.decimal(sgis)
        l.append(" SGI, ")
        l.decimal(psci)
        l.append(" PSCI, ")
        l.decimal(smccc)
        l.append(" other SMC, ")
        l.decimal(systemRegisters)
        l.append(" other system register), ")
        l.decimal(seaInjected)
        l.append(" SEAs injected")
        console.print(l)
    }
}

struct NormalVMRunLoop {
    static let hcr: UInt64 = 1 << 0 | 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 13 | 1 << 19 | 1 << 31 | 1 << 40 | 1 << 41
    /// SPSR_EL2 for the first entry: EL1h, D, A, I and F masked (booting.rst).
    static let entrySPSR: UInt64 = 0x3C5
    /// SCTLR_EL1 RES1 bits with the MMU and caches off.
    static let entrySCTLR: UInt64 = 0x30D0_0800
    static let hypervisorTimerPPI = 26
    /// The GIC virtual interface's maintenance interrupt on QEMU virt (and SBSA): PPI 25.
    static let maintenancePPI = 25
    static let listRegisterLimit = 4

    var devices: VMDevices
    var stats = NormalVMStatistics()
    let context = UnsafeMutableRawPointer(normal_vm_vcpu0())
    var input = HostConsoleInput()
    var listRegisters = InlineArray<16, UInt64>(repeating: 0)
    let listRegisterCount: Int
    var outcome: NormalVMOutcome? = nil
    /// CNTPCT_EL0 value after which the run stops (a guest waiting forever included).
    var deadline: UInt64 = UInt64.max

    init(vm: VMDescription, entry: UInt64, deviceTree: UInt64) {
        devices = VMDevices(vm)
        // The UART enabled with transmit and receive (UARTCR UARTEN, TXE, RXE), as boot
        // firmware leaves a console: Linux's earlycon writes to it without setting it up.
        _ = devices.write(ipa: vm.guestAddress(vm.uartBase) + 0x30, size: 4, value: 0x301)
        listRegisterCount = min(Int(read_ich_vtr_el2() & 0x1F) + 1, Self.listRegisterLimit)
        for i in 0..<Int(0x190 / 8) { context.storeBytes(of: 0, toByteOffset: 8 * i, as: UInt64.self) }
        setRegister(0, deviceTree)
        context.storeBytes(of: entry, toByteOffset: 0xF8, as: UInt64.self)
        context.storeBytes(of: Self.entrySPSR, toByteOffset: 0x100, as: UInt64.self)
    }

    func register(_ n: Int) -> UInt64 {
        n >= 31 ? 0 : context.load(fromByteOffset: 8 * n, as: UInt64.self)
    }

    func setRegister(_ n: Int, _ value: UInt64) {
        guard n < 31 else { return }
        context.storeBytes(of: value, toByteOffset: 8 * n, as: UInt64.self)
    }

    var elr: UInt64 {
        get { context.load(fromByteOffset: 0xF8, as: UInt64.self) }
        nonmutating set { context.storeBytes(of: newValue, toByteOffset: 0xF8, as: UInt64.self) }
    }
    var spsr: UInt64 { context.load(fromByteOffset: 0x100, as: UInt64.self) }
    var esr: UInt64 { context.load(fromByteOffset: 0x108, as: UInt64.self) }
    var far: UInt64 { context.load(fromByteOffset: 0x110, as: UInt64.self) }
    var hpfar: UInt64 { context.load(fromByteOffset: 0x118, as: UInt64.self) }

    mutating func run(timeLimitSeconds: UInt64) -> NormalVMOutcome {
        let savedHCR = read_hcr_el2()
        let savedMDCR = read_mdcr_el2()
        let savedCNTHCTL = read_cnthctl_el2()
        let savedCPTR = read_cptr_el2()
        // The guest's EL1 starts clean: MMU and caches off, its timer off.
        write_sctlr_el1(Self.entrySCTLR)
        write_cntv_ctl_el0(0)
        write_cntvoff_el2(0)
        write_vmpidr_el2(1 << 31 | VMDescription.mpidr(ofVCPU: 0))
        write_vpidr_el2(read_midr_el1())
        // EL1PCTEN, EL1PCEN: the guest reads the physical counter, as Linux may.
        write_cnthctl_el2(savedCNTHCTL | 0b11)
        // MDCR_EL2.TPM and TPMCR: PMU registers trap (the host's cycle counter counts for the
        // benchmark); the rest as the firmware left it.
        write_mdcr_el2(savedMDCR | 1 << 6 | 1 << 5)
        // CPTR_EL2 (HCR_EL2.E2H 0 layout): FP/SIMD (TFP), SVE (TZ) and SME (TSM) untrapped,
        // RES1 bits [13], [9], [7:0] set.
        write_cptr_el2(0x22FF)
        write_ich_vmcr_el2(0)
        write_ich_hcr_el2(1)                                   // En
        write_hcr_el2(Self.hcr)
        isb()
        enableHostPPIs(1 << UInt32(Self.hypervisorTimerPPI) | 1 << UInt32(Self.maintenancePPI))

        let frequency = read_cntfrq_el0()
        deadline = read_cntpct_el0() &+ timeLimitSeconds &* frequency
        GuestBenchmark.startAtFirstEntry()
        while outcome == nil {
            guard read_cntpct_el0() < deadline else {
                outcome = .failed(LogLine("the guest did not power off within the time limit"))
                break
            }
            pollHostInput()
            enterOnce(frequency: frequency)
        }

        write_hcr_el2(savedHCR)
        write_ich_hcr_el2(0)
        write_mdcr_el2(savedMDCR)
        write_cnthctl_el2(savedCNTHCTL)
        write_cptr_el2(savedCPTR)
        write_cnthp_ctl_el2(0)
        isb()
        return outcome ?? .poweredOff
    }

    mutating func enterOnce(frequency: UInt64) {
        devices.gic.fillListRegisters(vcpu: 0, &listRegisters, count: listRegisterCount)
        requestEOIMaintenance()
        writeListRegisters()
        // The slice ends after 10 ms, or when the guest's timer fires, whichever is first.
        let now = read_cntpct_el0()
        var wake = now + frequency / 100
        let timerControl = read_cntv_ctl_el0()
        let compare = read_cntv_cval_el0()
        if timerControl & 0b11 == 0b01 && compare > now && compare < wake { wake = compare }
        write_cnthp_cval_el2(wake)
        write_cnthp_ctl_el2(1)
        isb()
        let kind = normal_vm_enter(normal_vm_vcpu0())
        write_cnthp_ctl_el2(0)
        isb()
        stats.exits += 1
        readListRegisters()
        devices.gic.syncListRegisters(vcpu: 0, listRegisters, count: listRegisterCount)
        let maintenance = read_ich_misr_el2() != 0
        clearCompletedListRegisters()
        updateTimerLine()

        switch kind {
        case 8:
            synchronous(frequency: frequency)
        case 9, 10:
            if maintenance { stats.maintenance += 1 } else { stats.interrupts += 1 }
        default:
            var why = LogLine("exception vector ")
            why.decimal(kind)
            why.append(" from the guest, ESR_EL2 ")
            why.hex(esr)
            why.append(" ELR_EL2 ")
            why.hex(elr)
            outcome = .failed(why)
        }
    }

    mutating func updateTimerLine() {
        devices.setVirtualTimer(vcpu: 0, asserted: read_cntv_ctl_el0() & 0b111 == 0b101)
    }

    /// ICH_LR<n>_EL2.EOI [41] on every pending PPI or SPI the model injects: the guest's EOI of
    /// it raises the maintenance interrupt (ICH_MISR_EL2.EOI, PPI 25), an exit after which the
    /// model resamples the source. Without it a level interrupt whose line is still high after
    /// the guest's EOI (the PL011's transmit interrupt after the handler refilled the FIFO)
    /// would wait for an unrelated exit, up to a 10 ms slice. SGIs are edges: no need.
    mutating func requestEOIMaintenance() {
        for i in 0..<listRegisterCount {
            let lr = listRegisters[i]
            if lr >> 62 & 1 != 0 && lr & 0xFFFF_FFFF >= 16 { listRegisters[i] = lr | 1 << 41 }
        }
    }

    /// Empties the list registers the guest completed, so that the maintenance interrupt they
    /// raise ends before the host waits with WFI.
    mutating func clearCompletedListRegisters() {
        for i in 0..<listRegisterCount where listRegisters[i] >> 62 == 0 { listRegisters[i] = 0 }
        writeListRegisters()
    }

    func writeListRegisters() {
        let n = listRegisterCount
        write_ich_lr0_el2(listRegisters[0])
        if n > 1 { write_ich_lr1_el2(listRegisters[1]) }
        if n > 2 { write_ich_lr2_el2(listRegisters[2]) }
        if n > 3 { write_ich_lr3_el2(listRegisters[3]) }
    }

    mutating func readListRegisters() {
        let n = listRegisterCount
        listRegisters[0] = read_ich_lr0_el2()
        if n > 1 { listRegisters[1] = read_ich_lr1_el2() }
        if n > 2 { listRegisters[2] = read_ich_lr2_el2() }
        if n > 3 { listRegisters[3] = read_ich_lr3_el2() }
    }

    mutating func synchronous(frequency: UInt64) {
        let syndrome = esr
        switch syndrome >> 26 & 0x3F {
        case 0x24:
            dataAbort(syndrome)
        case 0x01:
            stats.wfi += 1
            elr &+= 4
            waitForInterrupt(frequency: frequency)
        case 0x17:
            elr &+= 4               // a trapped SMC returns to itself (Arm ARM D1.10.2)
            secureMonitorCall()
        case 0x16:
            secureMonitorCall()    // HVC: the same services, ELR is already past it
        case 0x18:
            systemRegister(syndrome)
            elr &+= 4
        default:
            var why = LogLine("unhandled exit, ESR_EL2 ")
            why.hex(syndrome)
            why.append(" ELR_EL2 ")
            why.hex(elr)
            why.append(" FAR_EL2 ")
            why.hex(far)
            outcome = .failed(why)
        }
    }

    /// ISS of a data abort (Arm ARM D17.2.37.11): ISV [24], SAS [23:22], SSE [21], SRT [20:16],
    /// SF [15], S1PTW [7], WnR [6].
    mutating func dataAbort(_ syndrome: UInt64) {
        let ipa = (hpfar >> 4 & 0xFF_FFFF_FFFF) << 12 | far & 0xFFF
        let valid = syndrome & 1 << 24 != 0 && syndrome & 1 << 7 == 0
        if valid {
            let size = 1 << Int(syndrome >> 22 & 3)
            let target = Int(syndrome >> 16 & 0x1F)
            let bits = UInt64(size * 8)
            let mask: UInt64 = bits == 64 ? ~0 : (1 << bits) - 1
            if syndrome & 1 << 6 != 0 {
                switch devices.write(ipa: ipa, size: size, value: register(target) & mask) {
                case .unmapped:
                    break
                case .handled:
                    stats.mmio += 1
                    elr &+= 4
                    return
                case .transmitted(let byte):
                    console.uart.put(byte)
                    GuestBenchmark.observe(byte)
                    stats.mmio += 1
                    elr &+= 4
                    return
                }
            } else if var value = devices.read(ipa: ipa, size: size) {
                value &= mask
                if syndrome & 1 << 21 != 0 && bits < 64 && value >> (bits - 1) & 1 != 0 { value |= ~mask }
                if syndrome & 1 << 15 == 0 { value &= 0xFFFF_FFFF }
                setRegister(target, value)
                stats.mmio += 1
                elr &+= 4
                return
            }
        }
        injectExternalAbort(syndrome)
    }

    /// A synchronous external abort at EL1, as a bus answers an access to nothing (Arm ARM
    /// D1.10.1 exception entry): ESR_EL1 data abort (EC 0x25 from EL1, 0x24 from EL0) with
    /// DFSC 0x10, FAR_EL1, ELR_EL1 and SPSR_EL1 of the faulting state, PSTATE EL1h with DAIF
    /// masked (PAN set unless SCTLR_EL1.SPAN), at VBAR_EL1 + the offset of where it came from.
    mutating func injectExternalAbort(_ syndrome: UInt64) {
        stats.seaInjected += 1
        let from = spsr
        let fromEL1 = from >> 2 & 3 == 1
        let ec: UInt64 = fromEL1 ? 0x25 : 0x24
        write_esr_el1(ec << 26 | 1 << 25 | syndrome & 1 << 6 | 0x10)
        write_far_el1(far)
        write_elr_el1(elr)
        write_spsr_el1(from)
        let offset: UInt64 = fromEL1 ? (from & 1 != 0 ? 0x200 : 0x000) : 0x400
        var entered: UInt64 = 0x3C5
        if read_sctlr_el1() & 1 << 23 == 0 { entered |= 1 << 22 }
        context.storeBytes(of: entered, toByteOffset: 0x100, as: UInt64.self)
        elr = read_vbar_el1() &+ offset
    }

    /// The guest's WFI: it runs again once the GIC model has an interrupt it would take
    /// (priority above ICH_VMCR_EL2.VPMR); until then the host sleeps until the guest's timer
    /// deadline, at most 10 ms at a time (the console is polled).
    mutating func waitForInterrupt(frequency: UInt64) {
        while read_cntpct_el0() < deadline {
            let mask = UInt8(truncatingIfNeeded: read_ich_vmcr_el2() >> 24)
            if devices.gic.hasPendingInterrupt(vcpu: 0, priorityMask: mask) { return }
            let now = read_cntpct_el0()
            var wake = now + frequency / 100
            let timerControl = read_cntv_ctl_el0()
            let compare = read_cntv_cval_el0()
            if timerControl & 0b11 == 0b01 && compare < wake { wake = compare }
            if wake > now {
                write_cnthp_cval_el2(wake)
                write_cnthp_ctl_el2(1)
                isb()
                GuestBenchmark.idle { wfi() }
                write_cnthp_ctl_el2(0)
                isb()
            }
            pollHostInput()
            updateTimerLine()
        }
    }

    /// PSCI (DEN0022 1.0) for a VM of one vCPU, and SMCCC (DEN0028) discovery.
    mutating func secureMonitorCall() {
        let function = register(0) & 0xFFFF_FFFF
        let notSupported = UInt64(bitPattern: -1)
        let invalidParameters = UInt64(bitPattern: -2)
        let alreadyOn = UInt64(bitPattern: -4)
        var result = notSupported
        switch function {
        case PSCIFunction.version:
            stats.psci += 1
            result = 0x1_0000
        case PSCIFunction.features:
            stats.psci += 1
            switch register(1) & 0xFFFF_FFFF {
            case PSCIFunction.version, PSCIFunction.features, PSCIFunction.cpuOn, PSCIFunction.cpuOn32,
                 PSCIFunction.cpuOff, PSCIFunction.affinityInfo, PSCIFunction.affinityInfo32,
                 PSCIFunction.systemOff, PSCIFunction.systemReset, 0x8400_0006, 0x8000_0000:
                result = 0
            default:
                result = notSupported
            }
        case 0x8400_0006:                                       // MIGRATE_INFO_TYPE
            stats.psci += 1
            result = 2                                         // no Trusted OS to migrate
        case PSCIFunction.cpuOn, PSCIFunction.cpuOn32:
            stats.psci += 1
            result = register(1) & 0xFF_00FF_FFFF == 0 ? alreadyOn : invalidParameters
        case PSCIFunction.affinityInfo, PSCIFunction.affinityInfo32:
            stats.psci += 1
            result = register(1) & 0xFF_00FF_FFFF == 0 ? 0 : invalidParameters
        case PSCIFunction.cpuOff:
            stats.psci += 1
            outcome = .failed(LogLine("the guest's only vCPU called CPU_OFF"))
        case PSCIFunction.systemOff:
            stats.psci += 1
            outcome = .poweredOff
        case PSCIFunction.systemReset:
            stats.psci += 1
            outcome = .reset
        case 0x8000_0000:                                       // SMCCC_VERSION
            stats.smccc += 1
            result = 0x1_0001
        default:
            stats.smccc += 1
        }
        setRegister(0, result)
    }

    /// ISS of a trapped MSR/MRS (Arm ARM D17.2.37.21): Op0 [21:20], Op2 [19:17], Op1 [16:14],
    /// CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1: read).
    mutating func systemRegister(_ syndrome: UInt64) {
        let encoding = syndrome & 0x3F_FC1E           // Op0, Op2, Op1, CRn, CRm
        let target = Int(syndrome >> 5 & 0x1F)
        let read = syndrome & 1 != 0
        // ICC_SGI1R_EL1: Op0 3, Op1 0, CRn 12, CRm 11, Op2 5.
        let sgi1r: UInt64 = 3 << 20 | 5 << 17 | 0 << 14 | 12 << 10 | 11 << 1
        if encoding == sgi1r && !read {
            stats.sgis += 1
            _ = devices.gic.sendSGI(from: 0, icc_sgi1r: register(target))
            return
        }
        stats.systemRegisters += 1
        if read { setRegister(target, 0) }
    }

    /// What the user typed, into the guest's UART.
    mutating func pollHostInput() {
        while let byte = input.peek(), devices.receive(byte) { input.consume() }
    }
}
