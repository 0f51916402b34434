/*
 * AArch64 system-register, barrier, cache/TLB and MMIO accessors for the Swift firmware.
 * Swift has no inline assembly: these always-inline wrappers are imported through
 * module.modulemap and inline completely into Swift code.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>

#define ARCH_INLINE static inline __attribute__((always_inline))

#define SYSREG_READ(fn, reg) \
	ARCH_INLINE uint64_t read_##fn(void) { uint64_t v; __asm__ volatile("mrs %0, " #reg : "=r"(v)); return v; }
#define SYSREG_WRITE(fn, reg) \
	ARCH_INLINE void write_##fn(uint64_t v) { __asm__ volatile("msr " #reg ", %0" : : "r"(v)); }
#define SYSREG_RW(fn, reg) SYSREG_READ(fn, reg) SYSREG_WRITE(fn, reg)

/* Identification. */
SYSREG_READ(mpidr_el1, mpidr_el1)
SYSREG_READ(midr_el1, midr_el1)
SYSREG_READ(currentel, CurrentEL)
SYSREG_READ(id_aa64pfr0_el1, id_aa64pfr0_el1)
SYSREG_READ(id_aa64pfr1_el1, id_aa64pfr1_el1)
SYSREG_READ(id_aa64dfr0_el1, id_aa64dfr0_el1)
SYSREG_READ(id_aa64isar0_el1, id_aa64isar0_el1)
SYSREG_READ(id_aa64isar1_el1, id_aa64isar1_el1)
SYSREG_READ(id_aa64mmfr0_el1, id_aa64mmfr0_el1)
SYSREG_READ(id_aa64mmfr1_el1, id_aa64mmfr1_el1)
SYSREG_READ(id_aa64mmfr2_el1, id_aa64mmfr2_el1)
SYSREG_READ(ctr_el0, ctr_el0)
/* ID_AA64ISAR2_EL1, ID_AA64ZFR0_EL1 and ID_AA64SMFR0_EL1 by encoding: older assemblers do not name them. */
SYSREG_READ(id_aa64zfr0_el1, S3_0_C0_C4_4)
SYSREG_READ(id_aa64isar2_el1, S3_0_C0_C6_2)
SYSREG_READ(id_aa64smfr0_el1, S3_0_C0_C4_5)

/* EL3. */
SYSREG_RW(scr_el3, scr_el3)
SYSREG_RW(sctlr_el3, sctlr_el3)
SYSREG_RW(tcr_el3, tcr_el3)
SYSREG_RW(ttbr0_el3, ttbr0_el3)
SYSREG_RW(mair_el3, mair_el3)
SYSREG_RW(vbar_el3, vbar_el3)
SYSREG_RW(elr_el3, elr_el3)
SYSREG_RW(spsr_el3, spsr_el3)
SYSREG_RW(esr_el3, esr_el3)
SYSREG_RW(far_el3, far_el3)
SYSREG_RW(cptr_el3, cptr_el3)
SYSREG_RW(mdcr_el3, mdcr_el3)
SYSREG_RW(tpidr_el3, tpidr_el3)
SYSREG_RW(icc_sre_el3, S3_6_C12_C12_5)
SYSREG_RW(zcr_el3, S3_6_C1_C2_0)
SYSREG_RW(smcr_el3, S3_6_C1_C2_6)
SYSREG_RW(cntfrq_el0, cntfrq_el0)

