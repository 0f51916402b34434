/*
 * The test realm (Firmware/Realm): linked at its IPA in realm RAM, run with the MMU off (VA =
 * IPA). The flat binary is the measured image: code, read-only data and data up to
 * __realm_image_end, padded to whole pages. Everything after it lies in pages the host creates
 * with DATA_CREATE_UNKNOWN. See realm_layout.h for the whole address space.
 */
#include "realm_layout.h"

OUTPUT_FORMAT("elf64-littleaarch64")
ENTRY(realm_entry)

SECTIONS {
	. = REALM_RAM_BASE;
	.text : {
		__realm_image_start = .;
		KEEP(*(.text.realm_entry))
		*(.text .text.*)
	}
	.rodata : { *(.rodata .rodata.* .data.rel.ro .data.rel.ro.*) }
	.data : {
		*(.data .data.*)
		. = ALIGN(4096);
		__realm_image_end = .;
	}
	.bss (NOLOAD) : {
		__realm_bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		__realm_bss_end = .;
		. = ALIGN(4096);
		. += 0x4000;
		__realm_stack0_top = .;
		. += 0x4000;
		__realm_stack1_top = .;
		__realm_token_buffer = .;
		. += 0x2000;
		__realm_xlat = .;
		. += 0x4000;
		__realm_config_page = .;
		. += 0x1000;
		__realm_host_call_page = .;
		. += 0x1000;
		__realm_secret_page = .;
		. += 0x1000;
		__realm_scratch = .;
		. += 0x2000;
		__realm_end = .;
	}
	ASSERT(__realm_end <= REALM_RAM_BASE + REALM_RAM_SIZE, "the test realm does not fit in its RAM")

	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }

	/DISCARD/ : {
		*(.swift_modhash .swift1_autolink_entries .linker-options .comment .note .note.*)
		*(.eh_frame .eh_frame_hdr .ARM.exidx* .gnu.hash .hash .dynsym .dynstr .dynamic .interp)
	}
}
