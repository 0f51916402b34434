/*
 * SHA-512 block compression with the FEAT_SHA512 instructions (SHA512H, SHA512H2, SHA512SU0,
 * SHA512SU1; FIPS 180-4 6.4.2 steps 1-4 for whole 128-byte blocks). SHA-384 uses it too.
 *
 *   void sha512_blocks_ce(uint64_t state[8], const void *data, size_t blocks);
 *
 * state holds H0..H7 as native words (the portable Swift code's layout); data may be unaligned
 * (byte-element loads). Called only when ID_AA64ISAR0_EL1.SHA2 is 2 (Firmware/Secure/
 * SHAInstructions.swift) and the boot self-test agreed with the portable code.
 *
 * The firmware is built without FP/SIMD because the normal world's or a realm's SIMD state is
 * live in V0-V31 while it runs. This function saves every vector register it writes (V0-V15) on
 * the stack and restores it before returning; it does not touch FPSR or FPCR (integer vector
 * operations only). The image checker allows FP/SIMD registers in this function by name.
 *
 * FEAT_SHA512 is Armv8.2 (optional): only the S-EL2 image's TMM, built for Armv8.4, links this
 * file. The EL3 image and the S-EL2 monitor must decode as Armv8.0 (cortex-a57) and use the
 * portable SHA-512 (README, Benchmark).
 *
 * Each SHA512H/SHA512H2 pair does two rounds. With the state as pairs ab = {a, b} (a in the
 * low lane), cd, ef, gh, two rounds t, t+1 are:
 *   T  = gh + {KW[t+1], KW[t]}            (KW = K + W; h and g join the two rounds' T1)
 *   T  = SHA512H(T, {f, g}, {d, e})       T = {T1[t+1], T1[t]}
 *   ef'= cd + T                           e after t+1 and after t
 *   ab'= SHA512H2(T, cd, ab)              a after t+1 and after t
 *   cd'= ab, gh'= ef
 * so the roles rotate through five registers (v0-v4); each step names them explicitly.
 * v5-v12 hold the message schedule W as eight pairs, v13-v15 are scratch.
 */
	.arch_extension fp
	.arch_extension simd
	.arch_extension sha3

	/* Rounds 2i and 2i+1 with W in v\w; then v\w becomes the pair 16 rounds on:
	 * W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16] (FIPS 180-4 6.4.2 step 1). */
	.macro	sha512_round2 a, c, e, g, t, w, w1, w4, w5, w7, schedule
	ld1	{v13.2d}, [x3], #16
	add	v13.2d, v13.2d, v\w\().2d
	ext	v13.16b, v13.16b, v13.16b, #8
	add	v\t\().2d, v\g\().2d, v13.2d
	ext	v14.16b, v\e\().16b, v\g\().16b, #8
	ext	v15.16b, v\c\().16b, v\e\().16b, #8
	sha512h	q\t, q14, v15.2d
	add	v\g\().2d, v\c\().2d, v\t\().2d
	sha512h2 q\t, q\c, v\a\().2d
	.if \schedule
	ext	v14.16b, v\w4\().16b, v\w5\().16b, #8
	sha512su0 v\w\().2d, v\w1\().2d
	sha512su1 v\w\().2d, v\w7\().2d, v14.2d
	.endif
	.endm

	.section .text.sha512_blocks_ce, "ax"
	.global	sha512_blocks_ce
	.type	sha512_blocks_ce, %function
	.balign	4
