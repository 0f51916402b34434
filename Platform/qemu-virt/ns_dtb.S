/* The normal world's device tree blob, embedded for the monitor to copy into NS DRAM. */
	.section .ns_dtb, "a"
	.balign 8
	.incbin NS_DTB_PATH