/* EL2 (not banked between Secure and Non-secure EL2: the monitor switches them). */
SYSREG_RW(hcr_el2, hcr_el2)
SYSREG_RW(sctlr_el2, sctlr_el2)
SYSREG_RW(actlr_el2, actlr_el2)
SYSREG_RW(cptr_el2, cptr_el2)
SYSREG_RW(hstr_el2, hstr_el2)
SYSREG_RW(hacr_el2, hacr_el2)
SYSREG_RW(mdcr_el2, mdcr_el2)
SYSREG_RW(tcr_el2, tcr_el2)
SYSREG_RW(ttbr0_el2, ttbr0_el2)
SYSREG_RW(ttbr1_el2, S3_4_C2_C0_1)
SYSREG_RW(mair_el2, mair_el2)
SYSREG_RW(amair_el2, amair_el2)
SYSREG_RW(vbar_el2, vbar_el2)
SYSREG_RW(elr_el2, elr_el2)
SYSREG_RW(spsr_el2, spsr_el2)
SYSREG_RW(esr_el2, esr_el2)
SYSREG_RW(far_el2, far_el2)
SYSREG_RW(hpfar_el2, hpfar_el2)
SYSREG_RW(afsr0_el2, afsr0_el2)
SYSREG_RW(afsr1_el2, afsr1_el2)
SYSREG_RW(sp_el2, sp_el2)
SYSREG_RW(tpidr_el2, tpidr_el2)
SYSREG_RW(contextidr_el2, S3_4_C13_C0_1)
SYSREG_RW(vtcr_el2, vtcr_el2)
SYSREG_RW(vttbr_el2, vttbr_el2)
SYSREG_RW(vpidr_el2, vpidr_el2)
SYSREG_RW(vmpidr_el2, vmpidr_el2)
SYSREG_RW(cnthctl_el2, cnthctl_el2)
SYSREG_RW(cntvoff_el2, cntvoff_el2)
SYSREG_RW(icc_sre_el2, S3_4_C12_C9_5)
SYSREG_RW(icc_pmr_el1, S3_0_C4_C6_0)
SYSREG_RW(icc_igrpen1_el1, S3_0_C12_C12_7)
SYSREG_READ(icc_iar1_el1, S3_0_C12_C12_0)
SYSREG_WRITE(icc_eoir1_el1, S3_0_C12_C12_1)
SYSREG_WRITE(icc_sgi1r_el1, S3_0_C12_C11_5)
SYSREG_RW(ich_hcr_el2, S3_4_C12_C11_0)
SYSREG_READ(ich_vtr_el2, S3_4_C12_C11_1)
/* Secure EL2 only (FEAT_SEL2): the secure stage-2 translation of realms. */
SYSREG_RW(vsttbr_el2, S3_4_C2_C6_0)
SYSREG_RW(vstcr_el2, S3_4_C2_C6_2)

/* EL1 and EL0 state that differs between the worlds. */
SYSREG_RW(sctlr_el1, sctlr_el1)
SYSREG_RW(actlr_el1, actlr_el1)
SYSREG_RW(cpacr_el1, cpacr_el1)
SYSREG_RW(csselr_el1, csselr_el1)
SYSREG_RW(ttbr0_el1, ttbr0_el1)
SYSREG_RW(ttbr1_el1, ttbr1_el1)
SYSREG_RW(tcr_el1, tcr_el1)
SYSREG_RW(mair_el1, mair_el1)
SYSREG_RW(amair_el1, amair_el1)
SYSREG_RW(vbar_el1, vbar_el1)
SYSREG_RW(contextidr_el1, contextidr_el1)
SYSREG_RW(tpidr_el0, tpidr_el0)
SYSREG_RW(tpidrro_el0, tpidrro_el0)
SYSREG_RW(tpidr_el1, tpidr_el1)
SYSREG_RW(sp_el0, sp_el0)
SYSREG_RW(sp_el1, sp_el1)
SYSREG_RW(elr_el1, elr_el1)
SYSREG_RW(spsr_el1, spsr_el1)
SYSREG_RW(esr_el1, esr_el1)
SYSREG_RW(far_el1, far_el1)
SYSREG_RW(afsr0_el1, afsr0_el1)
SYSREG_RW(afsr1_el1, afsr1_el1)
SYSREG_RW(par_el1, par_el1)
SYSREG_RW(mdscr_el1, mdscr_el1)
SYSREG_RW(cntkctl_el1, cntkctl_el1)
SYSREG_RW(pmcr_el0, pmcr_el0)
SYSREG_RW(pmccntr_el0, pmccntr_el0)
SYSREG_RW(pmcntenset_el0, pmcntenset_el0)
SYSREG_RW(pmccfiltr_el0, pmccfiltr_el0)
SYSREG_RW(pmcntenclr_el0, pmcntenclr_el0)
SYSREG_READ(cntpct_el0, cntpct_el0)
SYSREG_RW(cntv_ctl_el0, cntv_ctl_el0)
SYSREG_RW(cntv_cval_el0, cntv_cval_el0)
SYSREG_RW(cntp_ctl_el0, cntp_ctl_el0)
SYSREG_RW(cntp_cval_el0, cntp_cval_el0)
SYSREG_RW(cnthp_ctl_el2, cnthp_ctl_el2)
SYSREG_RW(cnthp_cval_el2, cnthp_cval_el2)
SYSREG_RW(cnthp_tval_el2, cnthp_tval_el2)
/* The EL2 virtual timer (FEAT_VHE), by encoding so that Armv8.0 builds assemble it. */
SYSREG_RW(cnthv_ctl_el2, S3_4_C14_C3_1)
SYSREG_RW(cnthv_cval_el2, S3_4_C14_C3_2)

