#include "monitor_storage.h"

extern char __payload_entry[];
const uint64_t monitor_payload_entry = (uint64_t)(uintptr_t)__payload_entry;

struct world_context monitor_contexts[PLAT_MAX_CPUS][2] __attribute__((aligned(64)));
struct monitor_cpu monitor_cpus[PLAT_MAX_CPUS] __attribute__((aligned(64)));
struct tmm_boot_manifest monitor_tmm_manifest;
uint8_t monitor_xlat_tables[MONITOR_XLAT_TABLES][4096] __attribute__((aligned(4096), section(".bss.xlat")));
