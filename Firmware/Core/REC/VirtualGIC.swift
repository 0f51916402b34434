// An emulated GICv3 virtual CPU interface for one REC (Arm IHI 0069 "GICv3 and GICv4",
// chapters on the virtual CPU interface and ICH_*/ICV_* registers). On this platform the
// realm's ICC_* accesses trap to the TMM instead of reaching a hardware virtual interface
// (Docs/realm-execution.md), so the TMM plays the part of ICH_* and ICV_*: the host's list
// registers come in with RmiRecEnter, the realm acknowledges and ends interrupts through its
// trapped ICC_IAR1_EL1 / ICC_EOIR1_EL1 / ICC_DIR_EL1 accesses, and the list registers, MISR
// and VMCR go back in RmiRecExit in the ICH_* encodings.
//
// Separable: nothing here knows about RMI or the hardware; a platform whose GIC virtualises
// Secure EL1 would load the same list registers into ICH_LR<n>_EL2 instead.
//
// Modelled implementation: 5 bits of priority and of preemption (ICH_VTR_EL2.PRIbits =
// PREbits = 4), so one active-priorities register (AP1R0, bit n = group priority n << 3);
// 16-bit INTIDs; Group 1 interrupts only (Group 0 list registers are never signalled, IAR0 and
// HPPIR0 read 1023, EOIR0, AP0R0 and IGRPEN0 are RAZ/WI), but both binary points and
// ICC_CTLR_EL1.CBPR as the architecture defines them (ICV_BPR0_EL1, ICV_BPR1_EL1, ICV_CTLR_EL1):
// BPR0 resets to its minimum 2 and BPR1 to 3; with CBPR set, BPR0 decides Group 1 preemption and
// BPR1 reads as BPR0 + 1 (at most 7) and ignores writes. What the realm reads is what the exit's
// ICH_VMCR_EL2 reports (VBPR0, VBPR1, VCBPR).
//
// SGIs: one vCPU's interface cannot reach another vCPU, and which REC an affinity names is the
// host's to decide, so a write to ICC_SGI1R_EL1, ICC_ASGI1R_EL1 or ICC_SGI0R_EL1 is not
// emulated here: `access` answers `.forwardToHost` and the run loop turns it into a REC exit
// (SYNC, the trap's syndrome, the value in gprs[0]), as a hardware virtual interface traps
// these writes to EL2 for the hypervisor. The host's GIC model then delivers the SGI through a
// list register at the target REC's next entry.

struct VirtualGICv3 {
    /// List registers as ICH_LR<n>_EL2: state [63:62], Group [60], priority [55:48], EOI [41],
    /// vINTID [31:0]. HW [61] is always 0: REC_ENTER refuses anything else (GICState).
    var listRegisters = InlineArray<16, UInt64>(repeating: 0)
    var listRegisterCount = 1
    /// The ICH_HCR_EL2 bits the host controls (GICState.allowedHCR).
    var hostHCR: UInt64 = 0
    /// ICH_HCR_EL2.EOIcount: deactivations that found no list register (5 bits, wraps).
    var eoiCount: UInt64 = 0
    /// ICV_PMR_EL1, ICV_BPR0_EL1, ICV_BPR1_EL1 (as written), ICV_IGRPEN1_EL1,
    /// ICV_CTLR_EL1.EOImode and CBPR, ICV_AP1R0_EL1.
    var priorityMask: UInt64 = 0
    var binaryPoint0: UInt64 = minimumBinaryPoint0
    var binaryPoint1: UInt64 = minimumBinaryPoint1
    var group1Enabled = false
    var splitEOI = false
    var commonBinaryPoint = false
    var activePriorities: UInt32 = 0

    static let priorityBits: UInt64 = 5
    /// The implemented priority bits of an 8-bit priority.
    static let implementedPriority: UInt64 = 0xF8
    static let minimumBinaryPoint1: UInt64 = 8 - priorityBits
    static let minimumBinaryPoint0: UInt64 = minimumBinaryPoint1 - 1
    static let idlePriority: UInt64 = 0xFF
    static let spurious: UInt64 = 1023

    // List register fields.
    static let statePending: UInt64 = 1
    static let stateActive: UInt64 = 2
    static let groupBit: UInt64 = 1 << 60
    static let eoiBit: UInt64 = 1 << 41

    static func state(_ lr: UInt64) -> UInt64 { lr >> 62 }
    static func priority(_ lr: UInt64) -> UInt64 { lr >> 48 & implementedPriority }
    static func intid(_ lr: UInt64) -> UInt64 { lr & 0xFFFF_FFFF }
    static func withState(_ lr: UInt64, _ state: UInt64) -> UInt64 { lr & ~(0x3 << 62) | (state & 0x3) << 62 }

    /// Takes the host's list registers and control bits (already validated by GICState).
    mutating func load(_ entry: RECEntry, listRegisters count: Int) {
        listRegisterCount = min(max(count, 1), 16)
        for i in 0..<16 { listRegisters[i] = i < listRegisterCount ? entry.gicv3ListRegisters[i] : 0 }
        hostHCR = entry.gicv3HCR & GICState.allowedHCR
    }

