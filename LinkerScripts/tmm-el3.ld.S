/*
 * tmm-el3: the EL3 monitor with the TMM linked in, for CPUs without FEAT_SEL2, in one image
 * for the platform's secure flash. One component (firmware.o): text and rodata run in place in
 * flash; data, bss and stacks live in the secure RAM reserved for the monitor and the TMM.
 */
#include "platform_def.h"

OUTPUT_FORMAT("elf64-littleaarch64")
ENTRY(monitor_reset)

MEMORY {
	FLASH (rx) : ORIGIN = PLAT_FLASH_BASE,       LENGTH = PLAT_FLASH_SIZE
	RAM   (rw) : ORIGIN = PLAT_MONITOR_RAM_BASE, LENGTH = PLAT_MONITOR_RAM_SIZE + PLAT_TMM_RAM_SIZE
}

SECTIONS {
	.text : {
		__monitor_text_start = .;
		KEEP(*(.text.reset))
		*(.text .text.*)
		. = ALIGN(4096);
		__monitor_text_end = .;
	} > FLASH

	.rodata : {
		__monitor_rodata_start = .;
		*(.rodata .rodata.* .data.rel.ro .data.rel.ro.*)
		. = ALIGN(16);
		__ns_dtb_start = .;
		KEEP(*(.ns_dtb))
		__ns_dtb_end = .;
		. = ALIGN(4096);
		__monitor_rodata_end = .;
	} > FLASH

	/*
	 * The provisioned device secret (device_secret.S), in a flash page of its own: outside the
	 * ranges the monitor measures, and mapped only as read-only data.
	 */
	.secret : ALIGN(4096) {
		__device_secret_start = .;
		KEEP(*(.device_secret))
		__device_secret_end = .;
		. = ALIGN(4096);
	} > FLASH

	.data : {
		__monitor_rw_start = .;
		__data_start = .;
		*(.data .data.*)
		. = ALIGN(8);
		__data_end = .;
	} > RAM AT > FLASH
	__data_load_start = LOADADDR(.data);

	.bss (NOLOAD) : {
		. = ALIGN(4096);
		*(.bss.xlat)
		__bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		__bss_end = .;
		. += PLAT_MAX_CPUS * PLAT_MONITOR_STACK_SIZE;
		__monitor_stacks_end = .;
		. = ALIGN(4096);
		__monitor_rw_end = .;
	} > RAM

	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }

	/DISCARD/ : {
		*(.swift_modhash .swift1_autolink_entries .linker-options .comment .note .note.*)
		*(.eh_frame .eh_frame_hdr .ARM.exidx* .gnu.hash .hash .dynsym .dynstr .dynamic .interp)
	}
}
