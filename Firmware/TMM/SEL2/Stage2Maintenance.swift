import AArch64

// Stage-2 TLB maintenance for realms at Secure EL1 (Arm ARM D8.13, "TLB maintenance"). The
// by-IPA and by-VMID operations act on the VMID in VTTBR_EL2, so the TMM selects the realm's
// VMID around them; the normal world's VTTBR_EL2 is the monitor's to switch, so the TMM may
// change it freely. From Secure EL2 an IPAS2E1IS operand names the Secure IPA space with bit 63
// clear and the Non-secure one with it set; a realm's RTTs translate both (RealmRunner), so
// both are invalidated. VMALLS12E1IS covers the whole Secure EL1&0 regime of the VMID.

private func withVMID(_ vmid: UInt16, _ body: () -> Void) {
    let saved = read_vttbr_el2()
    write_vttbr_el2(UInt64(vmid) << 48)
    isb()
    body()
    write_vttbr_el2(saved)
    isb()
}

/// TLBI IPAS2E1IS operand: IPA[55:12] in bits [43:0], NS in bit 63.
private let ipaField: UInt64 = 0xFFF_FFFF_FFFF
private let nonSecureIPASpace: UInt64 = 1 << 63

func stage2InvalidateIPA(_ ipa: UInt64, vmid: UInt16) {
    withVMID(vmid) {
        dsb_ishst()
        tlbi_ipas2e1is(ipa >> 12 & ipaField)
        tlbi_ipas2e1is(ipa >> 12 & ipaField | nonSecureIPASpace)
        dsb_ish()
        // Stage-1 entries combined with the old stage-2 entry go too (D8.13.5).
        tlbi_vmalle1is()
        dsb_ish()
    }
}

func stage2InvalidateVMID(_ vmid: UInt16) {
    withVMID(vmid) {
        dsb_ishst()
        tlbi_vmalls12e1is()
        dsb_ish()
    }
}
