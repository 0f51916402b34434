import AArch64
import MonitorStorage
import PlatformDefinitions
import RealmRun
import TMMBoot

// The S-EL2 image: the TMM runs at Secure EL2 and the monitor switches worlds to reach it.
// Protocol (tmm_boot.h): the TMM boots on each CPU and reports TMM_BOOT_COMPLETE; afterwards
// it waits inside an SMC for the next RMI call and hands each result back with
// TMM_RMI_REQ_COMPLETE.

let imageVariantName: StaticString = "S-EL2"
let imageHasSecureEL2 = true

func checkCPUCanRunImage() {
    guard CPUFeatures.hasSecureEL2 else {
        console.print("[EL3] FATAL: this CPU does not implement Secure EL2 (FEAT_SEL2, ID_AA64PFR0_EL1.SEL2 == 0).")
        console.print("[EL3] The S-EL2 image needs an Armv8.4 CPU with FEAT_SEL2; use the EL3 image (tmm-el3) here.")
        console.print("[EL3] Stopping: powering off.")
        PowerControl.systemOff()
    }
}

/// The monitor needs no mapping beyond the common ones: it loads the TMM through its RAM window.
func mapVariantRegions(_ tables: inout Stage1Tables) -> Bool { true }

func startSecureWorld(cpu: UInt64, coldBoot: Bool) -> Never {
    if coldBoot { loadTMMImage() }
    let context = resetWorldContext(cpu: cpu, world: UInt64(WORLD_SECURE), entry: tmm_entry_address(), x0: cpu,
                                    scr: scrCommonBits())      // NS = 0: Secure state
    context.pointee.x.1 = UInt64(UInt(bitPattern: monitor_manifest()))
    context.pointee.x.2 = coldBoot ? 1 : 0
    restoreEL2Registers(context)
    el3_exit(context)
}

/// Copies the TMM from flash into its RAM and zeroes its .bss. Its RAM is secure-only; the
/// monitor measures this image when attestation needs it.
private func loadTMMImage() {
    let size = tmm_image_end() - tmm_image_start()
    let source = UnsafeRawPointer(bitPattern: UInt(tmm_load_start()))!
    let destination = UnsafeMutableRawPointer(bitPattern: UInt(tmm_image_start()))!
    destination.copyMemory(from: source, byteCount: Int(size))
    let bssSize = tmm_bss_end() - tmm_image_end()
    UnsafeMutableRawPointer(bitPattern: UInt(tmm_image_end()))!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(bssSize))
    // The TMM fetches instructions from what was just written through the data side.
    var line = tmm_image_start()
    while line < tmm_image_end() {
        dc_cvac(line)
        line += 64
    }
    dsb_ish()
    ic_iallu()
    dsb_ish()
    isb()
}

/// An RMI call from the normal world: switch to the TMM with the call in x0..x6.
func forwardRMI(cpu: UInt64, context: UnsafeMutablePointer<world_context>) -> UnsafeMutablePointer<world_context> {
    let secure = monitor_context(cpu, UInt64(WORLD_SECURE))
    secure.pointee.x.0 = context.pointee.x.0 & 0xFFFF_FFFF
    secure.pointee.x.1 = context.pointee.x.1
    secure.pointee.x.2 = context.pointee.x.2
    secure.pointee.x.3 = context.pointee.x.3
    secure.pointee.x.4 = context.pointee.x.4
    secure.pointee.x.5 = context.pointee.x.5
    secure.pointee.x.6 = context.pointee.x.6
    // Only REC_ENTER runs a realm, the one thing that changes EL1 state (WorldSwitch.swift).
    let entersRealm = context.pointee.x.0 & 0xFFFF_FFFF == recEnterFID
    monitor_cpu_state(cpu).pointee.rmi_in_progress = entersRealm ? 2 : 1
    saveEL2Registers(context)
    if entersRealm { saveEL1Registers(context) }
    restoreEL2Registers(secure)
    return secure
}

/// RMI_REC_ENTER (DEN0137 1.0-rel0).
private let recEnterFID: UInt64 = 0xC400_015C

