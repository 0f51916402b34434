#include "tmm_storage.h"

uint8_t tmm_xlat_tables[TMM_XLAT_TABLES][4096] __attribute__((aligned(4096), section(".bss.xlat")));
uint64_t tmm_granule_table_memory[TMM_MAX_POOL_GRANULES] __attribute__((aligned(64)));
struct tmm_cpu tmm_cpus[PLAT_MAX_CPUS] __attribute__((aligned(64)));
uint8_t tmm_core_storage[TMM_CORE_STORAGE_BYTES] __attribute__((aligned(64)));
