import AArch64
import MonitorStorage

// EL1 and EL2 system registers are not banked between Secure and Non-secure state (only the
// secure stage-2 registers VSTTBR/VSTCR are Secure-only), so the monitor saves the leaving
// world's copy and restores the entering world's (S-EL2 image). Both images also load the
// normal world's prepared reset state through these functions when it starts on a CPU.
//
// EL2: on every switch, since the TMM runs at EL2 with its own translation regime and vectors.
// EL1: the TMM touches EL1 state only while it runs a realm, inside RMI_REC_ENTER, and loads
// each realm's EL1 registers itself before running it. So the monitor saves the normal world's
// EL1 registers when it forwards REC_ENTER and restores them when the result comes back, and
// leaves them alone for every other call; the secure side of EL1 is the TMM's to manage.
//
// Not switched, by contract with the TMM: the GICv3 hypervisor interface (ICH_*) and the EL2
// timers (CNTHP/CNTHV: in Secure state those encodings reach the Secure EL2 timers), which the
// TMM leaves untouched; FP/SIMD, which neither EL3 nor the TMM uses (realm FP state is the
// TMM's to save and restore around realm execution).
//
// No ISB after a restore: every caller returns to the world through el3_exit, whose ERET is
// context-synchronising (SCTLR_EL3.EOS is set), and EL3 itself depends on none of these.

func saveEL1Registers(_ context: UnsafeMutablePointer<world_context>) {
    context.pointee.el1 = el1_sysregs(
        sctlr_el1: read_sctlr_el1(), actlr_el1: read_actlr_el1(), cpacr_el1: read_cpacr_el1(),
        csselr_el1: read_csselr_el1(), ttbr0_el1: read_ttbr0_el1(), ttbr1_el1: read_ttbr1_el1(),
        tcr_el1: read_tcr_el1(), mair_el1: read_mair_el1(), amair_el1: read_amair_el1(),
        vbar_el1: read_vbar_el1(), contextidr_el1: read_contextidr_el1(), tpidr_el0: read_tpidr_el0(),
        tpidrro_el0: read_tpidrro_el0(), tpidr_el1: read_tpidr_el1(), sp_el0: read_sp_el0(),
        sp_el1: read_sp_el1(), elr_el1: read_elr_el1(), spsr_el1: read_spsr_el1(), esr_el1: read_esr_el1(),
        far_el1: read_far_el1(), afsr0_el1: read_afsr0_el1(), afsr1_el1: read_afsr1_el1(),
        par_el1: read_par_el1(), mdscr_el1: read_mdscr_el1(), cntkctl_el1: read_cntkctl_el1())
}

func saveEL2Registers(_ context: UnsafeMutablePointer<world_context>) {
    context.pointee.el2 = el2_sysregs(
        hcr_el2: read_hcr_el2(), sctlr_el2: read_sctlr_el2(), actlr_el2: read_actlr_el2(),
        cptr_el2: read_cptr_el2(), hstr_el2: read_hstr_el2(), hacr_el2: read_hacr_el2(),
        mdcr_el2: read_mdcr_el2(), tcr_el2: read_tcr_el2(), ttbr0_el2: read_ttbr0_el2(),
        ttbr1_el2: CPUFeatures.hasVHE ? read_ttbr1_el2() : 0, mair_el2: read_mair_el2(), amair_el2: read_amair_el2(),
        vbar_el2: read_vbar_el2(), elr_el2: read_elr_el2(), spsr_el2: read_spsr_el2(), esr_el2: read_esr_el2(),
        far_el2: read_far_el2(), hpfar_el2: read_hpfar_el2(), afsr0_el2: read_afsr0_el2(),
        afsr1_el2: read_afsr1_el2(), sp_el2: read_sp_el2(), tpidr_el2: read_tpidr_el2(),
        contextidr_el2: CPUFeatures.hasVHE ? read_contextidr_el2() : 0, vtcr_el2: read_vtcr_el2(), vttbr_el2: read_vttbr_el2(),
        vpidr_el2: read_vpidr_el2(), vmpidr_el2: read_vmpidr_el2(), cnthctl_el2: read_cnthctl_el2(),
        cntvoff_el2: read_cntvoff_el2(), icc_sre_el2: read_icc_sre_el2())
}

func restoreEL1Registers(_ context: UnsafeMutablePointer<world_context>) {
    let el1 = context.pointee.el1
    write_sctlr_el1(el1.sctlr_el1); write_actlr_el1(el1.actlr_el1); write_cpacr_el1(el1.cpacr_el1)
    write_csselr_el1(el1.csselr_el1); write_ttbr0_el1(el1.ttbr0_el1); write_ttbr1_el1(el1.ttbr1_el1)
    write_tcr_el1(el1.tcr_el1); write_mair_el1(el1.mair_el1); write_amair_el1(el1.amair_el1)
    write_vbar_el1(el1.vbar_el1); write_contextidr_el1(el1.contextidr_el1); write_tpidr_el0(el1.tpidr_el0)
    write_tpidrro_el0(el1.tpidrro_el0); write_tpidr_el1(el1.tpidr_el1); write_sp_el0(el1.sp_el0)
    write_sp_el1(el1.sp_el1); write_elr_el1(el1.elr_el1); write_spsr_el1(el1.spsr_el1)
    write_esr_el1(el1.esr_el1); write_far_el1(el1.far_el1); write_afsr0_el1(el1.afsr0_el1)
    write_afsr1_el1(el1.afsr1_el1); write_par_el1(el1.par_el1); write_mdscr_el1(el1.mdscr_el1)
    write_cntkctl_el1(el1.cntkctl_el1)
}

func restoreEL2Registers(_ context: UnsafeMutablePointer<world_context>) {
    let el2 = context.pointee.el2
    write_hcr_el2(el2.hcr_el2); write_sctlr_el2(el2.sctlr_el2); write_actlr_el2(el2.actlr_el2)
    write_cptr_el2(el2.cptr_el2); write_hstr_el2(el2.hstr_el2); write_hacr_el2(el2.hacr_el2)
    write_mdcr_el2(el2.mdcr_el2); write_tcr_el2(el2.tcr_el2); write_ttbr0_el2(el2.ttbr0_el2)
    // TTBR1_EL2 and CONTEXTIDR_EL2 exist with FEAT_VHE (Armv8.1) only.
    if CPUFeatures.hasVHE {
        write_ttbr1_el2(el2.ttbr1_el2)
        write_contextidr_el2(el2.contextidr_el2)
    }
    write_mair_el2(el2.mair_el2); write_amair_el2(el2.amair_el2)
    write_vbar_el2(el2.vbar_el2); write_elr_el2(el2.elr_el2); write_spsr_el2(el2.spsr_el2)
    write_esr_el2(el2.esr_el2); write_far_el2(el2.far_el2); write_hpfar_el2(el2.hpfar_el2)
    write_afsr0_el2(el2.afsr0_el2); write_afsr1_el2(el2.afsr1_el2); write_sp_el2(el2.sp_el2)
    write_tpidr_el2(el2.tpidr_el2); write_vtcr_el2(el2.vtcr_el2)
    write_vttbr_el2(el2.vttbr_el2); write_vpidr_el2(el2.vpidr_el2); write_vmpidr_el2(el2.vmpidr_el2)
    write_cnthctl_el2(el2.cnthctl_el2); write_cntvoff_el2(el2.cntvoff_el2); write_icc_sre_el2(el2.icc_sre_el2)
}
