/*
 * The contract between the EL3 monitor and the TMM (both image variants).
 *
 * Boot (S-EL2 image): the monitor enters the TMM at its entry point at Secure EL2 with
 *   x0 = CPU linear index, x1 = PA of the boot manifest (secure memory), x2 = 1 on the first
 *   (cold) boot of the TMM, 0 when a further CPU joins.
 * The TMM answers with SMC TMM_BOOT_COMPLETE (x1 = 0 on success or a negative error,
 * x2 = the RMI ABI version it implements). From then on the monitor resumes the TMM with the
 * next RMI call in x0..x6 as the results of that SMC; the TMM hands each RMI result back with
 * SMC TMM_RMI_REQ_COMPLETE (x1..x5 = the RMI results x0..x4). The FIDs follow TF-A's RMMD.
 */
#ifndef TMM_BOOT_H
#define TMM_BOOT_H

#define TMM_RMI_REQ_COMPLETE      0xC400018F
/*
 * TMM -> monitor, S-EL2 image only: enter a realm at Secure EL1 with the general registers, PC
 * and PSTATE in the struct realm_run at x1 (TMM memory), with physical interrupts and the
 * realm's GIC system-register accesses routed to EL3 (Docs/realm-execution.md). It does not
 * return: the realm's next exception reaches the TMM's lower-EL vectors. On a refused entry
 * (bad pointer, PSTATE not EL1/EL0 AArch64) the SMC returns x0 = TMM_ENTER_REALM_REFUSED.
 */
#define TMM_ENTER_REALM           0xC40001C0
#define TMM_ENTER_REALM_REFUSED   (-3)
#define TMM_BOOT_COMPLETE         0xC40001CF
#define TMM_ATTEST_GET_REALM_KEY  0xC40001B2
#define TMM_ATTEST_GET_PLAT_TOKEN 0xC40001B3

#define TMM_BOOT_MANIFEST_VERSION 1
#define TMM_MAX_RANGES            4

#ifndef __ASSEMBLER__
#include <stdint.h>

struct tmm_memory_range {
	uint64_t base;
	uint64_t size;
};

struct tmm_boot_manifest {
	uint32_t version;
	uint32_t cpu_count;
	/* Secure granule pool: memory the normal world cannot access (protected by the platform). */
	uint32_t pool_count;
	uint32_t ns_count;
	struct tmm_memory_range pool[TMM_MAX_RANGES];
	/* Normal-world memory: where the host's buffers (params, data sources, RecRun) may lie. */
	struct tmm_memory_range ns_memory[TMM_MAX_RANGES];
	uint64_t console_base;
};
#endif

#endif
