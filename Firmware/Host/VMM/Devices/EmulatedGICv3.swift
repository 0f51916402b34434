// An emulated GICv3 distributor and redistributors (Arm IHI 0069 "GICv3 and GICv4"), for
// up to four vCPUs, 16 SGIs, 16 PPIs and 64 SPIs (INTIDs 0-95), no LPIs, no ITS.
//
// Modelled implementation:
// - One Security state, as a VM's GIC is (GICD_CTLR.DS = 1): Group 0 and Group 1 registers are
//   all writable, but only Group 1 interrupts are delivered (a realm's virtual CPU interface
//   signals only Group 1, VirtualGICv3 in the TMM).
// - Affinity routing always on (GICD_CTLR.ARE RAO/WI): GICD_ITARGETSR, GICD_SGIR and the
//   distributor's copies of the registers for INTIDs 0-31 are RAZ/WI; those live in each
//   vCPU's redistributor SGI_base frame.
// - No 1-of-N SPI routing (GICD_TYPER.No1N = 1): GICD_IROUTER.Interrupt_Routing_Mode RAZ/WI.
// - Register writes take effect at once: GICD_CTLR.RWP and GICR_CTLR.RWP are 0.
//
// Delivery through list registers (ICH_LR<n>_EL2 of the virtual CPU interface): the model's
// state is the truth between a REC exit and the next REC entry. `fillListRegisters` projects
// it onto a vCPU's list registers before entry (an interrupt keeps the list register it was
// given until the realm deactivates it); `syncListRegisters` reads back what the realm did
// (acknowledged: pending -> active; deactivated: list register invalid) after the exit.
// Level-sensitive interrupts are pending while their line is high, recomputed at every fill:
// an active one whose line is still high goes in as pending-and-active, so the realm takes it
// again right after deactivating it without a maintenance exit, and one whose line fell while
// it sat pending in a list register is withdrawn. This is why the model never sets the EOI
// bit [41]: lines only change while the VMM runs, and the VMM refills before every entry, so
// it never needs to hear of a deactivation sooner than at the next exit.

public struct EmulatedGICv3: Sendable {
    public static let maxVCPUs = VMDescription.maxVCPUs
    public static let spiCount = 64
    /// INTIDs 0 ..< interruptCount are implemented.
    public static let interruptCount = 32 + spiCount
    public static let maxListRegisters = 16
    /// Priority bits the realm's virtual CPU interface implements (ICH_VTR_EL2.PRIbits = 4,
    /// 5 bits); list registers carry only these (REC_ENTER rejects others).
    public static let listRegisterPriorityMask: UInt8 = 0xF8

    /// Per-interrupt state of 32 INTIDs: bit i of each word is INTID 32 * bank + i.
    struct Bank {
        var group: UInt32 = 0
        var enabled: UInt32 = 0
        /// The pending latch: edges, GICD_ISPENDR writes, SGIs.
        var latch: UInt32 = 0
        var active: UInt32 = 0
        /// Input line levels, for level-sensitive interrupts.
        var line: UInt32 = 0
        /// GICD_ICFGR Int_config: 1 = edge-triggered.
        var edge: UInt32 = 0
        var priority = InlineArray<32, UInt8>(repeating: 0)

        /// Pending as GICD_ISPENDR reads it.
        var pending: UInt32 { latch | (line & ~edge) }
    }

    /// Where an INTID's state lives: the vCPU's private bank (0-31) or a shared SPI bank.
    enum BankRef { case privateBank(Int), spiBank(Int) }

    let vcpuCount: Int
    var distributorControl: UInt32 = 0
    var privateBanks = InlineArray<4, Bank>(repeating: Bank())
    var spiBanks = InlineArray<2, Bank>(repeating: Bank())
    /// GICD_IROUTER<n> for SPI n - 32.
    var routers = InlineArray<64, UInt64>(repeating: 0)
    /// GICR_WAKER.ProcessorSleep per vCPU.
    var processorSleep = InlineArray<4, Bool>(repeating: true)
    /// Which INTID each list register of each vCPU holds, or `noInterrupt`.
    var listRegisterINTID = InlineArray<4, InlineArray<16, UInt16>>(repeating: InlineArray(repeating: noInterrupt))
    /// Per vCPU, list registers last filled with the pending state.
    var injectedPending = InlineArray<4, UInt16>(repeating: 0)
    static let noInterrupt: UInt16 = 0xFFFF

