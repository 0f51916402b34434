/*
 * Entry and exception vectors of the test realm (Firmware/Realm), at EL1 with the MMU off.
 * REC 0 enters at realm_entry (the first byte of the image) with x0 = the run mode the host
 * put in its REC parameters; a REC started by PSCI CPU_ON enters at realm_secondary_entry with
 * x0 = the context id.
 */
#include "realm_layout.h"

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
	.macro realm_vector kind
	.balign 0x80
	sub	sp, sp, #0x110
	stp	x0, x1, [sp, #0x00]
	mov	x0, #\kind
	b	realm_exception_common
	.endm

	.section .text.realm_vectors, "ax"
	.balign 0x800
realm_vectors:
	realm_vector 0
	realm_vector 1
	realm_vector 2
	realm_vector 3
	realm_vector 4
	realm_vector 5
	realm_vector 6
	realm_vector 7
	realm_vector 8
	realm_vector 9
	realm_vector 10
	realm_vector 11
	realm_vector 12
	realm_vector 13
	realm_vector 14
	realm_vector 15

realm_exception_common:
	stp	x2, x3, [sp, #0x10]
	stp	x4, x5, [sp, #0x20]
	stp	x6, x7, [sp, #0x30]
	stp	x8, x9, [sp, #0x40]
	stp	x10, x11, [sp, #0x50]
	stp	x12, x13, [sp, #0x60]
	stp	x14, x15, [sp, #0x70]
	stp	x16, x17, [sp, #0x80]
	stp	x18, x19, [sp, #0x90]
	stp	x20, x21, [sp, #0xa0]
	stp	x22, x23, [sp, #0xb0]
	stp	x24, x25, [sp, #0xc0]
	stp	x26, x27, [sp, #0xd0]
	stp	x28, x29, [sp, #0xe0]
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #0xf0]
	mrs	x1, spsr_el1
	str	x1, [sp, #0x100]
	mov	x1, sp
	bl	realm_exception
	ldp	x30, x1, [sp, #0xf0]
	msr	elr_el1, x1
	ldr	x1, [sp, #0x100]
	msr	spsr_el1, x1
	ldp	x2, x3, [sp, #0x10]
	ldp	x4, x5, [sp, #0x20]
	ldp	x6, x7, [sp, #0x30]
	ldp	x8, x9, [sp, #0x40]
	ldp	x10, x11, [sp, #0x50]
	ldp	x12, x13, [sp, #0x60]
	ldp	x14, x15, [sp, #0x70]
	ldp	x16, x17, [sp, #0x80]
	ldp	x18, x19, [sp, #0x90]
	ldp	x20, x21, [sp, #0xa0]
	ldp	x22, x23, [sp, #0xb0]
	ldp	x24, x25, [sp, #0xc0]
	ldp	x26, x27, [sp, #0xd0]
	ldp	x28, x29, [sp, #0xe0]
	ldp	x0, x1, [sp, #0x00]
	add	sp, sp, #0x110
	eret
