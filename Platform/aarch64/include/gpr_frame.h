/*
 * The general-register frame every exception path of the project saves: x0-x29 in pairs from
 * offset 0, x30 at 0xf0, then what the path needs (ELR/SPSR). The EL3 world contexts, the
 * TMM's struct realm_run and the host's and test realm's exception frames all start this way,
 * so the save and restore sequences are written once, here.
 */
#ifndef GPR_FRAME_H
#define GPR_FRAME_H

#ifdef __ASSEMBLER__

	/* Store x2-x29 at [\base, #0x10] .. [\base, #0xe8]. */
	.macro stp_x2_to_x29 base
	stp	x2, x3, [\base, #0x10]
	stp	x4, x5, [\base, #0x20]
	stp	x6, x7, [\base, #0x30]
	stp	x8, x9, [\base, #0x40]
	stp	x10, x11, [\base, #0x50]
	stp	x12, x13, [\base, #0x60]
	stp	x14, x15, [\base, #0x70]
	stp	x16, x17, [\base, #0x80]
	stp	x18, x19, [\base, #0x90]
	stp	x20, x21, [\base, #0xa0]
	stp	x22, x23, [\base, #0xb0]
	stp	x24, x25, [\base, #0xc0]
	stp	x26, x27, [\base, #0xd0]
	stp	x28, x29, [\base, #0xe0]
	.endm

	/* Load x2-x29 from [\base, #0x10] .. [\base, #0xe8]. */
	.macro ldp_x2_to_x29 base
	ldp	x2, x3, [\base, #0x10]
	ldp	x4, x5, [\base, #0x20]
	ldp	x6, x7, [\base, #0x30]
	ldp	x8, x9, [\base, #0x40]
	ldp	x10, x11, [\base, #0x50]
	ldp	x12, x13, [\base, #0x60]
	ldp	x14, x15, [\base, #0x70]
	ldp	x16, x17, [\base, #0x80]
	ldp	x18, x19, [\base, #0x90]
	ldp	x20, x21, [\base, #0xa0]
	ldp	x22, x23, [\base, #0xb0]
	ldp	x24, x25, [\base, #0xc0]
	ldp	x26, x27, [\base, #0xd0]
	ldp	x28, x29, [\base, #0xe0]
	.endm

/*
 * Exception vectors of a bare-metal program that handles its own exceptions in Swift (the
 * host at EL2, the test realm at EL1): each of the 16 entries reserves a 0x110-byte frame on
 * the stack, saves x0 and x1 and jumps to the common body with x0 = the entry's index.
 */
	.macro frame_vector kind, common
	.balign 0x80
	sub	sp, sp, #0x110
	stp	x0, x1, [sp, #0x00]
	mov	x0, #\kind
	b	\common
	.endm

	.macro frame_vector_table common
	.irp kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	frame_vector \kind, \common
	.endr
	.endm

/*
 * The common body: completes the frame (x2-x30, ELR_\el at 0xf8, SPSR_\el at 0x100), calls
 * \handler(kind, frame), and returns to the ELR and SPSR the handler may have changed.
 */
	.macro frame_exception_common el, handler
	stp_x2_to_x29 sp
	mrs	x1, elr_\el
	stp	x30, x1, [sp, #0xf0]
	mrs	x1, spsr_\el
	str	x1, [sp, #0x100]
	mov	x1, sp
	bl	\handler
	ldp	x30, x1, [sp, #0xf0]
	msr	elr_\el, x1
	ldr	x1, [sp, #0x100]
	msr	spsr_\el, x1
	ldp_x2_to_x29 sp
	ldp	x0, x1, [sp, #0x00]
	add	sp, sp, #0x110
	eret
	.endm

#endif /* __ASSEMBLER__ */
#endif /* GPR_FRAME_H */
