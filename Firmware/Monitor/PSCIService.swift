import AArch64
import MonitorStorage
import PlatformDefinitions

// PSCI 1.1 (Arm DEN0022E) for the normal world. CPUs are identified by MPIDR; on the platforms
// built so far (QEMU virt with GICv3, QEMU sbsa-ref up to 8 CPUs) Aff0 is the CPU's linear index
// and the higher affinity fields are zero, as the platform's plat_cpu_index also assumes
// (Docs/porting.md: a server with clusters needs both changed).

enum PSCIService {
    static func handle(cpu: UInt64, fid: UInt32, context: UnsafeMutablePointer<world_context>)
        -> UnsafeMutablePointer<world_context>
    {
        let x1 = context.pointee.x.1, x2 = context.pointee.x.2, x3 = context.pointee.x.3
        var result: Int64
        switch fid {
        case PSCI.version:
            context.pointee.x.0 = PSCI.implementedVersion
            return context
        case PSCI.features:
            result = features(UInt32(truncatingIfNeeded: x1))
        case PSCI.cpuSuspend32, PSCI.cpuSuspend64:
            result = cpuSuspend(powerState: fid == PSCI.cpuSuspend32 ? x1 & 0xFFFF_FFFF : x1)
        case PSCI.cpuOn32:
            result = cpuOn(target: x1 & 0xFFFF_FFFF, entry: x2 & 0xFFFF_FFFF, contextID: x3 & 0xFFFF_FFFF)
        case PSCI.cpuOn64:
            result = cpuOn(target: x1, entry: x2, contextID: x3)
        case PSCI.cpuOff:
            return cpuOff(cpu: cpu)
        case PSCI.affinityInfo32:
            result = affinityInfo(target: x1 & 0xFFFF_FFFF, lowestLevel: x2 & 0xFFFF_FFFF)
        case PSCI.affinityInfo64:
            result = affinityInfo(target: x1, lowestLevel: x2)
        case PSCI.migrateInfoType:
            context.pointee.x.0 = PSCI.migrationNotRequired
            return context
        case PSCI.systemOff:
            console.print("[EL3] PSCI SYSTEM_OFF from the normal world: powering off")
            PowerControl.systemOff()
        case PSCI.systemReset:
            console.print("[EL3] PSCI SYSTEM_RESET from the normal world: resetting")
            PowerControl.systemReset()
        default:
            result = PSCI.notSupported
        }
        context.pointee.x.0 = UInt64(bitPattern: result)
        return context
    }

    /// PSCI_FEATURES: 0 for each implemented function (CPU_SUSPEND: original power_state
    /// format, platform-coordinated mode only), NOT_SUPPORTED otherwise. SMCCC_VERSION is
    /// reported as present, as SMCCC 1.1+ requires.
    private static func features(_ queried: UInt32) -> Int64 {
        switch queried {
        case PSCI.version, PSCI.cpuSuspend32, PSCI.cpuSuspend64, PSCI.cpuOff, PSCI.cpuOn32, PSCI.cpuOn64,
             PSCI.affinityInfo32, PSCI.affinityInfo64, PSCI.migrateInfoType, PSCI.systemOff, PSCI.systemReset,
             PSCI.features, SMCCC.version:
            return 0
        default:
            return PSCI.notSupported
        }
    }

    /// The linear index of the CPU an MPIDR value names, or nil when no such CPU is present.
    /// Only the affinity fields count (Aff3 at [39:32], Aff2-Aff0 at [23:0]).
    static func cpuIndex(mpidr: UInt64) -> UInt64? {
        let affinity = mpidr & 0xFF_00FF_FFFF
        guard affinity >> 8 == 0, affinity < UInt64(presentCPUs) else { return nil }
        return affinity
    }

    private static func isValidNormalWorldEntry(_ entry: UInt64) -> Bool {
        entry & 3 == 0 && entry >= UInt64(PLAT_DRAM_BASE) && entry - UInt64(PLAT_DRAM_BASE) < UInt64(PLAT_DRAM_SIZE)
    }

    private static func cpuOn(target: UInt64, entry: UInt64, contextID: UInt64) -> Int64 {
        guard let index = cpuIndex(mpidr: target) else { return PSCI.invalidParameters }
        guard isValidNormalWorldEntry(entry) else { return PSCI.invalidAddress }
        let found = exchangePowerState(index, expected: PSCI.affinityOff, desired: PSCI.affinityOnPending)
        switch found {
        case PSCI.affinityOff:
            break
        case PSCI.affinityOnPending:
            return PSCI.onPending
        default:
            return PSCI.alreadyOn
        }
        let state = monitor_cpu_state(index)
        state.pointee.ns_entry = entry
        state.pointee.ns_context_id = contextID
        release(cpu: index)
        return PSCI.success
    }

    /// Lets a CPU leave the holding pen (at reset, MMU off) or the wait after CPU_OFF.
    private static func release(cpu: UInt64) {
        let slot = monitor_hold_pen_slot(cpu)
        dsb_ish()
        slot.pointee = monitor_release_magic
        // The waiting CPU may read with its caches off: push the write to the point of coherency.
        dc_civac(UInt64(UInt(bitPattern: slot)))
        dsb_sy()
        sev()
    }

    /// CPU_OFF: this CPU stops running the normal world and waits until CPU_ON starts it again.
    /// The secure world's context on this CPU stays as it is (the TMM keeps its state).
    private static func cpuOff(cpu: UInt64) -> UnsafeMutablePointer<world_context> {
        setPowerState(cpu, PSCI.affinityOff)
        let slot = monitor_hold_pen_slot(cpu)
        while true {
            wfe()
            // This CPU's caches are on and coherent with the releasing CPU's writes.
            if slot.pointee == monitor_release_magic { break }
        }
        slot.pointee = 0
        return normalWorldStartContext(cpu: cpu)
    }

    private static func affinityInfo(target: UInt64, lowestLevel: UInt64) -> Int64 {
        // Only affinity level 0 is tracked; higher levels are optional (DEN0022 5.1.5).
        guard lowestLevel == 0, let index = cpuIndex(mpidr: target) else { return PSCI.invalidParameters }
        return Int64(powerState(index))
    }

    /// CPU_SUSPEND with the original power_state format: a standby request (StateType, bit 16,
    /// clear) waits for an interrupt and returns; power-down states are not offered.
    private static func cpuSuspend(powerState: UInt64) -> Int64 {
        guard powerState & (1 << 16) == 0 else { return PSCI.invalidParameters }
        dsb_sy()
        wfi()
        return PSCI.success
    }
}
