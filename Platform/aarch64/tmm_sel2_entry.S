/*
 * TMM entry at Secure EL2 (S-EL2 image), from the monitor's ERET with
 *   x0 = CPU linear index, x1 = boot manifest PA, x2 = 1 on the cold boot (tmm_boot.h).
 * Sets the vectors and this CPU's stack, then runs tmm_main, which never returns.
 */
#include "platform_def.h"
#include "realm_run.h"

	.section .text.tmm_entry, "ax"
	.global tmm_sel2_entry
tmm_sel2_entry:
	msr	daifset, #0xf
	adr	x3, tmm_vectors
	msr	vbar_el2, x3
	isb
	cmp	x0, #PLAT_MAX_CPUS
	b.hs	1f
	ldr	x3, =__tmm_stacks_end
	mov	x4, #PLAT_TMM_STACK_SIZE
	msub	x3, x4, x0, x3
	mov	sp, x3
	bl	tmm_main
1:	wfi
	b	1b

/*
 * S-EL2 vectors. Exceptions at S-EL2 itself mean a TMM bug: report and stop this CPU.
 * Exceptions from Secure EL1/EL0 end a realm run (tmm_realm_run.S); the monitor reflects the
 * ones it takes (interrupts, GIC system-register traps) to the same vectors.
 */
	.macro tmm_unexpected kind
	.balign 0x80
	sub	sp, sp, #0x20
	stp	x0, x1, [sp]
	mov	x0, #\kind
	bl	tmm_unexpected_exception
	.endm

	.macro realm_exit kind
	.balign 0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	tmm_realm_exit
	.endm

	.section .text.tmm_vectors, "ax"
	.balign 0x800
	.global tmm_vectors
tmm_vectors:
	tmm_unexpected 0
	tmm_unexpected 1
	tmm_unexpected 2
	tmm_unexpected 3
	tmm_unexpected 4
	tmm_unexpected 5
	tmm_unexpected 6
	tmm_unexpected 7
	realm_exit REALM_EXIT_SYNC
	realm_exit REALM_EXIT_IRQ
	realm_exit REALM_EXIT_FIQ
	realm_exit REALM_EXIT_SERROR
	tmm_unexpected 12
	tmm_unexpected 13
	tmm_unexpected 14
	tmm_unexpected 15
