/*
 * SHA-256 and SHA-512 block functions with the CPU's SHA instructions (FEAT_SHA256,
 * FEAT_SHA512): sha256_blocks_ce.S, sha512_blocks_ce.S. Each compresses `blocks` whole blocks
 * at `data` (any alignment) into `state` (H0..H7, native-endian words, FIPS 180-4) and leaves
 * every FP/SIMD register as it found it. Call only where ID_AA64ISAR0_EL1.SHA2 says the CPU has
 * the instructions; Firmware/Core/Crypto/SHAAcceleration.swift checks them before any use.
 */
#ifndef SHA_BLOCKS_H
#define SHA_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Defined in the same image: address them directly, not via a GOT (Swift takes their address). */
#pragma GCC visibility push(hidden)

void sha256_blocks_ce(uint32_t *_Nonnull state, const void *_Nonnull data, size_t blocks);
/* Only in images whose TMM may run on Armv8.2+ (the S-EL2 TMM): SHA512_INSTRUCTIONS. */
void sha512_blocks_ce(uint64_t *_Nonnull state, const void *_Nonnull data, size_t blocks);

#pragma GCC visibility pop

#endif
