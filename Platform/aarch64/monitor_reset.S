/*
 * EL3 reset path. Every CPU starts here at EL3 with the MMU off. The addresses come from the
 * platform's platform_def.h.
 * The boot CPU (linear index 0) copies .data from flash, zeroes .bss and enters the monitor's
 * cold boot; the others wait in a holding pen until PSCI CPU_ON releases them.
 */
#include "platform_def.h"

#define HOLD_RELEASE_MAGIC 0x4f474d4d54524f48	/* arbitrary 64-bit release value */

	.section .text.reset, "ax"
	.global monitor_reset
monitor_reset:
	msr	daifset, #0xf
	adr	x1, el3_vectors
	msr	vbar_el3, x1
	isb
	bl	plat_cpu_index			/* x0 = linear index, or -1 if unknown */
	cmp	x0, #PLAT_MAX_CPUS
	b.hs	unknown_cpu
	cbnz	x0, secondary_hold

	/* Boot CPU: copy .data, zero .bss. */
	ldr	x1, =__data_load_start
	ldr	x2, =__data_start
	ldr	x3, =__data_end
1:	cmp	x2, x3
	b.hs	2f
	ldr	x4, [x1], #8
	str	x4, [x2], #8
	b	1b
2:	ldr	x2, =__bss_start
	ldr	x3, =__bss_end
3:	cmp	x2, x3
	b.hs	4f
	str	xzr, [x2], #8
	b	3b
4:	mov	x0, #0
	bl	set_monitor_stack
	mov	x0, #0
	bl	monitor_cold_boot
	b	cpu_stop

/*
 * Secondary CPUs: wait (MMU and caches off) until the monitor writes the release magic into
 * this CPU's holding-pen slot, then take the warm-boot path. The pen lives in .bss.hold, which
 * the boot CPU zeroes; a CPU that reads before then sees zero or stale data, never the magic.
 */
secondary_hold:
	mov	x19, x0
	ldr	x1, =monitor_hold_pen
	add	x1, x1, x19, lsl #3
	ldr	x2, =HOLD_RELEASE_MAGIC
5:	wfe
	ldr	x3, [x1]
	cmp	x3, x2
	b.ne	5b
	str	xzr, [x1]
	mov	x0, x19
	bl	set_monitor_stack
	mov	x0, x19
	bl	monitor_warm_boot
	b	cpu_stop

unknown_cpu:
cpu_stop:
	msr	daifset, #0xf
6:	wfi
	b	6b

/*
 * x0 = linear CPU index from MPIDR_EL1, for platforms that number their CPUs in Aff0 alone
 * (QEMU virt with GICv3; sbsa-ref with PLAT_MAX_CPUS <= 8, one cluster), as PSCIService.cpuIndex
 * assumes. A platform with clusters changes both (Docs/porting.md).
 */
	.global plat_cpu_index
plat_cpu_index:
	mrs	x1, mpidr_el1
	ubfx	x0, x1, #0, #8
	ubfx	x2, x1, #8, #16
	orr	x2, x2, x1, lsr #32
	and	x2, x2, #0xff
	cbz	x2, 7f
	mov	x0, #-1
7:	ret

/* SP = top of the EL3 stack of CPU x0. Clobbers x1. */
set_monitor_stack:
	ldr	x1, =__monitor_stacks_end
	sub	x1, x1, x0, lsl #15		/* PLAT_MONITOR_STACK_SIZE == 1 << 15 */
	mov	sp, x1
	ret

	.global monitor_release_magic
	.section .rodata.hold_magic, "a"
	.balign 8
monitor_release_magic:
	.quad	HOLD_RELEASE_MAGIC

	.section .bss.hold, "aw", %nobits
	.balign 64
	.global monitor_hold_pen
monitor_hold_pen:
	.space	8 * PLAT_MAX_CPUS

#if PLAT_MONITOR_STACK_SIZE != 0x8000
#error "set_monitor_stack assumes 32 KiB stacks"
#endif
