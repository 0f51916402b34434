import AArch64

// The realm's own stage-1 translation for the checks that need one: a TTBR0 walk from a level-1
// table the check built, 4 KiB granule, 39-bit VAs. Used around a probe and turned off again,
// so the rest of the realm keeps running with its MMU off.
enum RealmStage1 {
    /// Turns the MMU on with `level1` and returns the SCTLR_EL1 value to give to `disable`.
    static func enable(level1: UInt64) -> UInt64 {
        let savedSCTLR = read_sctlr_el1()
        write_mair_el1(0xFF)                           // Attr0 normal write-back, Attr1 Device-nGnRnE
        // T0SZ 25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, EPD1 (no TTBR1 walks), IPS 40 bits.
        write_tcr_el1(25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 23 | 2 << 32)
        write_ttbr0_el1(level1)
        isb()
        tlbi_vmalle1()
        dsb_sy()
        isb()
        write_sctlr_el1(savedSCTLR | 1)
        isb()
        return savedSCTLR
    }

    static func disable(restoring savedSCTLR: UInt64) {
        write_sctlr_el1(savedSCTLR)
        isb()
    }
}
