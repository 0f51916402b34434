#include "host_storage.h"

uint8_t host_xlat_tables[HOST_XLAT_TABLES][4096] __attribute__((aligned(4096)));
uint8_t host_ns_pages[HOST_NS_PAGES][4096] __attribute__((aligned(4096)));
/* 8 KiB aligned: the first two pages serve as concatenated starting-level RTTs, which a
 * kernel takes as one order-1 block. */
uint8_t host_kernel_pages[HOST_KERNEL_PAGES][4096] __attribute__((aligned(8192)));
