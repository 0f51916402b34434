import AArch64
import MonitorStorage
import PlatformDefinitions

// The EL3 image, for CPUs without Secure EL2: the TMM is linked into the monitor and runs at
// EL3 on the monitor's stack and translation tables. An RMI call is a function call; no world
// switch is needed because the TMM touches no EL1/EL2 state while serving one.

let imageVariantName: StaticString = "EL3"
let imageHasSecureEL2 = false

/// Any Armv8.0 CPU with GICv3 runs this image.
func checkCPUCanRunImage() {}

/// The TMM shares EL3's tables: it needs the secure pool (the normal world's DRAM, with the
/// NS attribute, is mapped for everyone).
func mapVariantRegions(_ tables: inout Stage1Tables) -> Bool {
    tables.map(base: securePool.base, size: securePool.size, .data)
}

func startSecureWorld(cpu: UInt64, coldBoot: Bool) -> Never {
    if coldBoot {
        guard tmmColdBoot(manifest: monitor_manifest().pointee, exceptionLevel: 3) else {
            console.print("[EL3] FATAL: the TMM failed to initialise")
            PowerControl.systemOff()
        }
        var line = LogLine("[EL3] TMM running at EL3, RMI ABI ")
        line.version(rmiImplementedVersion)
        console.print(line)
    } else {
        tmmCPUOnline(cpu: cpu)
    }
    el3_exit(normalWorldStartContext(cpu: cpu))
}

func forwardRMI(cpu: UInt64, context: UnsafeMutablePointer<world_context>) -> UnsafeMutablePointer<world_context> {
    let result = tmmHandleRMI(
        fid: context.pointee.x.0 & 0xFFFF_FFFF,
        arguments: (context.pointee.x.1, context.pointee.x.2, context.pointee.x.3,
                    context.pointee.x.4, context.pointee.x.5, context.pointee.x.6))
    context.pointee.x.0 = result.0
    context.pointee.x.1 = result.1
    context.pointee.x.2 = result.2
    context.pointee.x.3 = result.3
    context.pointee.x.4 = result.4
    return context
}

/// A realm's SMCs (RSI, PSCI) never come here: while a realm runs, its context is marked
/// (CTX_REALM_CPU) and the lower-EL vectors return them to the TMM's run loop
/// (Firmware/TMM/EL3/RECExecution.swift). Nothing else runs in this image's secure lower ELs.
func handleSecureSMC(cpu: UInt64, fid: UInt32, context: UnsafeMutablePointer<world_context>)
    -> UnsafeMutablePointer<world_context>
{
    context.pointee.x.0 = SMCCC.returnValue(SMCCC.notSupported)
    return context
}
