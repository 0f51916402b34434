/*
 * Memory map and constants of QEMU `virt` booted with
 *   -M virt,secure=on,virtualization=on,gic-version=3 -m 1G -smp 4 -bios <image>
 * (addresses read from the machine's own device tree, `-M virt,...,dumpdtb=`).
 *
 * The single source of these numbers: assembly, linker scripts, the normal world's device tree
 * and the Swift firmware all include this file. Keep every value a plain integer literal so that
 * Swift imports it as a constant, the linker scripts and dtc (through cpp) can use it too.
 */
#ifndef PLATFORM_DEF_H
#define PLATFORM_DEF_H

#define PLAT_MAX_CPUS                 4

/*
 * Virtual (= physical, identity-mapped) address bits the firmware's and the host's stage-1
 * tables cover: every address below lies under 2^39 (Stage1Translation.swift: T0SZ 25, walks
 * from level 1).
 */
#define PLAT_VA_BITS                  39

/* Secure flash: the CPU starts at EL3 at its first byte. Read-only at run time. */
#define PLAT_FLASH_BASE               0x00000000
#define PLAT_FLASH_SIZE               0x04000000

/* Secure-only RAM (16 MiB): the one memory the hardware keeps from the normal world. */
#define PLAT_SECURE_RAM_BASE          0x0E000000
#define PLAT_SECURE_RAM_SIZE          0x01000000

/*
 * Secure RAM layout.
 *   0x0E000000  EL3 monitor: data, bss, stacks, translation tables, world contexts (512 KiB)
 *   0x0E080000  TMM (S-EL2 image) or TMM part of the EL3 image: image, bss, stacks (2.5 MiB)
 *   0x0E300000  secure granule pool of the default configuration (13 MiB, 3328 granules)
 */
#define PLAT_MONITOR_RAM_BASE         0x0E000000
#define PLAT_MONITOR_RAM_SIZE         0x00080000
#define PLAT_TMM_RAM_BASE             0x0E080000
#define PLAT_TMM_RAM_SIZE             0x00280000
#define PLAT_SRAM_POOL_BASE           0x0E300000
#define PLAT_SRAM_POOL_SIZE           0x00D00000

/* Devices. */
#define PLAT_GICD_BASE                0x08000000
#define PLAT_GICR_BASE                0x080A0000
#define PLAT_GICR_STRIDE              0x00020000
#define PLAT_NS_UART_BASE             0x09000000
#define PLAT_SECURE_UART_BASE         0x09040000
#define PLAT_SECURE_GPIO_BASE         0x090B0000
#define PLAT_GPIO_POWEROFF_PIN        0
#define PLAT_GPIO_RESET_PIN           1
#define PLAT_DEVICE_BASE              0x08000000
#define PLAT_DEVICE_SIZE              0x02000000

/* Normal-world DRAM (QEMU -m 1G). */
#define PLAT_DRAM_BASE                0x40000000
#define PLAT_DRAM_SIZE                0x40000000

/*
 * The second pool configuration (POOL=dram): the top 256 MiB of DRAM, modelling the region a
 * server's TrustZone address-space controller protects. QEMU `virt` has no such controller and
 * enforces nothing there: this pool is NOT hardware-isolated. It is large enough for a Linux
 * realm (RAM of up to about 240 MiB plus its RTTs); the 16 MiB of secure-only RAM is not.
 */
#define PLAT_DRAM_POOL_BASE           0x70000000
#define PLAT_DRAM_POOL_SIZE           0x10000000

/*
 * What the run script places in normal-world DRAM for the host's VMM to boot a Linux realm
 * (QEMU generic loader; Docs/linux-realm.md): a manifest page (sizes, memory, vCPUs, command
 * line), the kernel Image, the initramfs, an optional device tree, and the normal-world memory
 * the VMM shares with the realm (unprotected IPAs, mapped on demand).
 */
