/*
 * Memory map and constants of QEMU `sbsa-ref` (QEMU 7.2) booted with
 *   -M sbsa-ref -m 1G -smp 4 -bios <image>
 * (addresses read from the machine itself: `info mtree -f` in QEMU's monitor; hw/arm/sbsa-ref.c).
 *
 * The single source of these numbers for this platform: assembly, linker scripts, the normal
 * world's device tree and the Swift firmware all include this file. Keep every value a plain
 * integer literal so that Swift imports it as a constant, the linker scripts and dtc (through
 * cpp) can use it too.
 *
 * What sbsa-ref has that virt does not: 512 MiB of secure-only RAM (the whole secure pool is
 * hardware-isolated), two flash devices of which the first is secure-only, a secure-only
 * embedded controller for power, normal-world DRAM at 1 TiB. QEMU 7.2's sbsa-ref has no GIC ITS
 * (`info mtree -f` shows none; later QEMU versions add one) and always has EL3 and EL2.
 */
#ifndef PLATFORM_DEF_H
#define PLATFORM_DEF_H

#define PLAT_MAX_CPUS                 4

/*
 * Virtual (= physical, identity-mapped) address bits the firmware's and the host's stage-1
 * tables cover: DRAM ends at 0x100_4000_0000, above 2^40 (Stage1Translation.swift: T0SZ 22,
 * walks from level 0; the PA size 42 bits, which cortex-a57/a72 (44) and max (48) have).
 */
#define PLAT_VA_BITS                  42

/* Secure flash (flash0, secure-only): the CPU starts at EL3 at its first byte (-bios). */
#define PLAT_FLASH_BASE               0x00000000
#define PLAT_FLASH_SIZE               0x10000000

/* Secure-only RAM (512 MiB): absent from the Non-secure address space. */
#define PLAT_SECURE_RAM_BASE          0x20000000
#define PLAT_SECURE_RAM_SIZE          0x20000000

/*
 * Secure RAM layout.
 *   0x20000000  EL3 monitor: data, bss, stacks, translation tables, world contexts (512 KiB)
 *   0x20080000  TMM (S-EL2 image) or TMM part of the EL3 image: image, bss (the granule table
 *               for up to 512 MiB of pool: 2.2 MiB), stacks (5.5 MiB)
 *   0x20600000  secure granule pool: the rest, 506 MiB (129536 granules), enough for a Linux
 *               realm, and all of it hardware-isolated
 */
#define PLAT_MONITOR_RAM_BASE         0x20000000
#define PLAT_MONITOR_RAM_SIZE         0x00080000
#define PLAT_TMM_RAM_BASE             0x20080000
#define PLAT_TMM_RAM_SIZE             0x00580000
#define PLAT_SRAM_POOL_BASE           0x20600000
#define PLAT_SRAM_POOL_SIZE           0x1FA00000

/* Devices. */
#define PLAT_GICD_BASE                0x40060000
#define PLAT_GICR_BASE                0x40080000
#define PLAT_GICR_STRIDE              0x00020000
/* Secure embedded controller: a 32-bit write to offset 0 powers off (1) or reboots (2). */
#define PLAT_EC_BASE                  0x50000000
#define PLAT_EC_POWEROFF              1
#define PLAT_EC_REBOOT                2
#define PLAT_NS_UART_BASE             0x60000000
#define PLAT_SECURE_UART_BASE         0x60030000
/* GIC, EC, watchdog, UARTs, RTC, GPIO, SMMU, AHCI: one device window for the stage-1 maps. */
#define PLAT_DEVICE_BASE              0x40000000
#define PLAT_DEVICE_SIZE              0x22000000

/* Normal-world DRAM (QEMU -m 1G), high in the address map as on SBSA servers. */
#define PLAT_DRAM_BASE                0x10000000000
#define PLAT_DRAM_SIZE                0x40000000

/*
 * What the run script places in normal-world DRAM for the host's VMM to boot a Linux realm
 * (QEMU generic loader; Docs/linux-realm.md): a manifest page, the kernel Image, the
 * initramfs, an optional device tree, and the normal-world memory the VMM shares with the
 * realm. The same offsets from the DRAM base as on QEMU virt.
 */
#define PLAT_VMM_MANIFEST_BASE        0x10000101000
#define PLAT_VMM_KERNEL_BASE          0x10004000000
#define PLAT_VMM_KERNEL_MAX_SIZE      0x04000000
#define PLAT_VMM_INITRD_BASE          0x10008000000
#define PLAT_VMM_INITRD_MAX_SIZE      0x07F00000
#define PLAT_VMM_DTB_BASE             0x1000FF00000
#define PLAT_VMM_DTB_MAX_SIZE         0x00100000
#define PLAT_VMM_SHARED_BASE          0x10010000000
#define PLAT_VMM_SHARED_SIZE          0x20000000
/* The same guest as an ordinary VM (host mode 5): the realm's shared window. */
#define PLAT_NVM_BACKING_BASE         PLAT_VMM_SHARED_BASE
#define PLAT_NVM_BACKING_SIZE         PLAT_VMM_SHARED_SIZE

/* The EL2 virtual timer's interrupt (FEAT_VHE): PPI 12; the monitor probes whether it is wired. */
#define PLAT_EL2_VTIMER_PPI           12

/* Normal-world hand-off: the device tree the firmware copies for the payload (x0 at entry). */
#define PLAT_NS_DTB_BASE              0x10000000000
#define PLAT_NS_DTB_MAX_SIZE          0x00010000
/*
 * Where QEMU places its own device tree for the firmware: the start of DRAM. sbsa-ref's tree
 * has no /secure-chosen rng-seed; the monitor finds none there and uses RNDR where the CPU has
 * it (README: Attestation).
 */
#define PLAT_QEMU_DTB_BASE            0x10000000000
/* The normal world's initial RAM disk window, named in the device tree's /chosen. */
#define PLAT_NS_INITRD_BASE           0x10008000000
#define PLAT_NS_INITRD_MAX_SIZE       0x04000000

/*
 * A window with nothing behind it in the Non-secure physical address space: inside the secure
 * flash (flash0), which sbsa-ref maps in the Secure address space only, so an access with
 * stage-1 NS = 1 takes a synchronous external abort. On the EL3 image, which has no stage 2, the
 * host places a realm's emulated devices here (Docs/el3-realms.md, REALM_LAYOUT_IDENTITY).
 */
#define PLAT_UNBACKED_MMIO_BASE       0x02000000

/* Words the run scripts put in DRAM for the project's host: its mode and the challenge seed. */
#define PLAT_HOST_MODE_ADDR           0x10000100000
#define PLAT_HOST_CHALLENGE_SEED_ADDR 0x10000100008
/* The default payload load and entry address (the Makefile's PAYLOAD_ADDR): 2 MiB aligned. */
#define PLAT_PAYLOAD_ADDR_DEFAULT     0x10000200000

/* The TMM's granule table (tmm_storage.h): up to 512 MiB of pool, 17 bytes per granule + 8 KiB. */
#define PLAT_TMM_MAX_POOL_GRANULES    131072
#define PLAT_TMM_GRANULE_TABLE_BYTES  2236416

/* Translation tables of the firmware's and the host's stage 1: one level more than on virt. */
#define PLAT_MONITOR_XLAT_TABLES      12
#define PLAT_TMM_XLAT_TABLES          20
#define PLAT_HOST_XLAT_TABLES         12

/* Stack sizes per CPU. */
#define PLAT_MONITOR_STACK_SIZE       0x8000
#define PLAT_TMM_STACK_SIZE           0x8000

#endif
