/*
 * The device secret: the root from which the monitor derives the platform attestation key and
 * each boot's realm attestation key (README: Attestation). On QEMU it is provisioned into the
 * flash image at build time; sbsa-ref's flash0 is secure-only (absent from the Non-secure
 * address space), so the normal world cannot read it. The linker script gives it a page of its
 * own. A real server reads fuses, OTP or a hardware unique key instead (Docs/porting.md).
 */
	.section .device_secret, "a"
	.balign 64
	.incbin DEVICE_SECRET_PATH
