/*
 * What the TMM's realm entry and exit code (tmm_realm_run.S) and the monitor exchange to run a
 * realm at Secure EL1 (S-EL2 image). Offsets are fixed for the assembly.
 */
#ifndef REALM_RUN_H
#define REALM_RUN_H

#define REALM_RUN_X0        0x000
#define REALM_RUN_PC        0x0F8
#define REALM_RUN_PSTATE    0x100
#define REALM_RUN_SIZE      0x108

#define TMM_CPU_CALLEE      0x000   /* x19..x30 */
#define TMM_CPU_SP          0x060
#define TMM_CPU_RUN         0x068
#define TMM_CPU_INDEX       0x070
#define TMM_CPU_NS_FPSIMD   0x080   /* 66 doublewords: Q0-Q31, FPSR, FPCR */

/* Exit kinds tmm_run_realm returns: the lower-EL vector the realm left through. */
#define REALM_EXIT_SYNC     0
#define REALM_EXIT_IRQ      1
#define REALM_EXIT_FIQ      2
#define REALM_EXIT_SERROR   3

#define FPSIMD_STATE_WORDS  66

#ifndef __ASSEMBLER__
#include <stdint.h>

#pragma GCC visibility push(hidden)

struct realm_run {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;
};

/* Per-CPU state of the TMM while a realm runs on that CPU; TPIDR_EL2 points at it. */
struct tmm_cpu {
	uint64_t callee_saved[12];
	uint64_t sp;
	struct realm_run *_Nullable run;
	uint64_t cpu;
	/* Counter ticks after entry of the next early interrupt window (InterruptWindow.swift). */
	uint64_t window_phase;
	uint64_t ns_fpsimd[FPSIMD_STATE_WORDS];
};

_Static_assert(__builtin_offsetof(struct realm_run, pc) == REALM_RUN_PC, "REALM_RUN_PC");
_Static_assert(__builtin_offsetof(struct realm_run, pstate) == REALM_RUN_PSTATE, "REALM_RUN_PSTATE");
_Static_assert(sizeof(struct realm_run) == REALM_RUN_SIZE, "REALM_RUN_SIZE");
_Static_assert(__builtin_offsetof(struct tmm_cpu, sp) == TMM_CPU_SP, "TMM_CPU_SP");
_Static_assert(__builtin_offsetof(struct tmm_cpu, run) == TMM_CPU_RUN, "TMM_CPU_RUN");
_Static_assert(__builtin_offsetof(struct tmm_cpu, cpu) == TMM_CPU_INDEX, "TMM_CPU_INDEX");
_Static_assert(__builtin_offsetof(struct tmm_cpu, ns_fpsimd) == TMM_CPU_NS_FPSIMD, "TMM_CPU_NS_FPSIMD");

/*
 * Runs the realm described by `run` until its next exception, then saves its general
 * registers, PC and PSTATE back into `run`. Returns a REALM_EXIT_* kind, or a negative value if
 * the monitor refused the entry.
 */
int64_t tmm_run_realm(struct realm_run *_Nonnull run);

/* Save and restore Q0-Q31, FPSR and FPCR: the only FP/SIMD instructions in the firmware. */
void fpsimd_save_state(uint64_t *_Nonnull area);
void fpsimd_restore_state(const uint64_t *_Nonnull area);

#pragma GCC visibility pop
#endif

#endif
