import AArch64

// Stage-2 TLB maintenance for realms at Secure EL1 (Arm ARM D8.13, "TLB maintenance"). The
// by-IPA and by-VMID operations act on the VMID in VTTBR_EL2, so the TMM selects the realm's
// VMID around them; the normal world's VTTBR_EL2 is the monitor's to switch, so the TMM may
// change it freely. An IPAS2E1IS operand with bit 63 clear names the Secure IPA space.

private func withVMID(_ vmid: UInt16, _ body: () -> Void) {
    let saved = read_vttbr_el2()
    write_vttbr_el2(UInt64(vmid) << 48)
    isb()
    body()
    write_vttbr_el2(saved)
    isb()
}

func stage2InvalidateIPA(_ ipa: UInt64, vmid: UInt16) {
    withVMID(vmid) {
        dsb_ishst()
        tlbi_ipas2e1is(ipa >> 12)
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