    // MARK: priorities

    /// The binary point of Group 1 preemption, as ICV_BPR1_EL1 reads: with CBPR, BPR0 + 1
    /// (saturating at 7), which splits the priority where BPR0 splits Group 0's.
    var effectiveBinaryPoint1: UInt64 { commonBinaryPoint ? min(binaryPoint0 + 1, 7) : binaryPoint1 }

    /// Group priority of a Group 1 interrupt: bits [7:BPR1] of the priority.
    func groupPriority(_ priority: UInt64) -> UInt64 { priority & (0xFF << effectiveBinaryPoint1) & 0xFF }

    /// ICV_RPR_EL1: the group priority of the highest-priority active interrupt, or idle.
    var runningPriority: UInt64 {
        activePriorities == 0 ? Self.idlePriority : UInt64(activePriorities.trailingZeroBitCount) << 3
    }

    /// The list register of the highest-priority pending interrupt (ties: lowest index),
    /// Group 1 only if asked.
    func highestPending(group1Only: Bool) -> Int? {
        var best: Int? = nil
        var bestPriority = UInt64.max
        for i in 0..<listRegisterCount {
            let lr = listRegisters[i]
            guard Self.state(lr) == Self.statePending else { continue }
            if group1Only && lr & Self.groupBit == 0 { continue }
            let p = Self.priority(lr)
            if p < bestPriority {
                best = i
                bestPriority = p
            }
        }
        return best
    }

    /// The list register whose interrupt the interface would signal now: the highest-priority
    /// pending Group 1 interrupt, with Group 1 enabled, priority below ICV_PMR_EL1 and group
    /// priority above the running priority.
    var signalled: Int? {
        guard group1Enabled, let i = highestPending(group1Only: true) else { return nil }
        let p = Self.priority(listRegisters[i])
        guard p < priorityMask, groupPriority(p) < runningPriority else { return nil }
        return i
    }

    // MARK: the realm's register accesses

    /// What a trapped access did.
    enum AccessResult: Equatable {
        /// Done; a read's value (ignored for writes).
        case value(UInt64)
        /// A write the host must act on (SGI generation): the instruction is complete once the
        /// host has been told, with the value written.
        case forwardToHost
        /// Not a register this interface implements: UNDEFINED.
        case undefined
    }

    /// An ICC_*_EL1 access (op0 = 3, op1 = 0, CRn = 4 or 12) by the realm.
    mutating func access(_ a: SystemRegisterAccess, value: UInt64) -> AccessResult {
        guard a.op0 == 3, a.op1 == 0 else { return .undefined }
        switch (a.crn, a.crm, a.op2) {
        case (4, 6, 0):                      // ICC_PMR_EL1
            if a.isRead { return .value(priorityMask) }
            priorityMask = value & Self.implementedPriority
        case (12, 8, 0), (12, 8, 2):         // ICC_IAR0_EL1, ICC_HPPIR0_EL1: no Group 0
            return .value(a.isRead ? Self.spurious : 0)
        case (12, 8, 1), (12, 8, 4), (12, 12, 6):
            // ICC_EOIR0_EL1, ICC_AP0R0_EL1, ICC_IGRPEN0_EL1: RAZ/WI
            return .value(0)
        case (12, 8, 3):                     // ICC_BPR0_EL1: below the minimum reads as it
            if a.isRead { return .value(binaryPoint0) }
            binaryPoint0 = max(value & 0x7, Self.minimumBinaryPoint0)
        case (12, 9, 0):                     // ICC_AP1R0_EL1
            if a.isRead { return .value(UInt64(activePriorities)) }
            activePriorities = UInt32(truncatingIfNeeded: value)
        case (12, 11, 1):                    // ICC_DIR_EL1
            guard !a.isRead else { return .undefined }
            // With EOImode 0 a DIR write is UNPREDICTABLE; ignoring it is one allowed outcome.
            guard splitEOI else { return .value(0) }
            return deactivate(intid: value & 0xFF_FFFF)
        case (12, 11, 3):                    // ICC_RPR_EL1
            guard a.isRead else { return .undefined }
            return .value(runningPriority)
        case (12, 11, 5), (12, 11, 6), (12, 11, 7):
            // ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1: write-only; the host generates the
            // SGI (see the header).
            guard !a.isRead else { return .undefined }
            return .forwardToHost
        case (12, 12, 0):                    // ICC_IAR1_EL1
            guard a.isRead else { return .undefined }
            return .value(acknowledge())
        case (12, 12, 1):                    // ICC_EOIR1_EL1
            guard !a.isRead else { return .undefined }
            return endOfInterrupt(intid: value & 0xFF_FFFF)
        case (12, 12, 2):                    // ICC_HPPIR1_EL1
            guard a.isRead else { return .undefined }
            guard let i = highestPending(group1Only: false), listRegisters[i] & Self.groupBit != 0 else {
                return .value(Self.spurious)
            }
            return .value(Self.intid(listRegisters[i]))
        case (12, 12, 3):                    // ICC_BPR1_EL1: with CBPR, BPR0 + 1 and WI
            if a.isRead { return .value(effectiveBinaryPoint1) }
            guard !commonBinaryPoint else { return .value(0) }
            binaryPoint1 = max(value & 0x7, Self.minimumBinaryPoint1)
        case (12, 12, 4):                    // ICC_CTLR_EL1
            if a.isRead { return .value(controlRegister) }
            splitEOI = value & 1 << 1 != 0
            commonBinaryPoint = value & 1 != 0
        case (12, 12, 5):                    // ICC_SRE_EL1: system registers only (SRE, DFB, DIB)
            return .value(a.isRead ? 0x7 : 0)
        case (12, 12, 7):                    // ICC_IGRPEN1_EL1
            if a.isRead { return .value(group1Enabled ? 1 : 0) }
            group1Enabled = value & 1 != 0
        default:
            return .undefined
        }
        return .value(0)
    }

