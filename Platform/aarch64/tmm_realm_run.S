/*
 * Entering and leaving a realm at Secure EL1 (S-EL2 image); see Docs/realm-execution.md.
 *
 * tmm_run_realm saves the TMM's callee-saved registers and stack pointer in this CPU's
 * struct tmm_cpu (TPIDR_EL2) and asks the monitor to enter the realm (TMM_ENTER_REALM): the
 * monitor loads the realm's registers and ERETs to Secure EL1 with physical interrupts routed
 * to EL3. The realm's next exception arrives at one of the lower-EL vectors below, directly or
 * reflected by the monitor; they store the realm's registers into the struct realm_run, restore
 * the TMM's and return from tmm_run_realm with the exit kind.
 */
#include "realm_run.h"
#include "tmm_boot.h"
#include "gpr_frame.h"

	.section .text.tmm_run_realm, "ax"
	.global tmm_run_realm
tmm_run_realm:
	mrs	x1, tpidr_el2
	stp	x19, x20, [x1, #TMM_CPU_CALLEE + 0x00]
	stp	x21, x22, [x1, #TMM_CPU_CALLEE + 0x10]
	stp	x23, x24, [x1, #TMM_CPU_CALLEE + 0x20]
	stp	x25, x26, [x1, #TMM_CPU_CALLEE + 0x30]
	stp	x27, x28, [x1, #TMM_CPU_CALLEE + 0x40]
	stp	x29, x30, [x1, #TMM_CPU_CALLEE + 0x50]
	mov	x2, sp
	str	x2, [x1, #TMM_CPU_SP]
	str	x0, [x1, #TMM_CPU_RUN]
	mov	x1, x0
	ldr	x0, =TMM_ENTER_REALM
	smc	#0
	/* Only a refused entry returns here (x0 < 0); x19-x30 and SP are as they were. */
	ret

/*
 * Common realm exit: x0 = exit kind, the realm's x0 and x1 on the stack (SP_EL2 is the TMM's
 * stack pointer from the SMC above: nothing changed it while the realm ran).
 */
	.global tmm_realm_exit
tmm_realm_exit:
	mrs	x1, tpidr_el2
	ldr	x1, [x1, #TMM_CPU_RUN]
	stp_x2_to_x29 x1
	str	x30, [x1, #0xf0]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #REALM_RUN_X0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #REALM_RUN_PC]
	mrs	x1, tpidr_el2
	ldp	x19, x20, [x1, #TMM_CPU_CALLEE + 0x00]
	ldp	x21, x22, [x1, #TMM_CPU_CALLEE + 0x10]
	ldp	x23, x24, [x1, #TMM_CPU_CALLEE + 0x20]
	ldp	x25, x26, [x1, #TMM_CPU_CALLEE + 0x30]
	ldp	x27, x28, [x1, #TMM_CPU_CALLEE + 0x40]
	ldp	x29, x30, [x1, #TMM_CPU_CALLEE + 0x50]
	ldr	x2, [x1, #TMM_CPU_SP]
	mov	sp, x2
	ret

/*
 * FP/SIMD state switch. The firmware is built with -mgeneral-regs-only and never touches these
 * registers otherwise; the image checker allows FP/SIMD instructions in these two functions only.
 */
	.section .text.fpsimd_state, "ax"
	.arch_extension fp
	.arch_extension simd
	.global fpsimd_save_state
	.type	fpsimd_save_state, %function
fpsimd_save_state:
	stp	q0, q1, [x0, #0x000]
	stp	q2, q3, [x0, #0x020]
	stp	q4, q5, [x0, #0x040]
	stp	q6, q7, [x0, #0x060]
	stp	q8, q9, [x0, #0x080]
	stp	q10, q11, [x0, #0x0a0]
	stp	q12, q13, [x0, #0x0c0]
	stp	q14, q15, [x0, #0x0e0]
	stp	q16, q17, [x0, #0x100]
	stp	q18, q19, [x0, #0x120]
	stp	q20, q21, [x0, #0x140]
	stp	q22, q23, [x0, #0x160]
	stp	q24, q25, [x0, #0x180]
	stp	q26, q27, [x0, #0x1a0]
	stp	q28, q29, [x0, #0x1c0]
	stp	q30, q31, [x0, #0x1e0]
	mrs	x1, fpsr
	mrs	x2, fpcr
	str	x1, [x0, #0x200]
	str	x2, [x0, #0x208]
	ret
	.size	fpsimd_save_state, . - fpsimd_save_state

	.global fpsimd_restore_state
	.type	fpsimd_restore_state, %function
fpsimd_restore_state:
	ldp	q0, q1, [x0, #0x000]
	ldp	q2, q3, [x0, #0x020]
	ldp	q4, q5, [x0, #0x040]
	ldp	q6, q7, [x0, #0x060]
	ldp	q8, q9, [x0, #0x080]
	ldp	q10, q11, [x0, #0x0a0]
	ldp	q12, q13, [x0, #0x0c0]
	ldp	q14, q15, [x0, #0x0e0]
	ldp	q16, q17, [x0, #0x100]
	ldp	q18, q19, [x0, #0x120]
	ldp	q20, q21, [x0, #0x140]
	ldp	q22, q23, [x0, #0x160]
	ldp	q24, q25, [x0, #0x180]
	ldp	q26, q27, [x0, #0x1a0]
	ldp	q28, q29, [x0, #0x1c0]
	ldp	q30, q31, [x0, #0x1e0]
	ldr	x1, [x0, #0x200]
	ldr	x2, [x0, #0x208]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
	.size	fpsimd_restore_state, . - fpsimd_restore_state
