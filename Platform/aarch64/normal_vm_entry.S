/*
 * Entry to and exit from the host's ordinary VM at Non-secure EL1 (include/normal_vm.h).
 *
 * normal_vm_enter(context) keeps the host's callee-saved registers, SP and VBAR_EL2 in the
 * context, pushes the context's address on the host stack, switches VBAR_EL2 to the table
 * below and ERETs into the guest. The guest's exceptions to EL2 arrive at the lower-EL
 * entries with SP_EL2 = that host stack: they save the guest's registers and the syndrome
 * into the context, restore the host and return from normal_vm_enter with the entry's index.
 */
#include "gpr_frame.h"

#define CTX_ELR     0xf8
#define CTX_SPSR    0x100
#define CTX_ESR     0x108
#define CTX_FAR     0x110
#define CTX_HPFAR   0x118
#define CTX_HOST_SP 0x120
#define CTX_VBAR    0x128
#define CTX_HOST    0x130

	.section .text.normal_vm, "ax"
	.global normal_vm_enter
normal_vm_enter:
	stp	x19, x20, [x0, #CTX_HOST + 0x00]
	stp	x21, x22, [x0, #CTX_HOST + 0x10]
	stp	x23, x24, [x0, #CTX_HOST + 0x20]
	stp	x25, x26, [x0, #CTX_HOST + 0x30]
	stp	x27, x28, [x0, #CTX_HOST + 0x40]
	stp	x29, x30, [x0, #CTX_HOST + 0x50]
	sub	sp, sp, #16
	str	x0, [sp]
	mov	x1, sp
	str	x1, [x0, #CTX_HOST_SP]
	mrs	x1, vbar_el2
	str	x1, [x0, #CTX_VBAR]
	adr	x1, normal_vm_vectors
	msr	vbar_el2, x1
	ldr	x1, [x0, #CTX_ELR]
	msr	elr_el2, x1
	ldr	x1, [x0, #CTX_SPSR]
	msr	spsr_el2, x1
	isb
	ldp_x2_to_x29 x0
	ldr	x30, [x0, #0xf0]
	ldp	x0, x1, [x0, #0x00]
	eret

/* x0 = vector index; [sp] = the guest's x0, x1; [sp + 16] = the context. */
normal_vm_exit:
	ldr	x1, [sp, #16]
	stp_x2_to_x29 x1
	str	x30, [x1, #0xf0]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #0x00]
	mrs	x2, elr_el2
	str	x2, [x1, #CTX_ELR]
	mrs	x2, spsr_el2
	str	x2, [x1, #CTX_SPSR]
	mrs	x2, esr_el2
	str	x2, [x1, #CTX_ESR]
	mrs	x2, far_el2
	str	x2, [x1, #CTX_FAR]
	mrs	x2, hpfar_el2
	str	x2, [x1, #CTX_HPFAR]
	ldr	x2, [x1, #CTX_VBAR]
	msr	vbar_el2, x2
	isb
	ldr	x2, [x1, #CTX_HOST_SP]
	add	sp, x2, #16
	ldp	x19, x20, [x1, #CTX_HOST + 0x00]
	ldp	x21, x22, [x1, #CTX_HOST + 0x10]
	ldp	x23, x24, [x1, #CTX_HOST + 0x20]
	ldp	x25, x26, [x1, #CTX_HOST + 0x30]
	ldp	x27, x28, [x1, #CTX_HOST + 0x40]
	ldp	x29, x30, [x1, #CTX_HOST + 0x50]
	ret

	.macro guest_vector kind
	.balign 0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	normal_vm_exit
	.endm

/* Current-EL entries: the host's own exceptions go to its handler as with its usual table. */
	.section .text.normal_vm_vectors, "ax"
	.balign 0x800
normal_vm_vectors:
	.irp kind, 0, 1, 2, 3, 4, 5, 6, 7
	frame_vector \kind, normal_vm_host_exception
	.endr
	.irp kind, 8, 9, 10, 11, 12, 13, 14, 15
	guest_vector \kind
	.endr

normal_vm_host_exception:
	frame_exception_common el2, host_exception

/* vCPU 0's context (the VMM runs one vCPU). */
	.section .bss.normal_vm, "aw", %nobits
	.balign 16
	.global normal_vm_context0
normal_vm_context0:
	.space 0x190
