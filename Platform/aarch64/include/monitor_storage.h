/*
 * Storage of the EL3 monitor: per-CPU world contexts and power state, the boot manifest it
 * hands to the TMM, and its translation tables. Defined in monitor_storage.c (.bss).
 */
#ifndef MONITOR_STORAGE_H
#define MONITOR_STORAGE_H

#include <stdint.h>
#include "symbol_address.h"
#include "el3_context.h"
#include "platform_def.h"
#include "tmm_boot.h"

/* Everything declared here is defined in the same image: address it directly, not via a GOT. */
#pragma GCC visibility push(hidden)

#define WORLD_SECURE     0
#define WORLD_NONSECURE  1

/* The platform says how many its address map needs (platform_def.h). */
#define MONITOR_XLAT_TABLES PLAT_MONITOR_XLAT_TABLES

struct monitor_cpu {
	/* PSCI affinity state (AFFINITY_INFO encoding): 0 ON, 1 OFF, 2 ON_PENDING. Atomic. */
	uint32_t power_state;
	/* Whether the TMM has been booted on this CPU (S-EL2 image). */
	uint32_t tmm_booted;
	/*
	 * An RMI call has been handed to the TMM and its result is awaited (S-EL2 image): 1, or 2
	 * for REC_ENTER, whose return also restores the normal world's EL1 registers.
	 */
	uint32_t rmi_in_progress;
	uint32_t reserved;
	/* Where PSCI CPU_ON asked this CPU to start in the normal world. */
	uint64_t ns_entry;
	uint64_t ns_context_id;
};

extern struct world_context monitor_contexts[PLAT_MAX_CPUS][2];
extern struct monitor_cpu monitor_cpus[PLAT_MAX_CPUS];
extern struct tmm_boot_manifest monitor_tmm_manifest;
extern uint64_t monitor_hold_pen[PLAT_MAX_CPUS];
extern const uint64_t monitor_release_magic;
extern uint8_t monitor_xlat_tables[MONITOR_XLAT_TABLES][4096];

static inline __attribute__((always_inline)) struct world_context *_Nonnull monitor_context(uint64_t cpu, uint64_t world)
{
	return &monitor_contexts[cpu][world];
}

static inline __attribute__((always_inline)) struct monitor_cpu *_Nonnull monitor_cpu_state(uint64_t cpu)
{
	return &monitor_cpus[cpu];
}

static inline __attribute__((always_inline)) uint32_t *_Nonnull monitor_cpu_power_state(uint64_t cpu)
{
	return &monitor_cpus[cpu].power_state;
}

static inline __attribute__((always_inline)) uint64_t *_Nonnull monitor_hold_pen_slot(uint64_t cpu)
{
	return &monitor_hold_pen[cpu];
}

static inline __attribute__((always_inline)) struct tmm_boot_manifest *_Nonnull monitor_manifest(void)
{
	return &monitor_tmm_manifest;
}

static inline __attribute__((always_inline)) void *_Nonnull monitor_xlat_memory(void)
{
	return monitor_xlat_tables;
}

/* Linker-script symbols of the monitor's part of the image. */
extern char __monitor_text_start[], __monitor_text_end[];
extern char __monitor_rodata_start[], __monitor_rodata_end[];
extern char __monitor_rw_start[], __monitor_rw_end[];
extern char __monitor_stacks_end[];

SYMBOL_ADDRESS(monitor_text_start, __monitor_text_start)
SYMBOL_ADDRESS(monitor_text_end, __monitor_text_end)
SYMBOL_ADDRESS(monitor_rodata_start, __monitor_rodata_start)
SYMBOL_ADDRESS(monitor_rodata_end, __monitor_rodata_end)
SYMBOL_ADDRESS(monitor_rw_start, __monitor_rw_start)
SYMBOL_ADDRESS(monitor_rw_end, __monitor_rw_end)
SYMBOL_ADDRESS(monitor_stacks_end, __monitor_stacks_end)

/*
 * The normal world's device trees, embedded in the image (ns_dtb.S): the platform's full
 * description from __ns_dtb_start, then from ns_dtb_without_el2_vtimer to __ns_dtb_end the same
 * without the EL2 virtual timer's interrupt.
 */
extern char __ns_dtb_start[], __ns_dtb_end[], ns_dtb_without_el2_vtimer[];
SYMBOL_ADDRESS(ns_dtb_start, __ns_dtb_start)
SYMBOL_ADDRESS(ns_dtb_end, __ns_dtb_end)
SYMBOL_ADDRESS(ns_dtb_fallback_start, ns_dtb_without_el2_vtimer)

/*
 * The payload entry point chosen at build time (--defsym in the Makefile). Read from a 64-bit
 * word in the image (monitor_storage.c), not formed PC-relative: normal-world DRAM may lie
 * beyond the +-4 GiB an ADRP reaches from the flash (sbsa-ref's is at 1 TiB).
 */
extern const uint64_t monitor_payload_entry;
static inline __attribute__((always_inline)) uint64_t payload_entry(void) { return monitor_payload_entry; }

/* The TMM of the S-EL2 image: linked to run in PLAT_TMM_RAM, stored in flash after the monitor. */
extern char __tmm_load_start[], __tmm_image_start[], __tmm_image_end[], __tmm_bss_end[];
extern char tmm_sel2_entry[];
SYMBOL_ADDRESS(tmm_load_start, __tmm_load_start)
SYMBOL_ADDRESS(tmm_image_start, __tmm_image_start)
SYMBOL_ADDRESS(tmm_image_end, __tmm_image_end)
SYMBOL_ADDRESS(tmm_bss_end, __tmm_bss_end)
SYMBOL_ADDRESS(tmm_entry_address, tmm_sel2_entry)

/* el3_exit (el3_vectors.S): resume a world; never returns. */
void el3_exit(struct world_context *_Nonnull ctx) __attribute__((noreturn));
/* el3_run_realm (el3_vectors.S, EL3 image): run the realm in ctx until its next exception;
   `cpu` (a struct tmm_cpu) keeps the caller's registers meanwhile. Returns REALM_EXIT_*. */
int64_t el3_run_realm(struct world_context *_Nonnull ctx, void *_Nonnull cpu);

#pragma GCC visibility pop

#endif
