/* Storage and linker symbols of the project's normal-world host program. */
#ifndef HOST_STORAGE_H
#define HOST_STORAGE_H

#include <stdint.h>
#include "symbol_address.h"
#include "platform_def.h"

/* Everything declared here is defined in the same image: address it directly, not via a GOT. */
#pragma GCC visibility push(hidden)

/* The platform says how many its address map needs (platform_def.h). */
#define HOST_XLAT_TABLES PLAT_HOST_XLAT_TABLES
/* Normal-world pages the host hands to the TMM: realm and REC parameters, data sources, RecRun. */
#define HOST_NS_PAGES 16
/* Ordinary pages of the host's own memory, used as a kernel uses pages from its page
 * allocator: delegated one by one, in no particular order (NormalPageDelegationChecks). */
#define HOST_KERNEL_PAGES 48

extern uint8_t host_xlat_tables[HOST_XLAT_TABLES][4096];
extern uint8_t host_ns_pages[HOST_NS_PAGES][4096];
extern uint8_t host_kernel_pages[HOST_KERNEL_PAGES][4096];
extern char __host_text_start[], __host_text_end[], __host_image_end[];
extern char host_secondary_entry[];
/* The test realm's flat image (realm_image.S), page aligned and padded to whole pages. */
extern char realm_image_start[], realm_image_end[];

static inline __attribute__((always_inline)) void *_Nonnull host_xlat_memory(void) { return host_xlat_tables; }
static inline __attribute__((always_inline)) void *_Nonnull host_ns_page(uint64_t index) { return host_ns_pages[index]; }
static inline __attribute__((always_inline)) void *_Nonnull host_kernel_page(uint64_t index) { return host_kernel_pages[index]; }
SYMBOL_ADDRESS(host_text_start, __host_text_start)
SYMBOL_ADDRESS(host_text_end, __host_text_end)
SYMBOL_ADDRESS(host_image_end, __host_image_end)
SYMBOL_ADDRESS(host_secondary_entry_address, host_secondary_entry)
SYMBOL_ADDRESS(host_realm_image_start, realm_image_start)
SYMBOL_ADDRESS(host_realm_image_end, realm_image_end)

#pragma GCC visibility pop

#endif