#define PLAT_VMM_MANIFEST_BASE        0x40101000
#define PLAT_VMM_KERNEL_BASE          0x44000000
#define PLAT_VMM_KERNEL_MAX_SIZE      0x04000000
#define PLAT_VMM_INITRD_BASE          0x48000000
#define PLAT_VMM_INITRD_MAX_SIZE      0x07F00000
#define PLAT_VMM_DTB_BASE             0x4FF00000
#define PLAT_VMM_DTB_MAX_SIZE         0x00100000
#define PLAT_VMM_SHARED_BASE          0x50000000
#define PLAT_VMM_SHARED_SIZE          0x20000000
/*
 * The same guest as an ordinary VM (host mode 5, Firmware/Host/NormalVM): its stage-2 tables
 * and the DRAM behind its RAM. The realm's shared window, which no realm uses in that mode.
 */
#define PLAT_NVM_BACKING_BASE         PLAT_VMM_SHARED_BASE
#define PLAT_NVM_BACKING_SIZE         PLAT_VMM_SHARED_SIZE

/*
 * The EL2 virtual timer's interrupt (FEAT_VHE): PPI 12, INTID 28, as Arm's BSA assigns it. QEMU's
 * virt board wires it from QEMU 9.0 on, not in 7.2: the monitor probes the line at boot and
 * hands the normal world the device tree that says what the board has (ns-world.dts).
 */
#define PLAT_EL2_VTIMER_PPI           12

/* Normal-world hand-off: the device tree the firmware copies for the payload (x0 at entry). */
#define PLAT_NS_DTB_BASE              0x40000000
#define PLAT_NS_DTB_MAX_SIZE          0x00010000
/*
 * Where QEMU places its own device tree for firmware started with -bios: the start of RAM. The
 * monitor reads the per-boot seed QEMU puts in its /secure-chosen node before it copies the
 * normal world's device tree over it (README: Attestation).
 */
#define PLAT_QEMU_DTB_BASE            0x40000000
/* The payload's load and entry address is the Makefile's PAYLOAD_ADDR (PLAT_PAYLOAD_ADDR_DEFAULT). */
/*
 * The normal world's initial RAM disk window, named in the device tree's /chosen
 * (linux,initrd-start/end) for a Linux payload. The loader puts the initramfs at its start; the
 * rest of the window stays zero (QEMU clears RAM at reset), which Linux's initramfs unpacker
 * skips as padding. It lies past a Linux Image at the payload address (Debian's arm64 Image
 * takes 47 MiB with its bss: 0x40200000-0x43100000) and below the DRAM pool configuration.
 */
#define PLAT_NS_INITRD_BASE           0x48000000
#define PLAT_NS_INITRD_MAX_SIZE       0x04000000

/*
 * A window with nothing behind it in the Non-secure physical address space: the secure flash,
 * which the virt board puts in the Secure address space only, so an access with stage-1 NS = 1
 * takes a synchronous external abort (checked with the test realm). On the EL3 image, which has
 * no stage 2, the host places a realm's emulated devices here (Docs/el3-realms.md, realm_layout.h
 * REALM_LAYOUT_IDENTITY).
 */
#define PLAT_UNBACKED_MMIO_BASE       0x02000000

/*
 * Words the run scripts put in normal-world DRAM for the project's host (QEMU generic loader):
 * the host's mode (HostMode.swift) and the realm's attestation challenge seed (VMMChecks.swift).
 */
#define PLAT_HOST_MODE_ADDR           0x40100000
#define PLAT_HOST_CHALLENGE_SEED_ADDR 0x40100008
/* The default payload load and entry address (the Makefile's PAYLOAD_ADDR): 2 MiB aligned. */
#define PLAT_PAYLOAD_ADDR_DEFAULT     0x40200000

/*
 * The TMM's granule table (tmm_storage.h): sized for the largest pool configuration
 * (POOL=dram: 256 MiB = 65536 granules), 17 bytes per granule plus the 8 KiB VMID bitmap.
 */
#define PLAT_TMM_MAX_POOL_GRANULES    65536
#define PLAT_TMM_GRANULE_TABLE_BYTES  1122304

/* Translation tables of the firmware's and the host's stage 1 (4 KiB each). */
#define PLAT_MONITOR_XLAT_TABLES      8
#define PLAT_TMM_XLAT_TABLES          16
#define PLAT_HOST_XLAT_TABLES         8

/* Stack sizes per CPU. */
#define PLAT_MONITOR_STACK_SIZE       0x8000
#define PLAT_TMM_STACK_SIZE           0x8000

#endif
