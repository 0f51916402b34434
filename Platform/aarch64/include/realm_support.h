/*
 * The test realm's linker symbols and its RSI conduit (Firmware/Realm, realm_entry.S).
 */
#ifndef REALM_SUPPORT_H
#define REALM_SUPPORT_H

#include <stdint.h>
#include "symbol_address.h"
#include "realm_layout.h"

/* Everything declared here is defined in the same image: address it directly, not via a GOT. */
#pragma GCC visibility push(hidden)

extern char __realm_image_start[], __realm_image_end[], __realm_end[];
extern char __realm_token_buffer[], __realm_xlat[], __realm_config_page[], __realm_host_call_page[];
extern char __realm_secret_page[], __realm_scratch[];
extern char realm_secondary_entry[];

SYMBOL_ADDRESS(realm_image_start, __realm_image_start)
SYMBOL_ADDRESS(realm_image_end, __realm_image_end)
SYMBOL_ADDRESS(realm_end, __realm_end)
/* Two pages: the attestation token collected from RSI_ATTESTATION_TOKEN_CONTINUE. */
SYMBOL_ADDRESS(realm_token_buffer, __realm_token_buffer)
/* Four pages: stage-1 tables (the isolation experiment; the EL3 image's address space). */
SYMBOL_ADDRESS(realm_xlat, __realm_xlat)
/* One page each: RSI_REALM_CONFIG output, RsiHostCall, the first realm's secret. */
SYMBOL_ADDRESS(realm_config_page, __realm_config_page)
SYMBOL_ADDRESS(realm_host_call_page, __realm_host_call_page)
SYMBOL_ADDRESS(realm_secret_page, __realm_secret_page)
/* Two pages the realm gives up with RSI_IPA_STATE_SET (RAM -> EMPTY). */
SYMBOL_ADDRESS(realm_scratch, __realm_scratch)
SYMBOL_ADDRESS(realm_secondary_entry_address, realm_secondary_entry)
#undef REALM_SYMBOL

/*
 * SMC with x0-x10 as inputs and x0-x8 as outputs: RSI_MEASUREMENT_EXTEND passes its value in
 * x3-x10 and RSI_MEASUREMENT_READ returns one in x1-x8.
 */
struct rsi_regs {
	uint64_t x[11];
};

static inline __attribute__((always_inline)) void rsi_call(struct rsi_regs *_Nonnull r) {
	register uint64_t x0 __asm__("x0") = r->x[0];
	register uint64_t x1 __asm__("x1") = r->x[1];
	register uint64_t x2 __asm__("x2") = r->x[2];
	register uint64_t x3 __asm__("x3") = r->x[3];
	register uint64_t x4 __asm__("x4") = r->x[4];
	register uint64_t x5 __asm__("x5") = r->x[5];
	register uint64_t x6 __asm__("x6") = r->x[6];
	register uint64_t x7 __asm__("x7") = r->x[7];
	register uint64_t x8 __asm__("x8") = r->x[8];
	register uint64_t x9 __asm__("x9") = r->x[9];
	register uint64_t x10 __asm__("x10") = r->x[10];
	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7),
			   "+r"(x8), "+r"(x9), "+r"(x10)
			 :
			 : "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	r->x[0] = x0; r->x[1] = x1; r->x[2] = x2; r->x[3] = x3; r->x[4] = x4; r->x[5] = x5;
	r->x[6] = x6; r->x[7] = x7; r->x[8] = x8; r->x[9] = x9; r->x[10] = x10;
}

/* FP/SIMD use (realm_entry.S): only with CPACR_EL1.FPEN set. */
uint64_t realm_fpsimd_add(uint64_t a, uint64_t b);
void realm_fpsimd_fill(uint64_t pattern, uint64_t fpcr, uint64_t fpsr);
uint64_t realm_fpsimd_changed(uint64_t pattern, uint64_t *_Nonnull fpcr_fpsr);

#pragma GCC visibility pop

#endif
