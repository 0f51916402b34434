/*
 * Storage of the TMM: its translation tables (S-EL2 image), per-CPU stacks and the memory of
 * the granule table, all in the TMM's secure RAM. Defined in tmm_storage.c (.bss).
 */
#ifndef TMM_STORAGE_H
#define TMM_STORAGE_H

#include <stdint.h>
#include "symbol_address.h"
#include "platform_def.h"
#include "realm_run.h"

/* Everything declared here is defined in the same image: address it directly, not via a GOT. */
#pragma GCC visibility push(hidden)

/* The platform says how many its address map needs (platform_def.h). */
#define TMM_XLAT_TABLES PLAT_TMM_XLAT_TABLES
/* Enough for the platform's largest pool configuration (platform_def.h): per pool granule a
 * 4-byte descriptor and 12.125 bytes of normal-world bindings (Firmware/Core/Granule/
 * GranuleBindings.swift), rounded up to 17; plus the VMID bitmap (8 KiB for 16-bit VMIDs).
 * Plain numbers so that Swift imports them; the assertion keeps them equal to the formula. */
#define TMM_MAX_POOL_GRANULES PLAT_TMM_MAX_POOL_GRANULES
#define TMM_GRANULE_TABLE_BYTES PLAT_TMM_GRANULE_TABLE_BYTES
_Static_assert(TMM_GRANULE_TABLE_BYTES == TMM_MAX_POOL_GRANULES * 17 + 8192, "granule table storage");

extern uint8_t tmm_xlat_tables[TMM_XLAT_TABLES][4096];
extern struct tmm_cpu tmm_cpus[PLAT_MAX_CPUS];
/* Static home of the RMI core's value (a TMM<FirmwareHardware>), used in place. */
#define TMM_CORE_STORAGE_BYTES 1024
extern uint8_t tmm_core_storage[TMM_CORE_STORAGE_BYTES];
extern uint64_t tmm_granule_table_memory[TMM_GRANULE_TABLE_BYTES / 8];

static inline __attribute__((always_inline)) void *_Nonnull tmm_xlat_memory(void) { return tmm_xlat_tables; }
static inline __attribute__((always_inline)) void *_Nonnull tmm_granule_table(void) { return tmm_granule_table_memory; }
static inline __attribute__((always_inline)) struct tmm_cpu *_Nonnull tmm_cpu_area(uint64_t cpu) { return &tmm_cpus[cpu]; }
static inline __attribute__((always_inline)) void *_Nonnull tmm_core_storage_address(void) { return tmm_core_storage; }

extern char __tmm_text_start[], __tmm_text_end[], __tmm_rodata_start[], __tmm_rodata_end[];
extern char __tmm_rw_start[], __tmm_rw_end[];

SYMBOL_ADDRESS(tmm_text_start, __tmm_text_start)
SYMBOL_ADDRESS(tmm_text_end, __tmm_text_end)
SYMBOL_ADDRESS(tmm_rodata_start, __tmm_rodata_start)
SYMBOL_ADDRESS(tmm_rodata_end, __tmm_rodata_end)
SYMBOL_ADDRESS(tmm_rw_start, __tmm_rw_start)
SYMBOL_ADDRESS(tmm_rw_end, __tmm_rw_end)

#pragma GCC visibility pop

#endif
