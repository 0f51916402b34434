/*
 * The project's normal-world host: a flat image loaded at PAYLOAD_ADDR in NS DRAM (QEMU
 * `-device loader`), entered there at Non-secure EL2.
 */
OUTPUT_FORMAT("elf64-littleaarch64")
ENTRY(host_entry)

SECTIONS {
	. = PAYLOAD_ADDR;
	.text : {
		__host_text_start = .;
		KEEP(*(.text.host_entry))
		*(.text .text.*)
		. = ALIGN(4096);
		__host_text_end = .;
	}
	.rodata : { *(.rodata .rodata.* .data.rel.ro .data.rel.ro.*) }
	.data : { *(.data .data.*) }
	.bss (NOLOAD) : {
		. = ALIGN(4096);
		__host_bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		__host_bss_end = .;
		. += 4 * 0x4000;
		__host_stacks_end = .;
		. = ALIGN(4096);
		__host_image_end = .;
	}
	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }

	/DISCARD/ : {
		*(.swift_modhash .swift1_autolink_entries .linker-options .comment .note .note.*)
		*(.eh_frame .eh_frame_hdr .ARM.exidx* .gnu.hash .hash .dynsym .dynstr .dynamic .interp)
	}
}
