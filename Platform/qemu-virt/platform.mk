# QEMU virt, as the Makefile builds for it (PLATFORM=qemu-virt, the default). Addresses live in
# include/platform_def.h only; the QEMU machine options in qemu.json.

# Pool configurations: sram, the spare secure-only RAM (16 MiB, hardware-isolated); dram, a
# 256 MiB DRAM carve-out that models an address-space controller QEMU virt does not have.
PLATFORM_POOLS   := sram dram
# The pool a Linux realm needs (~192 MiB and more): only the DRAM carve-out is large enough.
LINUX_REALM_POOL := dram
# The CPU the EL3 image is shown on (no FEAT_SEL2); the S-EL2 image runs on -cpu max.
PLATFORM_EL3_CPU := cortex-a72
