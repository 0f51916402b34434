/* Storage and linker symbols of the project's normal-world host program. */
#ifndef HOST_STORAGE_H
#define HOST_STORAGE_H

#include <stdint.h>

/* Everything declared here is defined in the same image: address it directly, not via a GOT. */
#pragma GCC visibility push(hidden)

#define HOST_XLAT_TABLES 8

extern uint8_t host_xlat_tables[HOST_XLAT_TABLES][4096];
extern char __host_text_start[], __host_text_end[], __host_image_end[];
extern char host_secondary_entry[];

static inline __attribute__((always_inline)) void *_Nonnull host_xlat_memory(void) { return host_xlat_tables; }
static inline __attribute__((always_inline)) uint64_t host_text_start(void) { return (uint64_t)(uintptr_t)__host_text_start; }
static inline __attribute__((always_inline)) uint64_t host_text_end(void) { return (uint64_t)(uintptr_t)__host_text_end; }
static inline __attribute__((always_inline)) uint64_t host_image_end(void) { return (uint64_t)(uintptr_t)__host_image_end; }
static inline __attribute__((always_inline)) uint64_t host_secondary_entry_address(void) { return (uint64_t)(uintptr_t)host_secondary_entry; }

#pragma GCC visibility pop

#endif
