/*
 * The normal world's device trees, embedded for the monitor to copy into NS DRAM: the full
 * description first, then the same without the EL2 virtual timer's interrupt, for a board that
 * does not wire it (NormalWorldDeviceTree.swift chooses at boot).
 */
	.section .ns_dtb, "a"
	.balign 8
	.incbin NS_DTB_PATH
	.balign 8
	.global ns_dtb_without_el2_vtimer
ns_dtb_without_el2_vtimer:
	.incbin NS_DTB_FALLBACK_PATH