/*
 * RNDR (FEAT_RNG, Armv8.5): a 64-bit random number. Returns 1, or 0 when the hardware could
 * not produce one in reasonable time (PSTATE.Z set). Named by its encoding so that Armv8.0
 * code can contain it; only call it when ID_AA64ISAR0_EL1.RNDR [63:60] is nonzero.
 */
ARCH_INLINE int read_rndr(uint64_t *_Nonnull value) {
	uint64_t v, ok;
	__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne" : "=r"(v), "=r"(ok) : : "cc");
	*value = v;
	return (int)ok;
}

/*
 * What a guest at EL1 uses besides the registers above (the test realm, Firmware/Realm): the
 * GICv3 CPU interface's Group-1 pending register and the virtual counter. A realm's ICC_*
 * accesses are emulated by the TMM.
 */
SYSREG_READ(icc_hppir1_el1, S3_0_C12_C12_2)
SYSREG_READ(icc_rpr_el1, S3_0_C12_C11_3)
SYSREG_RW(icc_bpr0_el1, S3_0_C12_C8_3)
SYSREG_RW(icc_bpr1_el1, S3_0_C12_C12_3)
SYSREG_RW(icc_ctlr_el1, S3_0_C12_C12_4)
SYSREG_READ(cntvct_el0, cntvct_el0)

/* Barriers and maintenance. */
ARCH_INLINE void isb(void) { __asm__ volatile("isb" : : : "memory"); }
ARCH_INLINE void dsb_sy(void) { __asm__ volatile("dsb sy" : : : "memory"); }
ARCH_INLINE void dsb_ish(void) { __asm__ volatile("dsb ish" : : : "memory"); }
ARCH_INLINE void dsb_ishst(void) { __asm__ volatile("dsb ishst" : : : "memory"); }
ARCH_INLINE void dmb_ish(void) { __asm__ volatile("dmb ish" : : : "memory"); }
ARCH_INLINE void wfe(void) { __asm__ volatile("wfe" : : : "memory"); }
ARCH_INLINE void wfi(void) { __asm__ volatile("wfi" : : : "memory"); }
ARCH_INLINE void sev(void) { __asm__ volatile("sev" : : : "memory"); }
ARCH_INLINE void tlbi_alle3(void) { __asm__ volatile("tlbi alle3" : : : "memory"); }
ARCH_INLINE void tlbi_alle2(void) { __asm__ volatile("tlbi alle2" : : : "memory"); }
ARCH_INLINE void tlbi_alle1(void) { __asm__ volatile("tlbi alle1" : : : "memory"); }
ARCH_INLINE void tlbi_vmalls12e1is(void) { __asm__ volatile("tlbi vmalls12e1is" : : : "memory"); }
ARCH_INLINE void tlbi_ipas2e1is(uint64_t ipa_shifted) { __asm__ volatile("tlbi ipas2e1is, %0" : : "r"(ipa_shifted) : "memory"); }
ARCH_INLINE void tlbi_vmalle1is(void) { __asm__ volatile("tlbi vmalle1is" : : : "memory"); }
ARCH_INLINE void tlbi_vmalle1(void) { __asm__ volatile("tlbi vmalle1" : : : "memory"); }
ARCH_INLINE void ic_iallu(void) { __asm__ volatile("ic iallu" : : : "memory"); }
ARCH_INLINE void dc_civac(uint64_t va) { __asm__ volatile("dc civac, %0" : : "r"(va) : "memory"); }
ARCH_INLINE void dc_cvac(uint64_t va) { __asm__ volatile("dc cvac, %0" : : "r"(va) : "memory"); }
ARCH_INLINE void dc_ivac(uint64_t va) { __asm__ volatile("dc ivac, %0" : : "r"(va) : "memory"); }
ARCH_INLINE void mask_all_interrupts(void) { __asm__ volatile("msr daifset, #0xf" : : : "memory"); }
ARCH_INLINE void unmask_irq(void) { __asm__ volatile("msr daifclr, #0x2" : : : "memory"); }
ARCH_INLINE void mask_irq(void) { __asm__ volatile("msr daifset, #0x2" : : : "memory"); }
ARCH_INLINE void unmask_serror(void) { __asm__ volatile("msr daifclr, #0x4" : : : "memory"); }