    /// A GIC for `vcpuCount` vCPUs (clamped to 1 ... maxVCPUs); vCPU n has affinity
    /// VMDescription.mpidr(ofVCPU: n). Reset state: everything disabled, Group 0, priority 0,
    /// SGIs edge-triggered and enabled-capable, PPIs and SPIs level-sensitive.
    public init(vcpuCount: Int) {
        self.vcpuCount = min(max(vcpuCount, 1), Self.maxVCPUs)
        for i in 0..<Self.maxVCPUs { privateBanks[i].edge = 0xFFFF }
    }

    public init(_ vm: VMDescription) { self.init(vcpuCount: vm.vcpuCount) }

    subscript(bank: BankRef) -> Bank {
        get {
            switch bank {
            case .privateBank(let v): privateBanks[v]
            case .spiBank(let b): spiBanks[b]
            }
        }
        set {
            switch bank {
            case .privateBank(let v): privateBanks[v] = newValue
            case .spiBank(let b): spiBanks[b] = newValue
            }
        }
    }

    /// The bank and bit of `intid` as seen by `vcpu`, if implemented.
    func locate(_ intid: Int, vcpu: Int) -> (bank: BankRef, bit: Int)? {
        guard vcpu >= 0, vcpu < vcpuCount, intid >= 0, intid < Self.interruptCount else { return nil }
        if intid < 32 { return (.privateBank(vcpu), intid) }
        return (.spiBank((intid - 32) >> 5), intid & 31)
    }

    // MARK: Interrupt inputs

    /// Sets the level of a level-sensitive input: a PPI (16-31) of `vcpu` (the timer), or an
    /// SPI (32-95, `vcpu` ignored; the UART). An edge-configured interrupt latches pending on
    /// a rising level. Anything else is ignored.
    public mutating func setLine(intid: Int, vcpu: Int = 0, high: Bool) {
        guard intid >= 16, let (ref, bit) = locate(intid, vcpu: intid >= 32 ? 0 : vcpu) else { return }
        var bank = self[ref]
        let mask: UInt32 = 1 << UInt32(bit)
        if high && bank.line & mask == 0 && bank.edge & mask != 0 { bank.latch |= mask }
        if high { bank.line |= mask } else { bank.line &= ~mask }
        self[ref] = bank
    }

    /// Makes an interrupt pending as an edge would (an SGI's or an edge SPI's source).
    public mutating func raise(intid: Int, vcpu: Int = 0) {
        guard let (ref, bit) = locate(intid, vcpu: intid >= 32 ? 0 : vcpu) else { return }
        self[ref].latch |= 1 << UInt32(bit)
    }

    /// The SGIs vCPU `sender` generates by writing `value` to ICC_SGI1R_EL1 (IHI 0069):
    /// TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44],
    /// Aff3 [55:48]. IRM = 1: every vCPU but the sender. Returns the vCPUs made pending as a
    /// bit mask (bit n = vCPU n), so that the VMM can wake them.
    @discardableResult
    public mutating func sendSGI(from sender: Int, icc_sgi1r value: UInt64) -> UInt8 {
        let intid = Int(truncatingIfNeeded: value >> 24 & 0xF)
        var targets: UInt8 = 0
        for vcpu in 0..<vcpuCount {
            let target: Bool
            if value & 1 << 40 != 0 {
                target = vcpu != sender
            } else {
                let mpidr = VMDescription.mpidr(ofVCPU: vcpu)
                let aff0 = mpidr & 0xFF
                target = mpidr >> 8 & 0xFF == value >> 16 & 0xFF
                    && mpidr >> 16 & 0xFF == value >> 32 & 0xFF
                    && mpidr >> 32 & 0xFF == value >> 48 & 0xFF
                    && aff0 >> 4 == value >> 44 & 0xF
                    && value >> (aff0 & 0xF) & 1 != 0
            }
            if target {
                privateBanks[vcpu].latch |= 1 << UInt32(intid)
                targets |= 1 << UInt8(vcpu)
            }
        }
        return targets
    }

    // MARK: Delivery

    /// The vCPU an SPI is routed to (GICD_IROUTER affinity), or nil when it names none.
    func spiTarget(_ spi: Int) -> Int? {
        let route = routers[spi]
        for vcpu in 0..<vcpuCount {
            let mpidr = VMDescription.mpidr(ofVCPU: vcpu)
            if route & 0xFF_00FF_FFFF == (mpidr & 0xFF_FFFF) | (mpidr >> 32 & 0xFF) << 32 { return vcpu }
        }
        return nil
    }

