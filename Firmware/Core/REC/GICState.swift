// Checks on the virtual GIC state the host passes in RmiRecEnter (DEN0137 B4.3.12, REC_ENTER's
// rec_gicv3 condition; A6.3): the host may only set control bits and list-register fields that
// cannot break the realm's isolation or make the virtual interface UNPREDICTABLE. The rules are
// those TF-RMM applies (lib/gic gic_validate_state), for the interface VirtualGICv3 models.

enum GICState {
    /// ICH_HCR_EL2 bits the host may set: UIE, LRENPIE, NPIE, VGrp0EIE, VGrp0DIE, VGrp1EIE,
    /// VGrp1DIE and TDIR (TF-RMM gic.c).
    static let allowedHCR: UInt64 = 0xFE | 1 << 14

    /// List-register fields beyond those VirtualGICv3 reads: HW [61], and pINTID [44:32], of
    /// which only the EOI bit [41] has a meaning when HW = 0.
    static let lrHW: UInt64 = 1 << 61
    static let lrPINTIDField: UInt64 = 0x1FFF << 32

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
            guard VirtualGICv3.state(lr) != 0 else { continue }
            // DEN0137 requires HW = 0: a realm must never deactivate a physical interrupt.
            guard lr & lrHW == 0 else { return false }
            // Priority bits the interface does not implement are RES0.
            guard lr >> 48 & 0xFF & ~VirtualGICv3.implementedPriority == 0 else { return false }
            guard lr & lrPINTIDField & ~VirtualGICv3.eoiBit == 0 else { return false }
            let intid = VirtualGICv3.intid(lr)
            guard isValidVINTID(intid) else { return false }
            // Two valid list registers with one vINTID make the interface UNPREDICTABLE.
            for j in (i + 1)..<count {
                let other = entry.gicv3ListRegisters[j]
                guard VirtualGICv3.state(other) == 0 || VirtualGICv3.intid(other) != intid else { return false }
            }
        }
        return true
    }
}
