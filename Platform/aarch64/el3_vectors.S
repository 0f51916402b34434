/*
 * EL3 exception vectors and the world-exit path.
 *
 * While a lower EL runs, SP_EL3 points at that world's struct world_context (el3_context.h).
 * An exception from a lower EL saves x0-x30, ELR_EL3 and SPSR_EL3 into it, switches to the
 * CPU's EL3 stack and calls the Swift handler, which returns the context to resume in x0.
 */
#include "el3_context.h"
#include "realm_run.h"
#include "gpr_frame.h"

	.macro save_gprs_to_sp
	stp	x0, x1, [sp, #0x00]
	stp_x2_to_x29 sp
	str	x30, [sp, #0xf0]
	mrs	x0, elr_el3
	mrs	x1, spsr_el3
	stp	x0, x1, [sp, #CTX_ELR_EL3]
	.endm

	/*
	 * Lower-EL exception: save into the context, call \handler(context, kind). A realm run from
	 * EL3 (EL3 image) returns to el3_run_realm's caller instead (el3_realm_run.S).
	 */
	.macro lower_el_entry handler, kind
	save_gprs_to_sp
	mov	x1, #\kind
	ldr	x2, [sp, #CTX_REALM_CPU]
	cbnz	x2, el3_realm_return
	mov	x0, sp
	mov	x1, #\kind
	ldr	x2, [sp, #CTX_RUNTIME_SP]
	mov	sp, x2
	bl	\handler
	b	el3_exit
	.endm

	/* Exception taken at EL3 itself: the firmware is broken; report it and stop the CPU. */
	.macro current_el_entry kind
	sub	sp, sp, #0x100
	stp	x0, x1, [sp]
	mov	x0, #\kind
	mov	x1, sp
	bl	monitor_unexpected_exception
	.endm

	.section .text.el3_vectors, "ax"
	.balign 0x800
	.global el3_vectors
el3_vectors:
	.balign 0x80
	current_el_entry 0		/* current EL, SP_EL0: sync */
	.balign 0x80
	current_el_entry 1
	.balign 0x80
	current_el_entry 2
	.balign 0x80
	current_el_entry 3
	.balign 0x80
	current_el_entry 4		/* current EL, SP_ELx: sync */
	.balign 0x80
	current_el_entry 5		/* IRQ */
	.balign 0x80
	current_el_entry 6		/* FIQ */
	.balign 0x80
	current_el_entry 7		/* SError */
	.balign 0x80
	b	lower_a64_sync		/* lower EL, AArch64: sync (SMC and traps) */
	.balign 0x80
	b	lower_a64_irq
	.balign 0x80
	b	lower_a64_fiq
	.balign 0x80
	b	lower_a64_serror
	.balign 0x80
	b	lower_a32_sync		/* lower EL, AArch32: only a realm's EL0 (RW=1 everywhere) */
	.balign 0x80
	b	lower_a32_irq
	.balign 0x80
	b	lower_a32_fiq
	.balign 0x80
	b	lower_a32_serror

lower_a64_sync:
	lower_el_entry monitor_lower_el_exception, 8
lower_a64_irq:
	lower_el_entry monitor_lower_el_exception, 9
lower_a64_fiq:
	lower_el_entry monitor_lower_el_exception, 10
lower_a64_serror:
	lower_el_entry monitor_lower_el_exception, 11
lower_a32_sync:
	lower_el_entry monitor_lower_el_exception, 12
lower_a32_irq:
	lower_el_entry monitor_lower_el_exception, 13
lower_a32_fiq:
	lower_el_entry monitor_lower_el_exception, 14
lower_a32_serror:
	lower_el_entry monitor_lower_el_exception, 15

/*
 * el3_exit(struct world_context *ctx): restore ctx and return to its world. SP_EL3 keeps
 * pointing at ctx for the next exception.
 */
	.global el3_exit
el3_exit:
	mov	sp, x0
	ldp	x1, x2, [sp, #CTX_ELR_EL3]
	msr	elr_el3, x1
	msr	spsr_el3, x2
	ldr	x1, [sp, #CTX_SCR_EL3]
	msr	scr_el3, x1
	ldp_x2_to_x29 sp
	ldr	x30, [sp, #0xf0]
	ldp	x0, x1, [sp, #0x00]
	eret
	dsb	nsh			/* no speculation past the ERET (SB needs Armv8.5) */
	isb

/*
 * EL3 image: int64_t el3_run_realm(struct world_context *ctx, struct tmm_cpu *cpu) runs a realm
 * at Secure EL1 from the TMM's own call chain (Firmware/TMM/EL3/RECExecution.swift). It keeps
 * the caller's callee-saved registers and stack pointer in *cpu, marks ctx as a realm's
 * (CTX_REALM_CPU) and returns into it; the realm's next exception comes back through the
 * lower-EL vectors, which save the realm's registers in ctx as for any world and branch to
 * el3_realm_return: the caller resumes with the exception kind, REALM_EXIT_SYNC .. SERROR.
 */
	.section .text.el3_run_realm, "ax"
	.global el3_run_realm
el3_run_realm:
	stp	x19, x20, [x1, #TMM_CPU_CALLEE + 0x00]
	stp	x21, x22, [x1, #TMM_CPU_CALLEE + 0x10]
	stp	x23, x24, [x1, #TMM_CPU_CALLEE + 0x20]
	stp	x25, x26, [x1, #TMM_CPU_CALLEE + 0x30]
	stp	x27, x28, [x1, #TMM_CPU_CALLEE + 0x40]
	stp	x29, x30, [x1, #TMM_CPU_CALLEE + 0x50]
	mov	x2, sp
	str	x2, [x1, #TMM_CPU_SP]
	str	x1, [x0, #CTX_REALM_CPU]
	b	el3_exit

/*
 * x1 = the vector's exception kind (8-11 AArch64, 12-15 AArch32), x2 = the struct tmm_cpu of
 * el3_run_realm; SP_EL3 = the realm's context, which keeps CTX_REALM_CPU until the caller
 * clears it.
 */
	.section .text.el3_vectors, "ax"
el3_realm_return:
	ldp	x19, x20, [x2, #TMM_CPU_CALLEE + 0x00]
	ldp	x21, x22, [x2, #TMM_CPU_CALLEE + 0x10]
	ldp	x23, x24, [x2, #TMM_CPU_CALLEE + 0x20]
	ldp	x25, x26, [x2, #TMM_CPU_CALLEE + 0x30]
	ldp	x27, x28, [x2, #TMM_CPU_CALLEE + 0x40]
	ldp	x29, x30, [x2, #TMM_CPU_CALLEE + 0x50]
	ldr	x3, [x2, #TMM_CPU_SP]
	mov	sp, x3
	sub	x0, x1, #8
	and	x0, x0, #3
	ret

