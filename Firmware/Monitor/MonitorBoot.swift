import AArch64
import MonitorStorage
import PlatformDefinitions
import Synchronization

// Boot of the EL3 monitor. The boot CPU arrives in monitorColdBoot from the reset path with
// .data copied and .bss zeroed; the others arrive in monitorWarmBoot when PSCI CPU_ON releases
// them. Both end in the variant's startSecureWorld, which never returns.

/// Root of the monitor's translation tables, built once by the boot CPU.
nonisolated(unsafe) var monitorTranslationRoot: UInt64 = 0
/// Number of CPUs present (from the GIC redistributors), at most PLAT_MAX_CPUS.
nonisolated(unsafe) var presentCPUs = 1

@_cdecl("monitor_cold_boot")
func monitorColdBoot(_ cpu: UInt64) -> Never {
    monitorTranslationRoot = buildMonitorTranslation()
    enableStage1AtEL3(root: monitorTranslationRoot)
    console.uart.enable()

    var banner = LogLine("[EL3] TMM monitor v")
    banner.decimal(MonitorVersion.major)
    banner.append(".")
    banner.decimal(MonitorVersion.minor)
    banner.append(" (")
    banner.append(imageVariantName)
    banner.append(" image), SMCCC ")
    banner.version(SMCCC.implementedVersion)
    banner.append(", PSCI ")
    banner.version(PSCI.implementedVersion)
    console.print(banner)

    checkCPUCanRunImage()
    // Every boot that goes on says what this image's realms are protected from
    // (Docs/el3-threat-model.md).
    console.print(ImageIsolation.model.bootStatement)
    configureEL3(cpu: cpu)
    presentCPUs = GICv3.initializeDistributorAndRedistributors()
    GICv3.initializeCPUInterface()

    var cpus = LogLine("[EL3] ")
    cpus.decimal(UInt64(presentCPUs))
    cpus.append(" CPUs, GICv3 distributor and redistributors ready, Group 1 NS for the normal world")
    console.print(cpus)
    // After configureEL3 (FP/SIMD untrapped) and before attestation measures the images.
    SHAInstructions.enable(tag: "[EL3]")

    // Before the normal world's device tree goes into DRAM: it reads QEMU's tree there.
    PlatformAttestation.initializeAtColdBoot()
    fillTMMManifest()
    var pool = LogLine("[EL3] granule pool: ")
    pool.append(securePoolName)
    console.print(pool)
    copyNormalWorldDeviceTree(cpu: cpu)
    monitor_cpu_state(cpu).pointee.ns_entry = payload_entry()
    monitor_cpu_state(cpu).pointee.ns_context_id = UInt64(PLAT_NS_DTB_BASE)
    var handOff = LogLine("[EL3] normal world: NS-EL2 payload at ")
    handOff.hex(payload_entry())
    handOff.append(", device tree at ")
    handOff.hex(UInt64(PLAT_NS_DTB_BASE))
    console.print(handOff)
    for other in 0..<Int(PLAT_MAX_CPUS) {
        setPowerState(UInt64(other), other == Int(cpu) ? PSCI.affinityOnPending : PSCI.affinityOff)
    }
    startSecureWorld(cpu: cpu, coldBoot: true)
}

@_cdecl("monitor_warm_boot")
func monitorWarmBoot(_ cpu: UInt64) -> Never {
    enableStage1AtEL3(root: monitorTranslationRoot)
    configureEL3(cpu: cpu)
    GICv3.initializeCPUInterface()
    startSecureWorld(cpu: cpu, coldBoot: false)
}

/// Per-CPU EL3 state: which features lower ELs may use, and where this CPU's contexts live.
private func configureEL3(cpu: UInt64) {
    write_tpidr_el3(cpu)
    var cptr: UInt64 = 0                       // TFP = 0: FP/SIMD not trapped
    if CPUFeatures.hasSVE { cptr |= 1 << 8 }   // EZ
    if CPUFeatures.hasSME { cptr |= 1 << 12 }  // ESM
    write_cptr_el3(cptr)
    isb()
    if CPUFeatures.hasSVE { write_zcr_el3(0xF) }
    if CPUFeatures.hasSME { write_smcr_el3(0xF) }
    // Secure self-hosted debug disabled (SDD); AArch32 secure debug disabled (SPD32 = 0b10);
    // PMU and debug registers not trapped, so the normal world's cycle counter works.
    write_mdcr_el3(1 << 16 | 2 << 14)
    isb()
    let stackTop = monitorStackTop(cpu: cpu)
    monitor_context(cpu, UInt64(WORLD_SECURE)).pointee.runtime_sp = stackTop
    monitor_context(cpu, UInt64(WORLD_NONSECURE)).pointee.runtime_sp = stackTop
}

