import AArch64
import NormalVMSupport
import PlatformDefinitions

// The ordinary VM's stage-2 translation (Arm ARM D8, VMSAv8-64 stage 2, 4 KiB granule): a
// 39-bit IPA space starting at level 1 (VTCR_EL2.T0SZ 25, SL0 1), the guest's RAM mapped in
// 2 MiB blocks onto DRAM pages at a different address (RAM IPA 0x8000_0000 is not the PA
// behind it), Normal Write-Back, read-write. Nothing else is mapped: every device access is a
// stage-2 translation fault the VMM decodes (NormalVMRunLoop).
//
// Backing (PLAT_NVM_BACKING_*): the tables in its first 2 MiB, the guest's RAM from 2 MiB on.

struct NormalVMStage2 {
    static let block: UInt64 = 0x20_0000
    static let ipaBits: UInt64 = 39

    let ramBase: UInt64
    let ramSize: UInt64
    /// Where the guest's RAM is in the host's (identity-mapped) DRAM.
    let backing: UInt64
    let level1: UInt64
    let level2: UInt64

    /// The DRAM behind the guest's RAM, or nil when `ramSize` does not fit the backing region
    /// or the RAM is not in one 1 GiB level-1 entry of the 39-bit space.
    init?(ramBase: UInt64, ramSize: UInt64) {
        let region = UInt64(PLAT_NVM_BACKING_BASE)
        let regionSize = UInt64(PLAT_NVM_BACKING_SIZE)
        guard ramSize > 0, ramSize % Self.block == 0, ramSize <= regionSize - Self.block,
              ramBase % Self.block == 0, ramBase >> 30 == (ramBase + ramSize - 1) >> 30,
              ramBase + ramSize <= 1 << Self.ipaBits else { return nil }
        self.ramBase = ramBase
        self.ramSize = ramSize
        level1 = region
        level2 = region + 0x1000
        backing = region + Self.block
    }

    /// The host address of guest IPA `ipa` in RAM.
    func hostAddress(_ ipa: UInt64) -> UInt64 { backing + (ipa - ramBase) }

    /// Writes the tables and makes them the current stage 2 (VMID 1).
    func install() {
        let l1 = UnsafeMutablePointer<UInt64>(bitPattern: UInt(level1))!
        let l2 = UnsafeMutablePointer<UInt64>(bitPattern: UInt(level2))!
        for i in 0..<512 { l1[i] = 0; l2[i] = 0 }
        l1[Int(ramBase >> 30)] = level2 | 0b11                      // table descriptor
        // Block: AF [10], SH inner shareable [9:8], S2AP read-write [7:6], MemAttr Normal
        // Outer and Inner Write-Back [5:2] = 0b1111, block [1:0] = 0b01.
        let attributes: UInt64 = 1 << 10 | 3 << 8 | 3 << 6 | 0xF << 2 | 0b01
        var ipa = ramBase
        while ipa < ramBase + ramSize {
            l2[Int(ipa >> 21 & 0x1FF)] = hostAddress(ipa) | attributes
            ipa += Self.block
        }
        dsb_sy()
        // VTCR_EL2: T0SZ 25, SL0 1 (level 1), IRGN0/ORGN0 Write-Back, SH0 inner, TG0 4 KiB,
        // PS 40 bits (the backing DRAM is below 1 TiB), RES1 [31].
        write_vtcr_el2(25 | 1 << 6 | 1 << 8 | 1 << 10 | 3 << 12 | 2 << 16 | 1 << 31)
        write_vttbr_el2(level1 | 1 << 48)
        isb()
        tlbi_vmalls12e1()
        dsb_sy()
        isb()
    }
}
