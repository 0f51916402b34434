/*
 * tmm-sel2: the EL3 monitor plus the TMM at Secure EL2, in one image for the platform's
 * secure flash (platform_def.h: PLAT_FLASH_*, PLAT_MONITOR_RAM_*, PLAT_TMM_RAM_*).
 *
 * Inputs are two relocatable objects, each partially linked with its internal symbols made
 * local, so that code in one cannot bind to the other's copy of a runtime helper:
 *   monitor.o  runs at EL3: text and rodata in place in flash, data and bss in monitor RAM.
 *   tmm.o      runs at Secure EL2: linked for TMM RAM, stored in flash after the monitor;
 *              the monitor copies [__tmm_image_start, __tmm_image_end) from __tmm_load_start
 *              and zeroes the rest up to __tmm_bss_end.
 */
#include "platform_def.h"

OUTPUT_FORMAT("elf64-littleaarch64")
ENTRY(monitor_reset)

MEMORY {
	FLASH  (rx)  : ORIGIN = PLAT_FLASH_BASE,       LENGTH = PLAT_FLASH_SIZE
	MONRAM (rw)  : ORIGIN = PLAT_MONITOR_RAM_BASE, LENGTH = PLAT_MONITOR_RAM_SIZE
	TMMRAM (rwx) : ORIGIN = PLAT_TMM_RAM_BASE,     LENGTH = PLAT_TMM_RAM_SIZE
}

SECTIONS {
	.monitor.text : {
		__monitor_text_start = .;
		KEEP(*monitor.o(.text.reset))
		*monitor.o(.text .text.*)
		. = ALIGN(4096);
		__monitor_text_end = .;
	} > FLASH

	.monitor.rodata : {
		__monitor_rodata_start = .;
		*monitor.o(.rodata .rodata.* .data.rel.ro .data.rel.ro.*)
		. = ALIGN(16);
		__ns_dtb_start = .;
		KEEP(*monitor.o(.ns_dtb))
		__ns_dtb_end = .;
		. = ALIGN(4096);
		__monitor_rodata_end = .;
	} > FLASH

	/*
	 * The provisioned device secret (device_secret.S), in a flash page of its own: outside the
	 * ranges the monitor measures, and mapped only in the monitor's read-only data.
	 */
	.monitor.secret : ALIGN(4096) {
		__device_secret_start = .;
		KEEP(*monitor.o(.device_secret))
		__device_secret_end = .;
		. = ALIGN(4096);
	} > FLASH

	.monitor.data : {
		__monitor_rw_start = .;
		__data_start = .;
		*monitor.o(.data .data.*)
		. = ALIGN(8);
		__data_end = .;
	} > MONRAM AT > FLASH
	__data_load_start = LOADADDR(.monitor.data);

	.monitor.bss (NOLOAD) : {
		. = ALIGN(4096);
		*monitor.o(.bss.xlat)
		__bss_start = .;
		*monitor.o(.bss .bss.* COMMON)
		. = ALIGN(16);
		__bss_end = .;
		. += PLAT_MAX_CPUS * PLAT_MONITOR_STACK_SIZE;
		__monitor_stacks_end = .;
		. = ALIGN(4096);
		__monitor_rw_end = .;
	} > MONRAM

	.tmm.text : {
		__tmm_image_start = .;
		__tmm_text_start = .;
		KEEP(*tmm.o(.text.tmm_entry))
		*tmm.o(.text .text.*)
		. = ALIGN(4096);
		__tmm_text_end = .;
	} > TMMRAM AT > FLASH
	__tmm_load_start = LOADADDR(.tmm.text);

	.tmm.rodata : {
		__tmm_rodata_start = .;
		*tmm.o(.rodata .rodata.* .data.rel.ro .data.rel.ro.*)
		. = ALIGN(4096);
		__tmm_rodata_end = .;
	} > TMMRAM AT > FLASH

	.tmm.data : {
		__tmm_rw_start = .;
		*tmm.o(.data .data.*)
		. = ALIGN(16);
		__tmm_image_end = .;
	} > TMMRAM AT > FLASH

	/* The monitor copies the TMM as one block: its load image must be laid out as it runs. */
	ASSERT(LOADADDR(.tmm.rodata) - LOADADDR(.tmm.text) == ADDR(.tmm.rodata) - ADDR(.tmm.text), "TMM rodata load gap")
	ASSERT(LOADADDR(.tmm.data) - LOADADDR(.tmm.text) == ADDR(.tmm.data) - ADDR(.tmm.text), "TMM data load gap")

	.tmm.bss (NOLOAD) : {
		. = ALIGN(4096);
		*tmm.o(.bss.xlat)
		*tmm.o(.bss .bss.* COMMON)
		. = ALIGN(16);
		. += PLAT_MAX_CPUS * PLAT_TMM_STACK_SIZE;
		__tmm_stacks_end = .;
		. = ALIGN(4096);
		__tmm_bss_end = .;
		__tmm_rw_end = .;
	} > TMMRAM

	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }

	/DISCARD/ : {
		*(.swift_modhash .swift1_autolink_entries .linker-options .comment .note .note.*)
		*(.eh_frame .eh_frame_hdr .ARM.exidx* .gnu.hash .hash .dynsym .dynstr .dynamic .interp)
	}
}
