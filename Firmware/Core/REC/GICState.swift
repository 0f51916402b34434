// Checks on the virtual GIC state the host passes in RmiRecEnter (DEN0137 A6.3: the host
// may only set list-register and control fields that cannot break the realm's isolation).

enum GICState {
    /// ICH_HCR_EL2 bits the host may set: UIE, LRENPIE, NPIE, VGrp0EIE, VGrp0DIE, VGrp1EIE,
    /// VGrp1DIE and TDIR (TF-RMM gic.c).
    static let allowedHCR: UInt64 = 0xFE | 1 << 14

    static let lrStateShift: UInt64 = 62
    static let lrHW: UInt64 = 1 << 61
    static let lrVINTIDMask: UInt64 = 0xFFFF_FFFF
    static let lrPINTIDShift: UInt64 = 32
    static let lrPINTIDMask: UInt64 = 0x1FFF

    static func isValid(_ entry: RECEntry, listRegisters: Int) -> Bool {
        guard entry.gicv3HCR & ~allowedHCR == 0 else { return false }
        for i in 0..<16 {
            let lr = entry.gicv3ListRegisters[i]
            if i >= listRegisters {
                guard lr == 0 else { return false }
                continue
            }
            guard lr >> lrStateShift != 0 else { continue }
            let vintid = lr & lrVINTIDMask
            // Special INTIDs 1020...1023 can never be injected.
            guard !(vintid >= 1020 && vintid <= 1023) else { return false }
            if lr & lrHW != 0 {
                let pintid = lr >> lrPINTIDShift & lrPINTIDMask
                guard pintid >= 16 && pintid < 1020 else { return false }
            }
        }
        return true
    }
}