/* Translates `va` for a stage-1 read at the current EL; returns PAR_EL1. */
ARCH_INLINE uint64_t at_s1e2r(uint64_t va) {
	__asm__ volatile("at s1e2r, %0" : : "r"(va) : "memory");
	isb();
	return read_par_el1();
}

/*
 * Translates `va` through the Secure or Non-secure EL1&0 stage 1 (SCR_EL3.NS chooses) for a
 * read, from EL3; returns PAR_EL1 (EL3 image: where a realm's access went).
 */
ARCH_INLINE uint64_t at_s1e1r(uint64_t va) {
	__asm__ volatile("at s1e1r, %0" : : "r"(va) : "memory");
	isb();
	return read_par_el1();
}

/* MMIO. Device accesses must be single, naturally aligned loads and stores. */
ARCH_INLINE uint32_t mmio_read32(uint64_t addr) { return *(volatile uint32_t *)(uintptr_t)addr; }
ARCH_INLINE void mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)(uintptr_t)addr = v; }
ARCH_INLINE uint64_t mmio_read64(uint64_t addr) { return *(volatile uint64_t *)(uintptr_t)addr; }
ARCH_INLINE void mmio_write64(uint64_t addr, uint64_t v) { *(volatile uint64_t *)(uintptr_t)addr = v; }

/*
 * One `ldr` that may fault: used to show that an access is refused. A single instruction, so
 * a handler can skip it (ELR + 4); a compiler barrier, so flags set around it stay in order.
 */
ARCH_INLINE uint64_t probe_read64(uint64_t addr) {
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

/* The current stack pointer (for measuring stack depth). */
ARCH_INLINE uint64_t read_sp(void) { uint64_t v; __asm__ volatile("mov %0, sp" : "=r"(v)); return v; }

/* One `str` that may fault, the store counterpart of probe_read64. */
ARCH_INLINE void probe_write64(uint64_t addr, uint64_t v) {
	__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

/* Keeps the compiler from moving memory accesses across this point. */
ARCH_INLINE void compiler_barrier(void) { __asm__ volatile("" : : : "memory"); }

/*
 * SMC Calling Convention (DEN0028) conduit with eight argument and eight result registers.
 * Arguments are read from r->x[0..7]; results (x0..x7 after the SMC) are written back.
 */
struct smc_regs {
	uint64_t x[8];
};

#define SMCCC_CONDUIT(fn, instruction)								\
	ARCH_INLINE void fn(struct smc_regs *_Nonnull r) {						\
		register uint64_t x0 __asm__("x0") = r->x[0];						\
		register uint64_t x1 __asm__("x1") = r->x[1];						\
		register uint64_t x2 __asm__("x2") = r->x[2];						\
		register uint64_t x3 __asm__("x3") = r->x[3];						\
		register uint64_t x4 __asm__("x4") = r->x[4];						\
		register uint64_t x5 __asm__("x5") = r->x[5];						\
		register uint64_t x6 __asm__("x6") = r->x[6];						\
		register uint64_t x7 __asm__("x7") = r->x[7];						\
		__asm__ volatile(instruction " #0"							\
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3),				\
				   "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7)				\
				 :									\
				 : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory"); \
		r->x[0] = x0; r->x[1] = x1; r->x[2] = x2; r->x[3] = x3;				\
		r->x[4] = x4; r->x[5] = x5; r->x[6] = x6; r->x[7] = x7;				\
	}

SMCCC_CONDUIT(smc_call, "smc")
/* An HVC with the same register convention (used by realms for their own tests). */
SMCCC_CONDUIT(hvc_call, "hvc")

#endif
