/*
 * Entry of the project's normal-world host at Non-secure EL2.
 * Boot CPU: x0 = device tree (firmware hand-off). CPUs started by PSCI CPU_ON enter at
 * host_secondary_entry with x0 = the context_id the boot CPU passed (their CPU index).
 */
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
	.macro host_vector kind
	.balign 0x80
	sub	sp, sp, #0x110
	stp	x0, x1, [sp, #0x00]
	mov	x0, #\kind
	b	host_exception_common
	.endm

	.section .text.host_vectors, "ax"
	.balign 0x800
host_vectors:
	host_vector 0
	host_vector 1
	host_vector 2
	host_vector 3
	host_vector 4
	host_vector 5
	host_vector 6
	host_vector 7
	host_vector 8
	host_vector 9
	host_vector 10
	host_vector 11
	host_vector 12
	host_vector 13
	host_vector 14
	host_vector 15

host_exception_common:
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
	mrs	x1, elr_el2
	stp	x30, x1, [sp, #0xf0]
	mrs	x1, spsr_el2
	str	x1, [sp, #0x100]
	mov	x1, sp
	bl	host_exception
	ldp	x30, x1, [sp, #0xf0]
	msr	elr_el2, x1
	ldr	x1, [sp, #0x100]
	msr	spsr_el2, x1
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