    /// Bank `word` (0: `vcpu`'s SGIs and PPIs, 1-2: SPIs) of the interrupts that may be
    /// signalled to `vcpu`: pending, enabled, Group 1 with the distributor's Group 1 enabled,
    /// and for SPIs routed to `vcpu` (unless `anyRoute`).
    func signallable(word: Int, vcpu: Int, anyRoute: Bool = false) -> UInt32 {
        guard distributorControl & Self.enableGroup1 != 0 else { return 0 }
        let bank = word == 0 ? privateBanks[vcpu] : spiBanks[word - 1]
        var mask = bank.pending & bank.enabled & bank.group
        if word > 0 && !anyRoute {
            var bits = mask
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                bits &= bits - 1
                if spiTarget(32 * (word - 1) + bit) != vcpu { mask &= ~(1 << UInt32(bit)) }
            }
        }
        return mask
    }

    /// The list register `slot` of `vcpu` holds, or nil.
    func occupant(_ vcpu: Int, _ slot: Int) -> Int? {
        let intid = listRegisterINTID[vcpu][slot]
        return intid == Self.noInterrupt ? nil : Int(intid)
    }

    /// Word `word` of the INTIDs in list registers: `vcpu`'s for SGIs and PPIs (word 0), any
    /// vCPU's for SPIs (an SPI is in at most one list register of all).
    func inListRegisters(word: Int, vcpu: Int) -> UInt32 {
        var mask: UInt32 = 0
        for v in 0..<vcpuCount where word > 0 || v == vcpu {
            for slot in 0..<Self.maxListRegisters {
                let intid = Int(listRegisterINTID[v][slot])
                if intid != Int(Self.noInterrupt) && intid >> 5 == word { mask |= 1 << UInt32(intid & 31) }
            }
        }
        return mask
    }

    /// Fills `listRegisters[0 ..< count]` of `vcpu` for REC entry (ICH_LR<n>_EL2: State
    /// [63:62], HW [61] = 0, Group [60] = 1, Priority [55:48], vINTID [31:0]); entries from
    /// `count` on are 0. Interrupts already in a list register keep it with their current
    /// state (or leave it, as 0, when neither pending nor active any more); free list registers
    /// get the signallable interrupts of highest priority (lowest value, then lowest INTID).
    /// `count` is the number of list registers the realm's interface has (RMI_FEATURES
    /// GICV3_NUM_LRS + 1).
    public mutating func fillListRegisters(vcpu: Int, _ listRegisters: inout InlineArray<16, UInt64>, count: Int) {
        for slot in 0..<Self.maxListRegisters { listRegisters[slot] = 0 }
        guard vcpu >= 0, vcpu < vcpuCount else { return }
        let usable = min(max(count, 0), Self.maxListRegisters)
        var injected: UInt16 = 0
        for slot in 0..<Self.maxListRegisters {
            guard let intid = occupant(vcpu, slot) else { continue }
            guard slot < usable, let (ref, bit) = locate(intid, vcpu: vcpu) else {
                listRegisterINTID[vcpu][slot] = Self.noInterrupt
                continue
            }
            // An SPI re-routed while in a list register stays there until deactivated.
            let pending = signallable(word: intid >> 5, vcpu: vcpu, anyRoute: true) >> UInt32(bit) & 1 != 0
            let active = self[ref].active >> UInt32(bit) & 1 != 0
            guard active || pending else {
                listRegisterINTID[vcpu][slot] = Self.noInterrupt
                continue
            }
            listRegisters[slot] = listRegister(intid, priority: self[ref].priority[bit], pending: pending, active: active)
            if pending { injected |= 1 << UInt16(slot) }
        }
        var candidates = InlineArray<3, UInt32>(repeating: 0)
        var any: UInt32 = 0
        for word in 0..<3 {
            candidates[word] = signallable(word: word, vcpu: vcpu) & ~inListRegisters(word: word, vcpu: vcpu)
            any |= candidates[word]
        }
        var slot = 0
        while any != 0 && slot < usable {
            defer { slot += 1 }
            guard listRegisterINTID[vcpu][slot] == Self.noInterrupt else { continue }
            guard let intid = mostUrgent(candidates, vcpu: vcpu), let (ref, bit) = locate(intid, vcpu: vcpu) else { break }
            candidates[intid >> 5] &= ~(1 << UInt32(bit))
            any = candidates[0] | candidates[1] | candidates[2]
            listRegisterINTID[vcpu][slot] = UInt16(truncatingIfNeeded: intid)
            let active = self[ref].active >> UInt32(bit) & 1 != 0
            listRegisters[slot] = listRegister(intid, priority: self[ref].priority[bit], pending: true, active: active)
            injected |= 1 << UInt16(slot)
        }
        injectedPending[vcpu] = injected
    }

    /// Takes back `vcpu`'s list registers after a REC exit (RmiRecExit gicv3_lrs): a list
    /// register no longer pending that was filled pending has been acknowledged (its pending
    /// latch clears); the active bit follows the list register; an invalid one frees its slot.
    /// List registers the model did not fill are ignored.
    public mutating func syncListRegisters(vcpu: Int, _ listRegisters: InlineArray<16, UInt64>, count: Int) {
        guard vcpu >= 0, vcpu < vcpuCount else { return }
        let usable = min(max(count, 0), Self.maxListRegisters)
        for slot in 0..<usable {
            guard let intid = occupant(vcpu, slot), let (ref, bit) = locate(intid, vcpu: vcpu) else { continue }
            let state = listRegisters[slot] >> 62
            let mask: UInt32 = 1 << UInt32(bit)
            var bank = self[ref]
            if injectedPending[vcpu] >> UInt16(slot) & 1 != 0 && state & 1 == 0 { bank.latch &= ~mask }
            if state & 2 != 0 { bank.active |= mask } else { bank.active &= ~mask }
            self[ref] = bank
            if state == 0 { listRegisterINTID[vcpu][slot] = Self.noInterrupt }
        }
        injectedPending[vcpu] = 0
    }

    /// Whether `vcpu` has an interrupt to take (for a WFI exit: whether to enter it again):
    /// signallable and not yet acknowledged, in one of its list registers or waiting for one,
    /// with a priority (of the implemented bits) higher than `priorityMask` (ICH_VMCR_EL2.VPMR
    /// [31:24] from the REC exit; the default masks nothing). An SPI re-routed away while in
    /// this vCPU's list register is still this vCPU's.
    public func hasPendingInterrupt(vcpu: Int, priorityMask: UInt8 = 0xFF) -> Bool {
        guard vcpu >= 0, vcpu < vcpuCount else { return false }
        for word in 0..<3 {
            let mine = inListRegistersOf(vcpu, word: word)
            let elsewhere = inListRegisters(word: word, vcpu: vcpu) & ~mine
            let routed = signallable(word: word, vcpu: vcpu) & ~elsewhere
            let held = signallable(word: word, vcpu: vcpu, anyRoute: true) & mine
            var bits = routed | held
            let bank = word == 0 ? privateBanks[vcpu] : spiBanks[word - 1]
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                bits &= bits - 1
                if bank.priority[bit] & Self.listRegisterPriorityMask < priorityMask { return true }
            }
        }
        return false
    }

    private func inListRegistersOf(_ vcpu: Int, word: Int) -> UInt32 {
        var mask: UInt32 = 0
        for slot in 0..<Self.maxListRegisters {
            let intid = Int(listRegisterINTID[vcpu][slot])
            if intid != Int(Self.noInterrupt) && intid >> 5 == word { mask |= 1 << UInt32(intid & 31) }
        }
        return mask
    }

    /// The candidate of highest priority (lowest value, then lowest INTID).
    private func mostUrgent(_ candidates: InlineArray<3, UInt32>, vcpu: Int) -> Int? {
        var best: Int? = nil
        var bestPriority = 0x100
        for word in 0..<3 {
            var bits = candidates[word]
            let bank = word == 0 ? privateBanks[vcpu] : spiBanks[word - 1]
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                bits &= bits - 1
                let priority = Int(bank.priority[bit] & Self.listRegisterPriorityMask)
                if priority < bestPriority {
                    best = 32 * word + bit
                    bestPriority = priority
                }
            }
        }
        return best
    }

    private func listRegister(_ intid: Int, priority: UInt8, pending: Bool, active: Bool) -> UInt64 {
        let state: UInt64 = (pending ? 1 : 0) | (active ? 2 : 0)
        return state << 62 | 1 << 60 | UInt64(priority & Self.listRegisterPriorityMask) << 48 | UInt64(intid)
    }

    // GICD_CTLR with DS = 1.
    static let enableGroup0: UInt32 = 1 << 0
    static let enableGroup1: UInt32 = 1 << 1
    static let affinityRouting: UInt32 = 1 << 4
    static let disableSecurity: UInt32 = 1 << 6
}
