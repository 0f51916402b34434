/*
 * SHA-256 block compression with the FEAT_SHA256 instructions (SHA256H, SHA256H2, SHA256SU0,
 * SHA256SU1; FIPS 180-4 6.2.2 steps 1-4 for whole 64-byte blocks).
 *
 *   void sha256_blocks_ce(uint32_t state[8], const void *data, size_t blocks);
 *
 * state holds H0..H7 as native words (the portable Swift code's layout); data may be unaligned
 * (byte-element loads). Called only when ID_AA64ISAR0_EL1.SHA2 says the CPU has the instructions
 * (Firmware/Secure/SHAInstructions.swift) and the boot self-test agreed with the portable code.
 *
 * The firmware is built without FP/SIMD because the normal world's or a realm's SIMD state is
 * live in V0-V31 while it runs. This function saves every vector register it writes (V0-V8) on
 * the stack and restores it before returning; it does not touch FPSR or FPCR (integer vector
 * operations only). The image checker allows FP/SIMD registers in this function by name.
 *
 * Every instruction here is an Armv8.0 one (the Cryptographic Extension's SHA-256 part), so the
 * image checker's cortex-a57 decode of the EL3 image and of the S-EL2 monitor accepts it; the
 * runtime check above is what keeps it off a CPU that lacks the optional extension.
 *
 * Registers: v0 = H0..H3 (a, b, c, d), v1 = H4..H7 (e, f, g, h), v2 = a..d before SHA256H
 * changes them (SHA256H2 needs them), v3 = K + W for four rounds, v4 = four round constants,
 * v5-v8 = the 16-word message schedule window. The block's initial state waits on the stack.
 */
	.arch_extension fp
	.arch_extension simd
	.arch_extension sha2

	.section .text.sha256_blocks_ce, "ax"
	.global	sha256_blocks_ce
	.type	sha256_blocks_ce, %function
	.balign	4
sha256_blocks_ce:
	cbz	x2, 3f
	stp	q0, q1, [sp, #-144]!
	stp	q2, q3, [sp, #32]
	stp	q4, q5, [sp, #64]
	stp	q6, q7, [sp, #96]
	str	q8, [sp, #128]
	ld1	{v0.4s, v1.4s}, [x0]

1:	adrp	x3, sha256_round_constants
	add	x3, x3, :lo12:sha256_round_constants
	ld1	{v5.16b, v6.16b, v7.16b, v8.16b}, [x1], #64
	rev32	v5.16b, v5.16b          /* the message words are big-endian */
	rev32	v6.16b, v6.16b
	rev32	v7.16b, v7.16b
	rev32	v8.16b, v8.16b
	stp	q0, q1, [sp, #-32]!     /* the state at the start of this block */

	/* Four rounds with the schedule words in \w; then \w becomes the words 16 rounds on. */
	.macro	sha256_quad w, w1, w2, w3, schedule
	ld1	{v4.4s}, [x3], #16
	add	v3.4s, v\w\().4s, v4.4s
	mov	v2.16b, v0.16b
	sha256h	q0, q1, v3.4s
	sha256h2 q1, q2, v3.4s
	.if \schedule
	sha256su0 v\w\().4s, v\w1\().4s
	sha256su1 v\w\().4s, v\w2\().4s, v\w3\().4s
	.endif
	.endm

	sha256_quad 5, 6, 7, 8, 1
	sha256_quad 6, 7, 8, 5, 1
	sha256_quad 7, 8, 5, 6, 1
	sha256_quad 8, 5, 6, 7, 1
	sha256_quad 5, 6, 7, 8, 1
	sha256_quad 6, 7, 8, 5, 1
	sha256_quad 7, 8, 5, 6, 1
	sha256_quad 8, 5, 6, 7, 1
	sha256_quad 5, 6, 7, 8, 1
	sha256_quad 6, 7, 8, 5, 1
	sha256_quad 7, 8, 5, 6, 1
	sha256_quad 8, 5, 6, 7, 1
	sha256_quad 5, 6, 7, 8, 0
	sha256_quad 6, 7, 8, 5, 0
	sha256_quad 7, 8, 5, 6, 0
	sha256_quad 8, 5, 6, 7, 0

	ldp	q3, q4, [sp], #32       /* FIPS 180-4 6.2.2 step 4: add the block's initial state */
	add	v0.4s, v0.4s, v3.4s
	add	v1.4s, v1.4s, v4.4s
	subs	x2, x2, #1
	b.ne	1b

	st1	{v0.4s, v1.4s}, [x0]
	ldp	q2, q3, [sp, #32]
	ldp	q4, q5, [sp, #64]
	ldp	q6, q7, [sp, #96]
	ldr	q8, [sp, #128]
	ldp	q0, q1, [sp], #144
3:	ret
	.size	sha256_blocks_ce, . - sha256_blocks_ce

	/* K0..K63, FIPS 180-4 4.2.2. */
	.section .rodata.sha256_round_constants, "a"
	.balign	16
sha256_round_constants:
	.word	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.word	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.word	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.word	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.word	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.word	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.word	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.word	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
