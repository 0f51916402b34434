import AArch64
import TMMBoot

// What both image variants' TMM entry code calls: the cold boot, a CPU coming online, and
// one RMI call. The S-EL2 image reaches these through its SMC loop, the EL3 image directly
// from the monitor's SMC dispatcher.

/// RMI ABI version implemented: 1.0 (DEN0137 1.0-rel0).
let rmiImplementedVersion: UInt64 = 0x1_0000

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
    TMMAttestation.initializeAtColdBoot(exceptionLevel: exceptionLevel)
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
    interimRMIDispatch(fid: fid, arguments: arguments)
}
