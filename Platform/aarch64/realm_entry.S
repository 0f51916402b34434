/*
 * Entry and exception vectors of the test realm (Firmware/Realm), at EL1 with the MMU off.
 * REC 0 enters at realm_entry (the first byte of the image) with x0 = the run mode the host
 * put in its REC parameters and x1-x3 = its address-space convention (realm_layout.h,
 * REALM_LAYOUT_*); a REC started by PSCI CPU_ON enters at realm_secondary_entry with x0 = the
 * context id. The code is position-independent (PC-relative addressing only): on the EL3 image
 * it runs wherever the host placed realm RAM.
 */
#include "realm_layout.h"
#include "gpr_frame.h"

	.section .text.realm_entry, "ax"
	.global realm_entry
realm_entry:
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	mov	x22, x3
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
	mov	x1, x20
	mov	x2, x21
	mov	x3, x22
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

/*
 * FP/SIMD use by the test realm (FPSIMDChecks.swift), which is otherwise built without FP/SIMD:
 * these three functions are the realm's only FP/SIMD instructions (the image checker allows
 * them by name). They fault unless CPACR_EL1.FPEN lets EL1 use FP/SIMD.
 */
	.section .text.realm_fpsimd, "ax"
	.arch_extension fp
	.arch_extension simd

/* uint64_t realm_fpsimd_add(uint64_t a, uint64_t b): a + b, added on both lanes of v0/v1. */
	.global realm_fpsimd_add
	.type	realm_fpsimd_add, %function
realm_fpsimd_add:
	dup	v0.2d, x0
	dup	v1.2d, x1
	add	v2.2d, v0.2d, v1.2d
	umov	x0, v2.d[1]
	ret
	.size	realm_fpsimd_add, . - realm_fpsimd_add

/*
 * void realm_fpsimd_fill(uint64_t pattern, uint64_t fpcr, uint64_t fpsr): V0-V31 get
 * pattern + n in both lanes, then FPCR and FPSR the given values.
 */
	.global realm_fpsimd_fill
	.type	realm_fpsimd_fill, %function
realm_fpsimd_fill:
	mov	x3, x0
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	dup	v\n\().2d, x3
	add	x3, x3, #1
	.endr
	msr	fpcr, x1
	msr	fpsr, x2
	ret
	.size	realm_fpsimd_fill, . - realm_fpsimd_fill

/*
 * uint64_t realm_fpsimd_changed(uint64_t pattern, uint64_t *_Nonnull fpcr_fpsr): how many of the
 * 64 lanes of V0-V31 no longer hold what realm_fpsimd_fill(pattern) put there; FPCR and FPSR
 * are stored at fpcr_fpsr[0] and [1].
 */
	.global realm_fpsimd_changed
	.type	realm_fpsimd_changed, %function
realm_fpsimd_changed:
	mrs	x4, fpcr
	mrs	x5, fpsr
	stp	x4, x5, [x1]
	mov	x3, x0
	mov	x0, #0
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	umov	x4, v\n\().d[0]
	cmp	x4, x3
	cinc	x0, x0, ne
	umov	x4, v\n\().d[1]
	cmp	x4, x3
	cinc	x0, x0, ne
	add	x3, x3, #1
	.endr
	ret
	.size	realm_fpsimd_changed, . - realm_fpsimd_changed
