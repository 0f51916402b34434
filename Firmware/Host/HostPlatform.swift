import AArch64
import HostStorage
import PlatformDefinitions

// The host's own address space: an identity map of its image (code executable, the rest not),
// the rest of normal-world DRAM and the devices. With the MMU on, memory is cacheable and
// exclusive accesses (locks, atomics) behave.

nonisolated(unsafe) var hostTranslationRoot: UInt64 = 0

func enableHostMMU() {
    if hostTranslationRoot == 0 {
        var tables = Stage1Tables(memory: host_xlat_memory(), tables: Int(HOST_XLAT_TABLES))
        let dramEnd = UInt64(PLAT_DRAM_BASE) + UInt64(PLAT_DRAM_SIZE)
        let ok = tables.map(base: UInt64(PLAT_DRAM_BASE), size: host_text_start() - UInt64(PLAT_DRAM_BASE), .data)
            && tables.map(base: host_text_start(), size: host_text_end() - host_text_start(), .code)
            && tables.map(base: host_text_end(), size: dramEnd - host_text_end(), .data)
            && tables.map(base: UInt64(PLAT_DEVICE_BASE), size: UInt64(PLAT_DEVICE_SIZE), .device)
            // Mapped on purpose: the host's own tables allow the access, so what stops a read
            // of secure memory is the hardware (an external abort), not a translation fault.
            && tables.map(base: UInt64(PLAT_SECURE_RAM_BASE), size: UInt64(PLAT_SECURE_RAM_SIZE), .data)
            && tables.map(base: UInt64(PLAT_FLASH_BASE), size: UInt64(PLAT_FLASH_SIZE), .readOnlyData)
        if !ok { PSCIClient.systemOff() }
        hostTranslationRoot = tables.root
        // CPUs started later read the root with their caches off.
        dc_civac(UInt64(UInt(bitPattern: UnsafeRawPointer(&hostTranslationRoot))))
        dsb_sy()
    }
    enableStage1AtEL2(root: hostTranslationRoot)
}

/// The PPIs in `mask` (bit n for INTID n) enabled at this CPU's redistributor, and Group 1 at
/// its CPU interface with no priority masked. The host keeps PSTATE.I masked: its interrupts
/// only have to be pending to end a realm's run, and stay pending until their source goes quiet.
func enableHostPPIs(_ mask: UInt32) {
    let sgiFrame = UInt64(PLAT_GICR_BASE) + 0x1_0000
    mmio_write32(sgiFrame + 0x100, mask)     // GICR_ISENABLER0
    write_icc_pmr_el1(0xFF)
    write_icc_igrpen1_el1(1)
    isb()
}

/// PSCI function IDs the host calls, or serves for a realm (Arm DEN0022).
enum PSCIFunction {
    static let version: UInt64 = 0x8400_0000
    static let features: UInt64 = 0x8400_000A
    static let cpuOn: UInt64 = 0xC400_0003
    static let cpuOn32: UInt64 = 0x8400_0003
    static let cpuOff: UInt64 = 0x8400_0002
    static let affinityInfo: UInt64 = 0xC400_0004
    static let affinityInfo32: UInt64 = 0x8400_0004
    static let systemOff: UInt64 = 0x8400_0008
    static let systemReset: UInt64 = 0x8400_0009
}

enum PSCIClient {
    static func systemOff() -> Never {
        console.uart.flush()
        _ = smc(PSCIFunction.systemOff)
        while true { wfi() }
    }
}
