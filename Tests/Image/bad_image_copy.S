/* A second, local copy of the self-test's fp_allowed, as the S-EL2 image's monitor and TMM each
 * link their own SHA-256 block function: the allowance must cover every copy of the name. */
	.text
	.type	fp_allowed, %function
fp_allowed:
	fmov	d2, x3
	ret
	.size	fp_allowed, . - fp_allowed
