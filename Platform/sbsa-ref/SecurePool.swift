import PlatformDefinitions

/// The secure granule pool: the part of sbsa-ref's 512 MiB of secure-only RAM that the monitor
/// and the TMM do not use. The machine keeps all of it from the normal world, so the pool is
/// large enough for a Linux realm and hardware-isolated at once; there is no DRAM carve-out.
#if POOL_IN_DRAM
#error("sbsa-ref has one pool configuration, POOL=sram (its secure RAM holds a Linux realm)")
#endif
let securePool = (base: UInt64(PLAT_SRAM_POOL_BASE), size: UInt64(PLAT_SRAM_POOL_SIZE))
let securePoolName: StaticString = "secure-only RAM (sbsa-ref keeps it from the normal world)"
