/*
 * The test realm's flat image (out/realm/realm.bin), embedded in the host's read-only data,
 * page aligned and padded to whole pages: the host hands each page to RMI_DATA_CREATE as the
 * normal-world source of one realm granule.
 */
	.section .rodata.realm_image, "a"
	.balign 4096
	.global realm_image_start
realm_image_start:
	.incbin REALM_BIN_PATH
	.balign 4096
	.global realm_image_end
realm_image_end:
