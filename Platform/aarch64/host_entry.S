/*
 * Entry of the project's normal-world host at Non-secure EL2.
 * Boot CPU: x0 = device tree (firmware hand-off). CPUs started by PSCI CPU_ON enter at
 * host_secondary_entry with x0 = the context_id the boot CPU passed (their CPU index).
 */
#include "gpr_frame.h"

	.section .text.host_entry, "ax"
	.global host_entry
host_entry:
	mov	x19, x0
	adr	x1, host_vectors
	msr	vbar_el2, x1
	isb
	ldr	x1, =__host_bss_start
	ldr	x2, =__host_bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	host_set_stack
	mov	x0, x19
	bl	host_main
3:	wfi
	b	3b

	.global host_secondary_entry
host_secondary_entry:
	mov	x19, x0
	adr	x1, host_vectors
	msr	vbar_el2, x1
	isb
	and	x0, x19, #3
	bl	host_set_stack
	mov	x0, x19
	bl	host_secondary_main
4:	wfi
	b	4b

/* SP = top of the host stack of CPU x0 (16 KiB each). */
host_set_stack:
	ldr	x1, =__host_stacks_end
	sub	x1, x1, x0, lsl #14
	mov	sp, x1
	ret

/*
 * EL2 vectors. Every exception calls host_exception(kind, frame) with the interrupted
 * registers saved in a frame on the stack; the Swift handler may change the saved ELR_EL2
 * (frame[31]) to skip an instruction that was expected to fault.
 */
	.section .text.host_vectors, "ax"
	.balign 0x800
host_vectors:
	frame_vector_table host_exception_common

host_exception_common:
	frame_exception_common el2, host_exception