sha512_blocks_ce:
	cbz	x2, 2f
	stp	q0, q1, [sp, #-256]!
	stp	q2, q3, [sp, #32]
	stp	q4, q5, [sp, #64]
	stp	q6, q7, [sp, #96]
	stp	q8, q9, [sp, #128]
	stp	q10, q11, [sp, #160]
	stp	q12, q13, [sp, #192]
	stp	q14, q15, [sp, #224]

1:	adrp	x3, sha512_round_constants
	add	x3, x3, :lo12:sha512_round_constants
	ld1	{v0.2d, v1.2d, v2.2d, v3.2d}, [x0]
	ld1	{v5.16b, v6.16b, v7.16b, v8.16b}, [x1], #64
	ld1	{v9.16b, v10.16b, v11.16b, v12.16b}, [x1], #64
	rev64	v5.16b, v5.16b          /* the message words are big-endian */
	rev64	v6.16b, v6.16b
	rev64	v7.16b, v7.16b
	rev64	v8.16b, v8.16b
	rev64	v9.16b, v9.16b
	rev64	v10.16b, v10.16b
	rev64	v11.16b, v11.16b
	rev64	v12.16b, v12.16b

	sha512_round2 0, 1, 2, 3, 4, 5, 6, 9, 10, 12, 1
	sha512_round2 4, 0, 3, 2, 1, 6, 7, 10, 11, 5, 1
	sha512_round2 1, 4, 2, 3, 0, 7, 8, 11, 12, 6, 1
	sha512_round2 0, 1, 3, 2, 4, 8, 9, 12, 5, 7, 1
	sha512_round2 4, 0, 2, 3, 1, 9, 10, 5, 6, 8, 1
	sha512_round2 1, 4, 3, 2, 0, 10, 11, 6, 7, 9, 1
	sha512_round2 0, 1, 2, 3, 4, 11, 12, 7, 8, 10, 1
	sha512_round2 4, 0, 3, 2, 1, 12, 5, 8, 9, 11, 1
	sha512_round2 1, 4, 2, 3, 0, 5, 6, 9, 10, 12, 1
	sha512_round2 0, 1, 3, 2, 4, 6, 7, 10, 11, 5, 1
	sha512_round2 4, 0, 2, 3, 1, 7, 8, 11, 12, 6, 1
	sha512_round2 1, 4, 3, 2, 0, 8, 9, 12, 5, 7, 1
	sha512_round2 0, 1, 2, 3, 4, 9, 10, 5, 6, 8, 1
	sha512_round2 4, 0, 3, 2, 1, 10, 11, 6, 7, 9, 1
	sha512_round2 1, 4, 2, 3, 0, 11, 12, 7, 8, 10, 1
	sha512_round2 0, 1, 3, 2, 4, 12, 5, 8, 9, 11, 1
	sha512_round2 4, 0, 2, 3, 1, 5, 6, 9, 10, 12, 1
	sha512_round2 1, 4, 3, 2, 0, 6, 7, 10, 11, 5, 1
	sha512_round2 0, 1, 2, 3, 4, 7, 8, 11, 12, 6, 1
	sha512_round2 4, 0, 3, 2, 1, 8, 9, 12, 5, 7, 1
	sha512_round2 1, 4, 2, 3, 0, 9, 10, 5, 6, 8, 1
	sha512_round2 0, 1, 3, 2, 4, 10, 11, 6, 7, 9, 1
	sha512_round2 4, 0, 2, 3, 1, 11, 12, 7, 8, 10, 1
	sha512_round2 1, 4, 3, 2, 0, 12, 5, 8, 9, 11, 1
	sha512_round2 0, 1, 2, 3, 4, 5, 6, 9, 10, 12, 1
	sha512_round2 4, 0, 3, 2, 1, 6, 7, 10, 11, 5, 1
	sha512_round2 1, 4, 2, 3, 0, 7, 8, 11, 12, 6, 1
	sha512_round2 0, 1, 3, 2, 4, 8, 9, 12, 5, 7, 1
	sha512_round2 4, 0, 2, 3, 1, 9, 10, 5, 6, 8, 1
	sha512_round2 1, 4, 3, 2, 0, 10, 11, 6, 7, 9, 1
	sha512_round2 0, 1, 2, 3, 4, 11, 12, 7, 8, 10, 1
	sha512_round2 4, 0, 3, 2, 1, 12, 5, 8, 9, 11, 1
	sha512_round2 1, 4, 2, 3, 0, 5, 6, 9, 10, 12, 0
	sha512_round2 0, 1, 3, 2, 4, 6, 7, 10, 11, 5, 0
	sha512_round2 4, 0, 2, 3, 1, 7, 8, 11, 12, 6, 0
	sha512_round2 1, 4, 3, 2, 0, 8, 9, 12, 5, 7, 0
	sha512_round2 0, 1, 2, 3, 4, 9, 10, 5, 6, 8, 0
	sha512_round2 4, 0, 3, 2, 1, 10, 11, 6, 7, 9, 0
	sha512_round2 1, 4, 2, 3, 0, 11, 12, 7, 8, 10, 0
	sha512_round2 0, 1, 3, 2, 4, 12, 5, 8, 9, 11, 0

	/* After 40 steps ab is in v4, cd in v0, ef in v2, gh in v3. FIPS 180-4 6.4.2 step 4. */
	ld1	{v5.2d, v6.2d, v7.2d, v8.2d}, [x0]
	add	v5.2d, v5.2d, v4.2d
	add	v6.2d, v6.2d, v0.2d
	add	v7.2d, v7.2d, v2.2d
	add	v8.2d, v8.2d, v3.2d
	st1	{v5.2d, v6.2d, v7.2d, v8.2d}, [x0]
	subs	x2, x2, #1
	b.ne	1b

	ldp	q2, q3, [sp, #32]
	ldp	q4, q5, [sp, #64]
	ldp	q6, q7, [sp, #96]
	ldp	q8, q9, [sp, #128]
	ldp	q10, q11, [sp, #160]
	ldp	q12, q13, [sp, #192]
	ldp	q14, q15, [sp, #224]
	ldp	q0, q1, [sp], #256
2:	ret
	.size	sha512_blocks_ce, . - sha512_blocks_ce

	/* K0..K79, FIPS 180-4 4.2.3. */
	.section .rodata.sha512_round_constants, "a"
	.balign	16
sha512_round_constants:
	.quad	0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc
	.quad	0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118
	.quad	0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2
	.quad	0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694
	.quad	0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65
	.quad	0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5
	.quad	0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4
	.quad	0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70
	.quad	0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df
	.quad	0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b
	.quad	0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30
	.quad	0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8
	.quad	0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8
	.quad	0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3
	.quad	0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec
	.quad	0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b
	.quad	0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178
	.quad	0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b
	.quad	0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c
	.quad	0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817
