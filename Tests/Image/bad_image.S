/* A deliberately broken image for the image checker's self-test: each line breaks one rule. */
	.text
	.global _start
_start:
	fmov	d0, x1			/* FP/SIMD register */
	casal	x0, x1, [x2]		/* LSE atomic: not Armv8.0 */
	bl	missing_function	/* undefined symbol */
	bl	malloc			/* heap */

/* Allowed to use FP/SIMD by name in the self-test; the fmov in _start stays forbidden. */
	.global fp_allowed
	.type	fp_allowed, %function
fp_allowed:
	fmov	d1, x2
	ret
	.size	fp_allowed, . - fp_allowed
