#include "host_storage.h"

uint8_t host_xlat_tables[HOST_XLAT_TABLES][4096] __attribute__((aligned(4096)));
