# QEMU sbsa-ref, as the Makefile builds for it (PLATFORM=sbsa-ref). Addresses live in
# include/platform_def.h only; the QEMU machine options in qemu.json.

# One pool configuration: the spare secure-only RAM (506 MiB, hardware-isolated).
PLATFORM_POOLS   := sram
# The Linux realm's pool: the same secure RAM.
LINUX_REALM_POOL := sram
# The CPU the EL3 image is shown on (no FEAT_SEL2); the S-EL2 image runs on -cpu max.
PLATFORM_EL3_CPU := cortex-a72
