import AArch64
import PlatformDefinitions
import TMMBoot
import TMMStorage

// The TMM at Secure EL2. tmm_main runs once per CPU: it turns the MMU on (the boot CPU first
// builds the tables from the monitor's boot manifest), reports TMM_BOOT_COMPLETE, then serves
// RMI calls forever: each SMC to the monitor returns with the next call in x0..x6.

/// Root of the TMM's stage-1 tables. Written by the boot CPU before its MMU is on, so CPUs
/// joining later (caches still off) read it from memory.
nonisolated(unsafe) private var translationRoot: UInt64 = 0

@_cdecl("tmm_main")
func tmmMain(_ cpu: UInt64, _ manifestAddress: UInt64, _ coldBoot: UInt64) -> Never {
    var status: UInt64 = 0
    // This CPU's realm-run area (realm_run.h); TPIDR_EL2 is the TMM's, the monitor switches it.
    let area = tmm_cpu_area(cpu)
    area.pointee.cpu = cpu
    write_tpidr_el2(UInt64(UInt(bitPattern: area)))
    if coldBoot == 1 {
        let manifest = UnsafePointer<tmm_boot_manifest>(bitPattern: UInt(manifestAddress))!.pointee
        guard let root = buildTranslation(manifest) else { reportBootFailure() }
        translationRoot = root
        dc_cvac(UInt64(UInt(bitPattern: UnsafeRawPointer(&translationRoot))))
        dsb_sy()
        enableStage1AtEL2(root: root)
        // The TMM's own copy of the crypto code (the monitor enabled the monitor's).
        SHAInstructions.enable(tag: "[TMM]")
        if !tmmColdBoot(manifest: manifest, exceptionLevel: 2) { status = UInt64(bitPattern: -1) }
        prepareRealmExecution()
    } else {
        enableStage1AtEL2(root: translationRoot)
        tmmCPUOnline(cpu: cpu)
    }

    var regs = smc_regs()
    regs.x.0 = UInt64(TMM_BOOT_COMPLETE)
    regs.x.1 = status
    regs.x.2 = rmiImplementedVersion
    while true {
        smc_call(&regs)
        let result = tmmHandleRMI(fid: regs.x.0, arguments: (regs.x.1, regs.x.2, regs.x.3, regs.x.4, regs.x.5, regs.x.6))
        regs = smc_regs(x: (UInt64(TMM_RMI_REQ_COMPLETE), result.0, result.1, result.2, result.3, result.4, 0, 0))
    }
}

/// Stage 1 of the TMM: its own image (code read-only and executable, everything else
/// execute-never), the secure pool, the normal world's memory (NS attribute) for the host's
/// buffers, and the secure console. Nothing else: not the monitor, not the flash.
private func buildTranslation(_ manifest: tmm_boot_manifest) -> UInt64? {
    var tables = Stage1Tables(memory: tmm_xlat_memory(), tables: Int(TMM_XLAT_TABLES))
    guard tables.map(base: tmm_text_start(), size: tmm_text_end() - tmm_text_start(), .code),
          tables.map(base: tmm_rodata_start(), size: tmm_rodata_end() - tmm_rodata_start(), .readOnlyData),
          tables.map(base: tmm_rw_start(), size: tmm_rw_end() - tmm_rw_start(), .data),
          tables.map(base: manifest.console_base, size: 0x1000, .device),
          // The redistributors: the TMM masks a realm's fired timer PPI while the realm runs.
          tables.map(base: UInt64(PLAT_GICR_BASE), size: UInt64(PLAT_MAX_CPUS) * UInt64(PLAT_GICR_STRIDE), .device)
    else { return nil }
    let pools = ManifestRanges(manifest, pools: true)
    for i in 0..<pools.count {
        guard tables.map(base: pools[i].base, size: pools[i].size, .data) else { return nil }
    }
    let normal = ManifestRanges(manifest, pools: false)
    for i in 0..<normal.count {
        guard tables.map(base: normal[i].base, size: normal[i].size, .nonSecureData,
                         excluding: pools.count, { pools[$0] })
        else { return nil }
    }
    return tables.root
}

private func reportBootFailure() -> Never {
    console.print("[TMM] FATAL: the boot manifest's memory map cannot be mapped")
    var regs = smc_regs()
    regs.x.0 = UInt64(TMM_BOOT_COMPLETE)
    regs.x.1 = UInt64(bitPattern: -1)
    while true { smc_call(&regs) }
}
