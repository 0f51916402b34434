import PlatformDefinitions

/// The secure granule pool of this build. The default is the spare part of the secure-only
/// RAM, which QEMU really keeps from the normal world. With POOL=dram the pool is carved out of
/// DRAM, modelling a server whose TrustZone address-space controller protects that range; QEMU
/// enforces nothing there, so that configuration shows the layout, not the isolation.
#if POOL_IN_DRAM
let securePool = (base: UInt64(PLAT_DRAM_POOL_BASE), size: UInt64(PLAT_DRAM_POOL_SIZE))
let securePoolName: StaticString = "DRAM carve-out (address-space-controller model); QEMU virt has no such controller: this pool is NOT hardware-isolated from the normal world"
#else
let securePool = (base: UInt64(PLAT_SRAM_POOL_BASE), size: UInt64(PLAT_SRAM_POOL_SIZE))
let securePoolName: StaticString = "secure-only RAM (QEMU keeps it from the normal world)"
#endif
