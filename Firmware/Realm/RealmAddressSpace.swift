import AArch64
import RealmLayout
import RealmSupport

// Where the realm's RAM, the host's shared pages and the emulated devices are, as IPAs (what RSI
// calls name) and as the addresses the realm's code uses. REC 0 learns the convention at entry
// (realm_layout.h, REALM_LAYOUT_*). With the S-EL2 image's stage 2 the realm runs with its MMU
// off and both are the same. On the EL3 image there is no stage 2 (Docs/el3-realms.md): realm RAM
// is at its physical address, and a shared page or device is reached at its physical address
// through a stage-1 mapping with NS = 1, which the realm builds here before anything else.

enum AddressSpace {
    nonisolated(unsafe) static var identityPlaced = false
    /// The emulated UART is not reachable (its access aborts in the realm instead of reaching
    /// the host): the console goes through RSI_HOST_CALL.
    nonisolated(unsafe) static var consoleByHostCall = false
    nonisolated(unsafe) static var ramBase = UInt64(REALM_RAM_BASE)
    nonisolated(unsafe) private static var sharedPA: UInt64 = 0
    nonisolated(unsafe) private static var devicePA: UInt64 = 0
    nonisolated(unsafe) private static var stage1SCTLR: UInt64 = 0

    static var ramEnd: UInt64 { ramBase + UInt64(REALM_RAM_SIZE) }
    static let unprotectedBase = UInt64(REALM_UNPROTECTED_BASE)

    /// The shared pages (mailbox, then the token area).
    static var sharedIPA: UInt64 { identityPlaced ? unprotectedBase | sharedPA : UInt64(REALM_SHARED_IPA) }
    static var sharedAddress: UInt64 { identityPlaced ? sharedPA : UInt64(REALM_SHARED_IPA) }
    static var tokenIPA: UInt64 { sharedIPA + (UInt64(REALM_SHARED_TOKEN_IPA) - UInt64(REALM_SHARED_IPA)) }
    static var tokenAddress: UInt64 { sharedAddress + (UInt64(REALM_SHARED_TOKEN_IPA) - UInt64(REALM_SHARED_IPA)) }
    /// The emulated PL011 and the unemulated page.
    static var uartAddress: UInt64 { identityPlaced ? devicePA : UInt64(REALM_UART_IPA) }
    static var unemulatedAddress: UInt64 {
        identityPlaced ? devicePA + UInt64(REALM_UNEMULATED_OFFSET) : UInt64(REALM_UNEMULATED_IPA)
    }
    /// A protected IPA that is never RAM: RIPAS EMPTY for the realm's whole life.
    static var neverRAMIPA: UInt64 { ramEnd + 0x10000 }

    /// REC 0, first thing: the convention the host gave (x1-x3), and on the EL3 image the
    /// stage-1 tables that reach the shared pages and devices with NS = 1. False if they could
    /// not be built (the realm then cannot print, and stops).
    static func setUp(layout: UInt64, sharedPhysical: UInt64, devicePhysical: UInt64) -> Bool {
        guard layout == UInt64(REALM_LAYOUT_IDENTITY) else { return true }
        identityPlaced = true
        ramBase = realm_image_start()
        sharedPA = sharedPhysical
        devicePA = devicePhysical
        guard buildTables() else { return false }
        enableStage1()
        // The architecture routes the external abort of an unbacked access to EL3
        // (SCR_EL3.EA), where the TMM turns it into an MMIO exit; QEMU 7.2 takes it to the
        // realm's own EL1 instead. Look once, before printing anything.
        consoleByHostCall = probeRead(uartAddress + 0x18).taken
        return true
    }

    /// REC 1: the tables REC 0 built.
    static func setUpSecondary() {
        write_tpidr_el1(1)
        if identityPlaced { enableStage1() }
    }

    // Stage 1 (4 KiB granule, 39-bit VAs from level 1, VA = PA): realm RAM Normal, NS = 0; the
    // shared pages Normal, NS = 1, never executable; the device window Device-nGnRnE, NS = 1.
    // 2 MiB blocks in at most three level-2 tables (realm_xlat: level 1, then three level 2).
    private static let block2M: UInt64 = 0x20_0000
    private static let normal: UInt64 = 0 << 2 | 3 << 8 | 1 << 10 | 0b01       // Attr0, inner shareable, AF, block
    private static let device: UInt64 = 1 << 2 | 1 << 10 | 0b01                 // Attr1, AF, block
    private static let nonSecure: UInt64 = 1 << 5
    private static let neverExecute: UInt64 = 1 << 53 | 1 << 54

    private static func buildTables() -> Bool {
        Memory.fill(realm_xlat(), bytes: 0x4000, 0)
        var usedLevel2 = 0
        return map(ramBase, UInt64(REALM_RAM_SIZE), normal, &usedLevel2)
            && map(sharedPA, UInt64(REALM_SHARED_PAGES) << 12, normal | nonSecure | neverExecute, &usedLevel2)
            && map(devicePA, UInt64(REALM_UNEMULATED_OFFSET) + 0x1000, device | nonSecure | neverExecute, &usedLevel2)
    }

    /// Maps the 2 MiB blocks that hold [base, base + size) with `attributes`; false if a block
    /// is already mapped otherwise, or the tables run out.
    private static func map(_ base: UInt64, _ size: UInt64, _ attributes: UInt64, _ usedLevel2: inout Int) -> Bool {
        let level1 = realm_xlat()
        var block = base & ~(block2M - 1)
        while block < base + size {
            guard block >> 39 == 0 else { return false }
            let l1 = level1 + 8 * (block >> 30)
            var table = Memory.load(l1) & 0xFFFF_FFFF_F000
            if Memory.load(l1) & 3 != 3 {
                guard usedLevel2 < 3 else { return false }
                usedLevel2 += 1
                table = level1 + 0x1000 * UInt64(usedLevel2)
                Memory.store(l1, table | 0b11)
            }
            let entry = table + 8 * (block >> 21 & 0x1FF)
            let descriptor = block | attributes
            let existing = Memory.load(entry)
            guard existing == 0 || existing == descriptor else { return false }
            Memory.store(entry, descriptor)
            block += block2M
        }
        return true
    }

    private static func enableStage1() {
        write_mair_el1(0xFF)                           // Attr0 normal write-back, Attr1 Device-nGnRnE
        // T0SZ 25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, EPD1 (no TTBR1 walks), IPS 40 bits.
        write_tcr_el1(25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 23 | 2 << 32)
        write_ttbr0_el1(realm_xlat())
        isb()
        tlbi_vmalle1()
        dsb_sy()
        isb()
        write_sctlr_el1(read_sctlr_el1() | 1)
        isb()
    }
}