/// SCR_EL3 bits common to both worlds: lower ELs are AArch64 (RW), HVC enabled (HCE),
/// secure instruction fetch from NS memory forbidden (SIF), and every architecture feature
/// the CPU has is handed to lower ELs instead of trapping to EL3.
func scrCommonBits() -> UInt64 {
    var scr: UInt64 = 1 << 8 | 1 << 9 | 1 << 10
    if CPUFeatures.hasSecureEL2 && imageHasSecureEL2 { scr |= 1 << 18 }     // EEL2
    if CPUFeatures.hasPointerAuthentication { scr |= 1 << 16 | 1 << 17 }    // APK, API
    if CPUFeatures.hasSCXTNUM { scr |= 1 << 25 }                            // EnSCXT
    if CPUFeatures.hasFineGrainedTraps { scr |= 1 << 27 }                   // FGTEn
    if CPUFeatures.hasEnhancedCounterVirtualization { scr |= 1 << 28 }      // ECVEn
    if CPUFeatures.hasHCRX { scr |= 1 << 38 }                               // HXEn
    if CPUFeatures.hasSME { scr |= 1 << 41 }                                // EnTP2
    return scr
}

private func monitorStackTop(cpu: UInt64) -> UInt64 {
    // Matches set_monitor_stack in monitor_reset.S.
    monitor_stacks_end() - cpu * UInt64(PLAT_MONITOR_STACK_SIZE)
}

private func buildMonitorTranslation() -> UInt64 {
    var tables = Stage1Tables(memory: monitor_xlat_memory(), tables: Int(MONITOR_XLAT_TABLES))
    var ok = true
    ok = ok && tables.map(base: monitor_text_start(), size: monitor_text_end() - monitor_text_start(), .code)
    ok = ok && tables.map(base: monitor_rodata_start(), size: monitor_rodata_end() - monitor_rodata_start(), .readOnlyData)
    let flashEnd = UInt64(PLAT_FLASH_BASE) + UInt64(PLAT_FLASH_SIZE)
    ok = ok && tables.map(base: monitor_rodata_end(), size: flashEnd - monitor_rodata_end(), .readOnlyData)
    ok = ok && tables.map(base: UInt64(PLAT_MONITOR_RAM_BASE), size: UInt64(PLAT_MONITOR_RAM_SIZE), .data)
    ok = ok && tables.map(base: UInt64(PLAT_TMM_RAM_BASE), size: UInt64(PLAT_TMM_RAM_SIZE), .data)
    ok = ok && tables.map(base: UInt64(PLAT_DEVICE_BASE), size: UInt64(PLAT_DEVICE_SIZE), .device)
    // Normal-world DRAM, minus a pool carved out of it (POOL=dram), which is not the NS world's.
    ok = ok && tables.map(base: UInt64(PLAT_DRAM_BASE), size: UInt64(PLAT_DRAM_SIZE), .nonSecureData,
                          excluding: 1) { _ in securePool }
    ok = ok && mapVariantRegions(&tables)
    if !ok { haltCPU() }   // no console yet: the layout in platform_def.h is inconsistent
    return tables.root
}

/// The boot manifest the monitor gives the TMM: the secure pool the platform protects and the
/// normal-world memory the host's buffers may use.
private func fillTMMManifest() {
    let manifest = monitor_manifest()
    manifest.pointee.version = UInt32(TMM_BOOT_MANIFEST_VERSION)
    manifest.pointee.cpu_count = UInt32(presentCPUs)
    manifest.pointee.pool_count = 1
    manifest.pointee.pool.0 = tmm_memory_range(base: securePool.base, size: securePool.size)
    manifest.pointee.ns_count = 1
    manifest.pointee.ns_memory.0 = tmm_memory_range(base: UInt64(PLAT_DRAM_BASE), size: UInt64(PLAT_DRAM_SIZE))
    manifest.pointee.console_base = UInt64(PLAT_SECURE_UART_BASE)
}

private func copyNormalWorldDeviceTree(cpu: UInt64) {
    let tree = NormalWorldDeviceTree.choose(cpu: cpu)
    let size = tree.end - tree.start
    guard size <= UInt64(PLAT_NS_DTB_MAX_SIZE) else {
        console.print("[EL3] FATAL: the normal world's device tree is larger than its slot")
        PowerControl.systemOff()
    }
    let source = UnsafeRawPointer(bitPattern: UInt(tree.start))!
    let destination = UnsafeMutableRawPointer(bitPattern: UInt(PLAT_NS_DTB_BASE))!
    destination.copyMemory(from: source, byteCount: Int(size))
}

func setPowerState(_ cpu: UInt64, _ state: UInt32) {
    UnsafeMutableRawPointer(monitor_cpu_power_state(cpu))
        .assumingMemoryBound(to: Atomic<UInt32>.self).pointee.store(state, ordering: .releasing)
}

func powerState(_ cpu: UInt64) -> UInt32 {
    UnsafeMutableRawPointer(monitor_cpu_power_state(cpu))
        .assumingMemoryBound(to: Atomic<UInt32>.self).pointee.load(ordering: .acquiring)
}

/// Atomically moves `cpu` from `expected` to `desired`; returns the state found.
func exchangePowerState(_ cpu: UInt64, expected: UInt32, desired: UInt32) -> UInt32 {
    UnsafeMutableRawPointer(monitor_cpu_power_state(cpu))
        .assumingMemoryBound(to: Atomic<UInt32>.self).pointee
        .compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing).original
}

func haltCPU() -> Never {
    mask_all_interrupts()
    while true { wfi() }
}
