/*
 * Per-CPU, per-world context of the EL3 monitor.
 *
 * While a CPU runs below EL3, SP_EL3 points at the context of the world it runs in: the
 * exception entry stores the general-purpose registers straight into it, then switches to the
 * CPU's EL3 stack (runtime_sp). el3_exit() takes the context to resume and returns into it.
 * The EL1 and EL2 system registers are saved and restored by the monitor's world switch
 * (Firmware/Monitor/WorldSwitch.swift) only when the world changes.
 */
#ifndef EL3_CONTEXT_H
#define EL3_CONTEXT_H

#define CTX_GPREGS        0x000   /* x0..x30 */
#define CTX_ELR_EL3       0x0F8
#define CTX_SPSR_EL3      0x100
#define CTX_SCR_EL3       0x108
#define CTX_RUNTIME_SP    0x110
/* EL3 image: non-zero while a realm runs in this context, the struct tmm_cpu whose saved
   registers el3_run_realm returns with (el3_realm_run.S). */
#define CTX_REALM_CPU     0x118
#define CTX_SIZE_MIN      0x120

#ifndef __ASSEMBLER__
#include <stdint.h>

struct el1_sysregs {
	uint64_t sctlr_el1, actlr_el1, cpacr_el1, csselr_el1;
	uint64_t ttbr0_el1, ttbr1_el1, tcr_el1, mair_el1, amair_el1;
	uint64_t vbar_el1, contextidr_el1, tpidr_el0, tpidrro_el0, tpidr_el1;
	uint64_t sp_el0, sp_el1, elr_el1, spsr_el1, esr_el1, far_el1;
	uint64_t afsr0_el1, afsr1_el1, par_el1, mdscr_el1, cntkctl_el1;
};

struct el2_sysregs {
	uint64_t hcr_el2, sctlr_el2, actlr_el2, cptr_el2, hstr_el2, hacr_el2, mdcr_el2;
	uint64_t tcr_el2, ttbr0_el2, ttbr1_el2, mair_el2, amair_el2, vbar_el2;
	uint64_t elr_el2, spsr_el2, esr_el2, far_el2, hpfar_el2, afsr0_el2, afsr1_el2;
	uint64_t sp_el2, tpidr_el2, contextidr_el2;
	uint64_t vtcr_el2, vttbr_el2, vpidr_el2, vmpidr_el2, cnthctl_el2, cntvoff_el2;
	uint64_t icc_sre_el2;
};

struct world_context {
	uint64_t x[31];
	uint64_t elr_el3;
	uint64_t spsr_el3;
	uint64_t scr_el3;
	uint64_t runtime_sp;
	uint64_t realm_cpu;
	struct el1_sysregs el1;
	struct el2_sysregs el2;
};

_Static_assert(__builtin_offsetof(struct world_context, elr_el3) == CTX_ELR_EL3, "CTX_ELR_EL3");
_Static_assert(__builtin_offsetof(struct world_context, spsr_el3) == CTX_SPSR_EL3, "CTX_SPSR_EL3");
_Static_assert(__builtin_offsetof(struct world_context, scr_el3) == CTX_SCR_EL3, "CTX_SCR_EL3");
_Static_assert(__builtin_offsetof(struct world_context, runtime_sp) == CTX_RUNTIME_SP, "CTX_RUNTIME_SP");
_Static_assert(__builtin_offsetof(struct world_context, realm_cpu) == CTX_REALM_CPU, "CTX_REALM_CPU");
#endif

#endif