    /// ICV_CTLR_EL1: CBPR [0], EOImode [1], PRIbits [10:8] (bits - 1), IDbits [13:11] = 0 (16
    /// bits).
    var controlRegister: UInt64 { (commonBinaryPoint ? 1 : 0) | (splitEOI ? 1 << 1 : 0) | (Self.priorityBits - 1) << 8 }

    /// ICC_IAR1_EL1: acknowledges the signalled interrupt (pending -> active, its group
    /// priority becomes active) and returns its INTID, or 1023 when none is signalled.
    mutating func acknowledge() -> UInt64 {
        guard let i = signalled else { return Self.spurious }
        let lr = listRegisters[i]
        listRegisters[i] = Self.withState(lr, Self.stateActive)
        activePriorities |= 1 << UInt32(groupPriority(Self.priority(lr)) >> 3)
        return Self.intid(lr)
    }

    /// ICC_EOIR1_EL1: drops the running priority and, with EOImode 0, deactivates `intid`.
    /// Special INTIDs (1020-1023) are ignored.
    mutating func endOfInterrupt(intid: UInt64) -> AccessResult {
        guard !(intid >= 1020 && intid <= 1023) else { return .value(0) }
        if activePriorities != 0 { activePriorities &= activePriorities - 1 }
        return splitEOI ? .value(0) : deactivate(intid: intid)
    }

    /// Deactivates `intid` in its list register (active -> inactive, pending+active ->
    /// pending). None found: EOIcount counts it (the host learns of it through
    /// ICH_HCR_EL2.EOIcount and MISR.LRENP).
    mutating func deactivate(intid: UInt64) -> AccessResult {
        for i in 0..<listRegisterCount {
            let lr = listRegisters[i]
            guard Self.intid(lr) == intid, lr & Self.groupBit != 0, Self.state(lr) & Self.stateActive != 0 else { continue }
            listRegisters[i] = Self.withState(lr, Self.state(lr) & ~Self.stateActive)
            return .value(0)
        }
        eoiCount = (eoiCount + 1) & 0x1F
        return .value(0)
    }

    // MARK: what the host sees at exit

    /// ICH_HCR_EL2 as reported: the host's bits and EOIcount [31:27].
    var reportedHCR: UInt64 { hostHCR | eoiCount << 27 }

    /// ICH_VMCR_EL2: VENG1 [1], VCBPR [4], VEOIM [9], VBPR1 [20:18], VBPR0 [23:21], VPMR
    /// [31:24]; the binary points as ICV_BPR0_EL1 and (CBPR clear) ICV_BPR1_EL1 read.
    var virtualMachineControl: UInt64 {
        (group1Enabled ? 1 << 1 : 0) | (commonBinaryPoint ? 1 << 4 : 0) | (splitEOI ? 1 << 9 : 0)
            | binaryPoint1 << 18 | binaryPoint0 << 21 | priorityMask << 24
    }

    /// ICH_MISR_EL2 from the host's enables in ICH_HCR_EL2 and the interface's state: EOI [0]
    /// (a list register with EOI = 1 is now invalid), U [1], LRENP [2], NP [3],
    /// VGrp0E/D [4]/[5], VGrp1E/D [6]/[7].
    var maintenanceStatus: UInt64 {
        var valid = 0
        var pending = false
        var eoi = false
        for i in 0..<listRegisterCount {
            let lr = listRegisters[i]
            let s = Self.state(lr)
            if s != 0 { valid += 1 }
            if s == Self.statePending { pending = true }
            if s == 0 && lr & Self.eoiBit != 0 { eoi = true }
        }
        var misr: UInt64 = 0
        if eoi { misr |= 1 << 0 }
        if hostHCR & 1 << 1 != 0 && valid <= 1 { misr |= 1 << 1 }
        if hostHCR & 1 << 2 != 0 && eoiCount != 0 { misr |= 1 << 2 }
        if hostHCR & 1 << 3 != 0 && !pending { misr |= 1 << 3 }
        // Group 0 is never enabled.
        if hostHCR & 1 << 5 != 0 { misr |= 1 << 5 }
        if hostHCR & 1 << 6 != 0 && group1Enabled { misr |= 1 << 6 }
        if hostHCR & 1 << 7 != 0 && !group1Enabled { misr |= 1 << 7 }
        return misr
    }
}
