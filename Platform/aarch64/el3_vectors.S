/*
 * EL3 exception vectors and the world-exit path.
 *
 * While a lower EL runs, SP_EL3 points at that world's struct world_context (el3_context.h).
 * An exception from a lower EL saves x0-x30, ELR_EL3 and SPSR_EL3 into it, switches to the
 * CPU's EL3 stack and calls the Swift handler, which returns the context to resume in x0.
 */
#include "el3_context.h"
#include "gpr_frame.h"

	.macro save_gprs_to_sp
	stp	x0, x1, [sp, #0x00]
	stp_x2_to_x29 sp
	str	x30, [sp, #0xf0]
	mrs	x0, elr_el3
	mrs	x1, spsr_el3
	stp	x0, x1, [sp, #CTX_ELR_EL3]
	.endm

	/* Lower-EL exception: save into the context, call \handler(context, kind). */
	.macro lower_el_entry handler, kind
	save_gprs_to_sp
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
	b	lower_a32		/* lower EL, AArch32: never used (RW=1 everywhere) */
	.balign 0x80
	b	lower_a32
	.balign 0x80
	b	lower_a32
	.balign 0x80
	b	lower_a32

lower_a64_sync:
	lower_el_entry monitor_lower_el_exception, 8
lower_a64_irq:
	lower_el_entry monitor_lower_el_exception, 9
lower_a64_fiq:
	lower_el_entry monitor_lower_el_exception, 10
lower_a64_serror:
	lower_el_entry monitor_lower_el_exception, 11
lower_a32:
	lower_el_entry monitor_lower_el_exception, 12

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
