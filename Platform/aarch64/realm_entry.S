/*
 * Entry and exception vectors of the test realm (Firmware/Realm), at EL1 with the MMU off.
 * REC 0 enters at realm_entry (the first byte of the image) with x0 = the run mode the host
 * put in its REC parameters; a REC started by PSCI CPU_ON enters at realm_secondary_entry with
 * x0 = the context id.
 */
#include "realm_layout.h"
#include "gpr_frame.h"

	.section .text.realm_entry, "ax"
	.global realm_entry
realm_entry:
	mov	x19, x0
	adr	x1, realm_vectors
	msr	vbar_el1, x1
	isb
	adrp	x1, __realm_bss_start
	add	x1, x1, :lo12:__realm_bss_start
	adrp	x2, __realm_bss_end
	add	x2, x2, :lo12:__realm_bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	adrp	x1, __realm_stack0_top
	add	x1, x1, :lo12:__realm_stack0_top
	mov	sp, x1
	mov	x0, x19
	bl	realm_main
3:	wfi
	b	3b

	.global realm_secondary_entry
realm_secondary_entry:
	mov	x19, x0
	adr	x1, realm_vectors
	msr	vbar_el1, x1
	isb
	adrp	x1, __realm_stack1_top
	add	x1, x1, :lo12:__realm_stack1_top
	mov	sp, x1
	mov	x0, x19
	bl	realm_secondary_main
4:	wfi
	b	4b

/*
 * EL1 vectors. Every exception calls realm_exception(kind, frame) with the interrupted
 * registers saved in a frame on the stack; the Swift handler may change the saved ELR_EL1
 * (frame[31]) to skip an instruction that was expected to fault.
 */
	.section .text.realm_vectors, "ax"
	.balign 0x800
realm_vectors:
	frame_vector_table realm_exception_common

realm_exception_common:
	frame_exception_common el1, realm_exception