func handleSecureSMC(cpu: UInt64, fid: UInt32, context: UnsafeMutablePointer<world_context>)
    -> UnsafeMutablePointer<world_context>
{
    switch UInt64(fid) {
    case UInt64(TMM_RMI_REQ_COMPLETE) where monitor_cpu_state(cpu).pointee.rmi_in_progress != 0:
        let ranRealm = monitor_cpu_state(cpu).pointee.rmi_in_progress == 2
        monitor_cpu_state(cpu).pointee.rmi_in_progress = 0
        let normal = monitor_context(cpu, UInt64(WORLD_NONSECURE))
        normal.pointee.x.0 = context.pointee.x.1
        normal.pointee.x.1 = context.pointee.x.2
        normal.pointee.x.2 = context.pointee.x.3
        normal.pointee.x.3 = context.pointee.x.4
        normal.pointee.x.4 = context.pointee.x.5
        saveEL2Registers(context)
        restoreEL2Registers(normal)
        if ranRealm { restoreEL1Registers(normal) }
        return normal
    case UInt64(TMM_ENTER_REALM) where monitor_cpu_state(cpu).pointee.tmm_booted != 0:
        return enterRealm(context: context)
    case UInt64(TMM_BOOT_COMPLETE) where monitor_cpu_state(cpu).pointee.tmm_booted == 0:
        return tmmBootComplete(cpu: cpu, status: context.pointee.x.1, rmiVersion: context.pointee.x.2, context: context)
    // Attestation services for the TMM (Firmware/Monitor/Attestation/AttestationSMC.swift).
    case UInt64(TMM_ATTEST_GET_REALM_KEY), UInt64(TMM_ATTEST_GET_PLAT_TOKEN):
        return AttestationSMC.handle(fid: fid, context: context)
    default:
        context.pointee.x.0 = SMCCC.returnValue(SMCCC.notSupported)
        return context
    }
}

/// TMM_ENTER_REALM: the realm's registers replace the TMM's in the secure context, and the
/// monitor returns to Secure EL1 with physical interrupts and the realm's GIC system-register
/// accesses routed here (reflectRealmException hands them back to the TMM). The TMM's own
/// registers are not needed again: it resumes from its realm-exit vectors.
private func enterRealm(context: UnsafeMutablePointer<world_context>) -> UnsafeMutablePointer<world_context> {
    let address = context.pointee.x.1
    let ramBase = UInt64(PLAT_TMM_RAM_BASE), ramSize = UInt64(PLAT_TMM_RAM_SIZE)
    let size = UInt64(MemoryLayout<realm_run>.size)
    guard address & 7 == 0, address >= ramBase, address - ramBase <= ramSize - size else {
        context.pointee.x.0 = UInt64(bitPattern: Int64(TMM_ENTER_REALM_REFUSED))
        return context
    }
    let run = UnsafePointer<realm_run>(bitPattern: UInt(address))!
    // Only AArch64 EL1h, EL1t or EL0t: M[4] = 0 (AArch64) and M[3:0] 0b0101, 0b0100, 0b0000.
    let mode = run.pointee.pstate & 0x1F
    guard mode == 0b00101 || mode == 0b00100 || mode == 0b00000 else {
        context.pointee.x.0 = UInt64(bitPattern: Int64(TMM_ENTER_REALM_REFUSED))
        return context
    }
    context.pointee.x = run.pointee.x
    context.pointee.elr_el3 = run.pointee.pc
    context.pointee.spsr_el3 = run.pointee.pstate
    context.pointee.scr_el3 = secureSCR(context.pointee.scr_el3, realmRunning: true)
    return context
}

private func tmmBootComplete(cpu: UInt64, status: UInt64, rmiVersion: UInt64,
                             context: UnsafeMutablePointer<world_context>) -> UnsafeMutablePointer<world_context>
{
    guard status == 0 else {
        var line = LogLine("[EL3] FATAL: the TMM failed to boot on CPU ")
        line.decimal(cpu)
        line.append(", status ")
        line.decimal(signed: Int64(bitPattern: status))
        console.print(line)
        PowerControl.systemOff()
    }
    monitor_cpu_state(cpu).pointee.tmm_booted = 1
    if cpu == 0 {
        var line = LogLine("[EL3] TMM running at Secure EL2, RMI ABI ")
        line.version(rmiVersion)
        console.print(line)
    }
    saveEL2Registers(context)
    return normalWorldStartContext(cpu: cpu)
}
