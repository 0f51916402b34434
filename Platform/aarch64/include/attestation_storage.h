/*
 * Storage of the attestation service (README: Attestation), kept apart from the rest of the
 * monitor's and the TMM's storage:
 *   monitor  the device secret in secure flash, the scratch buffer it signs platform tokens in,
 *            and the image ranges it measures at boot;
 *   TMM      the buffer holding this boot's platform token.
 * Each image links only its own part (monitor_attestation_storage.c, tmm_attestation_storage.c).
 */
#ifndef ATTESTATION_STORAGE_H
#define ATTESTATION_STORAGE_H

#include <stdint.h>
#include "symbol_address.h"

#pragma GCC visibility push(hidden)

/* The largest platform token accepted, as TF-RMM sizes it (4 KiB). */
#define ATTESTATION_PLATFORM_TOKEN_MAX 4096


/* Monitor: the platform token is signed here, in memory the TMM cannot touch, then copied out. */
extern uint8_t monitor_platform_token_scratch[ATTESTATION_PLATFORM_TOKEN_MAX];
static inline __attribute__((always_inline)) void *_Nonnull monitor_token_scratch(void)
{
	return monitor_platform_token_scratch;
}

/* Monitor: the provisioned device secret (device_secret.S), in a secure flash page of its own. */
extern char __device_secret_start[], __device_secret_end[];
SYMBOL_ADDRESS(device_secret_start, __device_secret_start)
SYMBOL_ADDRESS(device_secret_end, __device_secret_end)

/* Monitor: its .data as stored in flash (measured with its code). */
extern char __data_load_start[], __data_start[], __data_end[];
SYMBOL_ADDRESS(monitor_data_load_start, __data_load_start)
SYMBOL_ADDRESS(monitor_data_start, __data_start)
SYMBOL_ADDRESS(monitor_data_end, __data_end)

/* Monitor, S-EL2 image: the TMM's writable memory (data, bss, stacks), where its buffers lie. */
extern char __tmm_rw_start[], __tmm_bss_end[];
SYMBOL_ADDRESS(tmm_writable_start, __tmm_rw_start)
SYMBOL_ADDRESS(tmm_writable_end, __tmm_bss_end)

/* TMM, S-EL2 image: the top of its stacks (boot CPU's first), to measure their use. */
extern char __tmm_stacks_end[];
SYMBOL_ADDRESS(tmm_stacks_end, __tmm_stacks_end)

/* TMM: this boot's platform token, fetched from EL3 once at cold boot. */
extern uint8_t tmm_platform_token[ATTESTATION_PLATFORM_TOKEN_MAX];
static inline __attribute__((always_inline)) void *_Nonnull tmm_platform_token_buffer(void)
{
	return tmm_platform_token;
}

#pragma GCC visibility pop

#endif
