/*
 * The host's ordinary (non-realm) VM at Non-secure EL1 (Firmware/Host/NormalVM): the guest's
 * general registers across an entry (normal_vm_entry.S) and the EL2 registers the VMM programs
 * for it that arch.h does not name (GICv3 virtual CPU interface, Arm IHI 0069H chapter 12).
 */
#ifndef NORMAL_VM_H
#define NORMAL_VM_H

#include <stdint.h>
#include "arch.h"

/*
 * One vCPU's state at an exit. x[0..30], elr and spsr in the gpr_frame.h layout (offsets 0,
 * 0xf8, 0x100), then the syndrome registers the exit leaves, then what the entry code keeps of
 * the host (its callee-saved registers, stack and vector base) while the guest runs.
 */
struct normal_vm_context {
	uint64_t x[31];
	uint64_t elr_el2;
	uint64_t spsr_el2;
	uint64_t esr_el2;
	uint64_t far_el2;
	uint64_t hpfar_el2;
	uint64_t host_sp;
	uint64_t host_vbar;
	uint64_t host_x19_x30[12];
};

/* Offsets normal_vm_entry.S uses. */
_Static_assert(__builtin_offsetof(struct normal_vm_context, elr_el2) == 0xf8, "gpr_frame layout");
_Static_assert(__builtin_offsetof(struct normal_vm_context, esr_el2) == 0x108, "CTX_ESR");
_Static_assert(__builtin_offsetof(struct normal_vm_context, host_sp) == 0x120, "CTX_HOST_SP");
_Static_assert(__builtin_offsetof(struct normal_vm_context, host_vbar) == 0x128, "CTX_VBAR");
_Static_assert(__builtin_offsetof(struct normal_vm_context, host_x19_x30) == 0x130, "CTX_HOST");

_Static_assert(sizeof(struct normal_vm_context) == 0x190, "normal_vm_context0 size");

/* vCPU 0's context, in the host's BSS (normal_vm_entry.S). */
extern struct normal_vm_context normal_vm_context0 __attribute__((visibility("hidden")));
ARCH_INLINE struct normal_vm_context *_Nonnull normal_vm_vcpu0(void) { return &normal_vm_context0; }

/*
 * Enters the guest with `context` (ERET to its ELR_EL2/SPSR_EL2) and returns at its next
 * exception to EL2: the vector index, 8 synchronous, 9 IRQ, 10 FIQ, 11 SError (12-15 for an
 * AArch32 guest, which the VMM never starts). The host's exceptions while the guest runs
 * cannot happen (the host does not run then); the current-EL vectors still report them.
 */
uint64_t normal_vm_enter(struct normal_vm_context *_Nonnull context);

/* GICv3 virtual interface (FEAT_GICv3, EL2): list registers 0-3, the VM control register,
 * the empty list register status and active priorities of Group 1. */
SYSREG_RW(ich_lr0_el2, S3_4_C12_C12_0)
SYSREG_RW(ich_lr1_el2, S3_4_C12_C12_1)
SYSREG_RW(ich_lr2_el2, S3_4_C12_C12_2)
SYSREG_RW(ich_lr3_el2, S3_4_C12_C12_3)
SYSREG_RW(ich_vmcr_el2, S3_4_C12_C11_7)
SYSREG_READ(ich_elrsr_el2, S3_4_C12_C11_5)
SYSREG_READ(ich_misr_el2, S3_4_C12_C11_2)

ARCH_INLINE void tlbi_vmalls12e1(void) { __asm__ volatile("tlbi vmalls12e1" : : : "memory"); }

#endif
