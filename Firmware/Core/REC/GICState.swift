// Checks on the virtual GIC state the host passes in RmiRecEnter (DEN0137 B4.3.12, REC_ENTER's
// rec_gicv3 condition; A6.3): the host may only set control bits and list-register fields that
// cannot break the realm's isolation or make the virtual interface UNPREDICTABLE. The rules are
// those TF-RMM applies (lib/gic gic_validate_state), for the interface VirtualGICv3 models.

enum GICState {
    /// ICH_HCR_EL2 bits the host may set: UIE, LRENPIE, NPIE, VGrp0EIE, VGrp0DIE, VGrp1EIE,
    /// VGrp1DIE and TDIR (TF-RMM gic.c).
    static let allowedHCR: UInt64 = 0xFE | 1 << 14

    static let lrStateShift: UInt64 = 62
    static let lrHW: UInt64 = 1 << 61
    static let lrVINTIDMask: UInt64 = 0xFFFF_FFFF
    /// pINTID [44:32]; with HW = 0 only its EOI bit [41] has a meaning.
    static let lrPINTIDField: UInt64 = 0x1FFF << 32
    static let lrEOI: UInt64 = 1 << 41
    static let lrPriorityShift: UInt64 = 48

    /// Largest LPI vINTID: the modelled interface has 16 INTID bits (ICV_CTLR_EL1.IDbits = 0).
    static let maxVINTID: UInt64 = 0xFFFF
    static let maxSPI: UInt64 = 1019
    static let minLPI: UInt64 = 8192

    /// A vINTID a list register may carry: SGI, PPI or SPI, or an LPI. No extended ranges
    /// (ICH_VTR_EL2 / ICC_CTLR_EL1.ExtRange = 0), and never the special INTIDs 1020-1023.
    static func isValidVINTID(_ intid: UInt64) -> Bool {
        intid <= maxSPI || (intid >= minLPI && intid <= maxVINTID)
    }

    /// rec_gicv3. Only the `listRegisters` implemented list registers are read: the others
    /// are ignored here and never reach the realm (VirtualGICv3.load).
    static func isValid(_ entry: RECEntry, listRegisters: Int) -> Bool {
        guard entry.gicv3HCR & ~allowedHCR == 0 else { return false }
        let count = min(listRegisters, 16)
        for i in 0..<count {
            let lr = entry.gicv3ListRegisters[i]
            guard lr >> lrStateShift != 0 else { continue }
            // DEN0137 requires HW = 0: a realm must never deactivate a physical interrupt.
            guard lr & lrHW == 0 else { return false }
            // Priority bits the interface does not implement are RES0.
            let priority = lr >> lrPriorityShift & 0xFF
            guard priority & ~VirtualGICv3.implementedPriority == 0 else { return false }
            guard lr & lrPINTIDField & ~lrEOI == 0 else { return false }
            let intid = lr & lrVINTIDMask
            guard isValidVINTID(intid) else { return false }
            // Two valid list registers with one vINTID make the interface UNPREDICTABLE.
            for j in (i + 1)..<count {
                let other = entry.gicv3ListRegisters[j]
                guard other >> lrStateShift == 0 || other & lrVINTIDMask != intid else { return false }
            }
        }
        return true
    }
}
