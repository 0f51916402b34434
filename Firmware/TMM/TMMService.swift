import AArch64
import TMMBoot
import TMMStorage

// What both image variants' TMM entry code calls: the cold boot, a CPU coming online, and
// one RMI call. The S-EL2 image reaches these through its SMC loop, the EL3 image directly
// from the monitor's SMC dispatcher.

/// RMI ABI version implemented: 1.0 (DEN0137 1.0-rel0).
let rmiImplementedVersion: UInt64 = 0x1_0000

/// The RMI core, set up once by the boot CPU before any other CPU enters the TMM. Its mutable
/// state lives in the granule table memory behind atomics; the value itself is never written
/// again. It sits in static storage and is called in place: copying the value out of an
/// optional on every call cost more than a simple RMI command itself (make bench).
nonisolated(unsafe) private var rmiCore: UnsafeMutablePointer<TMM<FirmwareHardware>>? = nil

func tmmColdBoot(manifest: tmm_boot_manifest, exceptionLevel: Int) -> Bool {
    var line = LogLine("[TMM] TrustZone Management Monitor at ")
    line.append(exceptionLevel == 2 ? "Secure EL2" : "EL3")
    line.append(", RMI ABI ")
    line.version(rmiImplementedVersion)
    console.print(line)
    let pools = ManifestRanges(manifest, pools: true)
    for i in 0..<pools.count {
        var pool = LogLine("[TMM] secure pool ")
        pool.hex(pools[i].base)
        pool.append("-")
        pool.hex(pools[i].base + pools[i].size - 1)
        pool.append(" (")
        pool.decimal(pools[i].size >> 12)
        pool.append(" granules)")
        console.print(pool)
    }
    return startRMICore(manifest)
}

private func startRMICore(_ manifest: tmm_boot_manifest) -> Bool {
    var pool = MemoryRanges()
    let pools = ManifestRanges(manifest, pools: true)
    for i in 0..<pools.count { pool.append(base: pools[i].base, size: pools[i].size) }
    var normalWorld = MemoryRanges()
    let normal = ManifestRanges(manifest, pools: false)
    for i in 0..<normal.count { normalWorld.append(base: normal[i].base, size: normal[i].size) }
    let capabilities = PlatformCapabilities.ofThisCPU()
    let needed = TMM<FirmwareHardware>.requiredStorageBytes(pool: pool, vmidWidth: capabilities.vmidWidth)
    guard needed <= Int(TMM_GRANULE_TABLE_BYTES) else {
        console.print("[TMM] FATAL: the granule table does not fit its storage")
        return false
    }
    let configuration = TMMConfiguration(securePool: pool, normalWorldMemory: normalWorld,
                                         capabilities: capabilities, storage: tmm_granule_table(),
                                         storageBytes: needed)
    guard let core = TMM(configuration: configuration, hardware: FirmwareHardware()) else {
        console.print("[TMM] FATAL: the boot manifest's memory map is not a valid configuration")
        return false
    }
    guard MemoryLayout<TMM<FirmwareHardware>>.size <= Int(TMM_CORE_STORAGE_BYTES),
          MemoryLayout<TMM<FirmwareHardware>>.alignment <= 64 else {
        console.print("[TMM] FATAL: the RMI core does not fit its static storage")
        return false
    }
    let home = UnsafeMutableRawPointer(tmm_core_storage_address()).bindMemory(to: TMM<FirmwareHardware>.self, capacity: 1)
    home.initialize(to: core)
    rmiCore = home
    var line = LogLine("[TMM] RMI core ready: IPA width up to ")
    line.decimal(UInt64(capabilities.maxIPAWidth))
    line.append(" bits, ")
    line.decimal(UInt64(capabilities.vmidWidth))
    line.append("-bit VMIDs")
    console.print(line)
    return true
}

func tmmCPUOnline(cpu: UInt64) {
    var line = LogLine("[TMM] CPU ")
    line.decimal(cpu)
    line.append(" online")
    console.print(line)
}

/// One RMI call: x0 = FID, x1..x6 arguments; returns x0..x4.
func tmmHandleRMI(fid: UInt64, arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64))
    -> (UInt64, UInt64, UInt64, UInt64, UInt64)
{
    guard let core = rmiCore else { return (RMIReturnCode(.input).encoded, 0, 0, 0, 0) }
    let r = core.pointee.handle(fid: fid, arguments: RMIArguments(arguments.0, arguments.1, arguments.2,
                                                                  arguments.3, arguments.4, arguments.5))
    return (r.x0, r.x1, r.x2, r.x3, r.x4)
}
