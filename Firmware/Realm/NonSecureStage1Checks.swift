import AArch64
import RealmLayout
import RealmSupport

// A realm's stage-1 NS bit has no effect (a realm written for CCA tells protected from
// unprotected memory by the top IPA bit). The realm turns its MMU on with stage-1 tables in
// which every mapping has NS = 1, and works through them: it runs from and stores to its
// protected RAM, reads the host's mailbox in the shared (unprotected) page, and reads an
// emulated device register, exactly as with NS = 0. Nothing is printed while the MMU is on
// (the console's IPA is not mapped there).
//
// Tables (4 KiB granule, 39-bit VA, walks from level 1), in realm_xlat:
//   VA 0x4000_0000 (1 GiB)  -> IPA 0x4000_0000: the realm's RAM, normal write-back, NS = 1;
//   VA 0xC000_0000 (1 GiB)  -> IPA 0x80_0000_0000: the start of the unprotected half (shared
//                              pages, the emulated UART), Device-nGnRnE, NS = 1.

/// Written with the MMU off, read through the NS = 1 mapping; and the other way round.
nonisolated(unsafe) var nonSecureProbeBefore: UInt64 = 0
nonisolated(unsafe) var nonSecureProbeAfter: UInt64 = 0

enum NonSecureStage1Checks {
    static let unprotectedVA: UInt64 = 0xC000_0000
    static let patternBefore: UInt64 = 0x4E53_3D31_0000_0001   // "NS=1"
    static let patternAfter: UInt64 = 0x4E53_3D31_0000_0002
    /// PL011 UARTFR: the host's model answers 0x90 (FIFOs empty, never busy).
    static let uartFlagRegister: UInt64 = 0x018

    static func run(_ checks: inout RealmChecks, _ config: RealmConfiguration) {
        let level1 = realm_xlat()
        Memory.fill(level1, bytes: 0x1000, 0)
        let nonSecure: UInt64 = 1 << 5
        // Block, AttrIndx [4:2], AP EL1 read/write, inner shareable, AF.
        let normal: UInt64 = 0b01 | 0 << 2 | 0b11 << 8 | 1 << 10
        let device: UInt64 = 0b01 | 1 << 2 | 1 << 10
        let unprotectedBase = config.unprotectedBase
        Memory.store(level1 + 8 * 1, UInt64(REALM_RAM_BASE) & ~0x3FFF_FFFF | normal | nonSecure)
        Memory.store(level1 + 8 * 3, unprotectedBase | device | nonSecure)

        let before = withUnsafeMutablePointer(to: &nonSecureProbeBefore) { UInt64(UInt(bitPattern: $0)) }
        let after = withUnsafeMutablePointer(to: &nonSecureProbeAfter) { UInt64(UInt(bitPattern: $0)) }
        Memory.store(before, patternBefore)
        Memory.store(after, 0)
        let mailbox = unprotectedVA + (UInt64(REALM_SHARED_IPA) - unprotectedBase) + UInt64(REALM_MBX_HOST_MAGIC)
        let uart = unprotectedVA + (UInt64(REALM_UART_IPA) - unprotectedBase) + uartFlagRegister

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
        // From here on every instruction fetch and access goes through NS = 1.
        let readProtected = Memory.load(before)
        Memory.store(after, patternAfter)
        let magic = Memory.load(mailbox)
        let flags = UInt64(mmio_read32(uart))
        write_sctlr_el1(savedSCTLR)
        isb()

        var detail = LogLine(": read ")
        detail.hex(readProtected)
        checks.expect("stage-1 NS=1: the realm runs from and reads its protected RAM through mappings with NS = 1",
                      readProtected == patternBefore, detail)
        checks.expectEqual("stage-1 NS=1: a store through an NS = 1 mapping lands in the realm's protected RAM",
                           Memory.load(after), patternAfter)
        checks.expectEqual("stage-1 NS=1: the shared page at an unprotected IPA holds the host's mailbox through an NS = 1 mapping",
                           magic, UInt64(REALM_MBX_HOST_MAGIC_VALUE))
        checks.expectEqual("stage-1 NS=1: an emulated device at an unprotected IPA answers through an NS = 1 mapping (UARTFR)",
                           flags, 0x90)
    }
}
