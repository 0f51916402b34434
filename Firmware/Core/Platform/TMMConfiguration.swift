// Everything the core needs from the platform at boot. The firmware builds one from its memory
// map and ID registers; tests build many.

public struct TMMConfiguration {
    /// Physical ranges the normal world cannot access (TrustZone-protected): the secure pool.
    /// Exactly these granules can be delegated. They must not overlap each other, TMM memory
    /// or devices.
    public var securePool: MemoryRanges
    /// Normal-world DRAM from which the host may pass parameter and data buffers.
    public var normalWorldMemory: MemoryRanges
    public var capabilities: PlatformCapabilities
    /// Memory for the granule table and the VMID bitmap: `TMM.requiredStorageBytes(for:)`
    /// bytes, 8-byte aligned, owned by the core for its lifetime, never accessible to the
    /// normal world (firmware: a static region).
    public var storage: UnsafeMutableRawPointer
    public var storageBytes: Int

    public init(securePool: MemoryRanges, normalWorldMemory: MemoryRanges, capabilities: PlatformCapabilities,
                storage: UnsafeMutableRawPointer, storageBytes: Int) {
        self.securePool = securePool
        self.normalWorldMemory = normalWorldMemory
        self.capabilities = capabilities
        self.storage = storage
        self.storageBytes = storageBytes
    }
}
