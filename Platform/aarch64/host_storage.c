#include "host_storage.h"

uint8_t host_xlat_tables[HOST_XLAT_TABLES][4096] __attribute__((aligned(4096)));
uint8_t host_ns_pages[HOST_NS_PAGES][4096] __attribute__((aligned(4096)));
