import AArch64
import MonitorStorage
import PlatformDefinitions

// Entry into the normal world at Non-secure EL2, as TF-A hands over to BL33: x0 = device tree
// on the boot CPU, x0 = context_id on a CPU started by PSCI CPU_ON; MMU and caches off;
// interrupts masked; EL2 registers in a defined reset state.

/// SPSR_EL3 for an entry at EL2h with D, A, I and F masked.
let spsrEL2hMasked: UInt64 = 0x3C9

/// CPTR_EL2 (E2H = 0) out of reset: its RES1 bits, with SVE (TZ, bit 8) and SME (TSM, bit 12)
/// trapped and FP/SIMD not.
let cptrEL2Reset: UInt64 = 0x33FF

/// Resets `world`'s context on `cpu` for an entry at EL2h, every exception masked, at `entry`
/// with `x0` and SCR_EL3 `scr`: general registers zero, EL1 registers zero, EL2 registers in
/// the reset state both worlds start from. Callers add what their world needs.
func resetWorldContext(cpu: UInt64, world: UInt64, entry: UInt64, x0: UInt64, scr: UInt64)
    -> UnsafeMutablePointer<world_context>
{
    let context = monitor_context(cpu, world)
    let runtimeSP = context.pointee.runtime_sp
    context.pointee = world_context()
    context.pointee.runtime_sp = runtimeSP
    context.pointee.x.0 = x0
    context.pointee.elr_el3 = entry
    context.pointee.spsr_el3 = spsrEL2hMasked
    context.pointee.scr_el3 = scr
    context.pointee.el2.sctlr_el2 = sctlrRES1
    context.pointee.el2.hcr_el2 = 1 << 31                   // RW: EL1 is AArch64
    context.pointee.el2.cptr_el2 = cptrEL2Reset
    context.pointee.el2.vtcr_el2 = 1 << 31                  // RES1
    context.pointee.el2.vpidr_el2 = read_midr_el1()
    context.pointee.el2.vmpidr_el2 = read_mpidr_el1()
    return context
}

/// The normal world's context on `cpu`, set up to start at `entry` with `x0`.
func prepareNormalWorldEntry(cpu: UInt64, entry: UInt64, x0: UInt64) -> UnsafeMutablePointer<world_context> {
    let context = resetWorldContext(cpu: cpu, world: UInt64(WORLD_NONSECURE), entry: entry, x0: x0,
                                    scr: scrCommonBits() | 1)   // NS
    // SVE and SME are the normal world's to use.
    if CPUFeatures.hasSVE { context.pointee.el2.cptr_el2 &= ~(1 << 8) }
    if CPUFeatures.hasSME { context.pointee.el2.cptr_el2 &= ~(1 << 12) }
    context.pointee.el2.cnthctl_el2 = 3                     // EL1PCTEN, EL1PCEN
    context.pointee.el2.mdcr_el2 = CPUFeatures.pmuCounters  // HPMN: all counters to EL1
    context.pointee.el2.icc_sre_el2 = 0x9                   // SRE, Enable
    context.pointee.el1.sctlr_el1 = 0x30D0_0800             // RES1 bits, MMU off
    return context
}

/// The first entry of the normal world on `cpu` once the secure world is up there, where the
/// cold boot (payload) or PSCI CPU_ON asked it to start. Its EL1 and EL2 registers are loaded
/// with the reset state now: whatever ran before on this CPU (the TMM's boot, or the normal
/// world before CPU_OFF) leaves nothing behind. The caller has saved what it must keep.
func normalWorldStartContext(cpu: UInt64) -> UnsafeMutablePointer<world_context> {
    let state = monitor_cpu_state(cpu)
    let context = prepareNormalWorldEntry(cpu: cpu, entry: state.pointee.ns_entry, x0: state.pointee.ns_context_id)
    restoreEL1Registers(context)
    restoreEL2Registers(context)
    setPowerState(cpu, PSCI.affinityOn)
    return context
}
