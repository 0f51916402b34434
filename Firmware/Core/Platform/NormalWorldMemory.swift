// Access to buffers the host passes by physical address (realm and REC parameters, DATA_CREATE
// source, REC run structure). A buffer is accepted only when its whole granule lies in the
// platform's normal-world memory and outside every secure-pool range; the bytes are then
// copied into TMM memory through the hardware back-end and used only from that copy.

struct NormalWorldMemory<Hardware: TMMHardware> {
    let normalWorld: MemoryRanges
    let pool: MemoryRanges
    let bindings: GranuleBindings
    let hardware: Hardware

    /// Whether `pa` names a whole granule of host memory the TMM may read or write: in
    /// normal-world memory, outside the pool, and not delegated. A delegated normal-world
    /// granule is in the Realm PAS on RME (params_pas, src_pas, run_pas fail), and here its
    /// name means a secure granule (Docs/delegation.md).
    func isHostGranule(_ pa: PhysicalAddress) -> Bool {
        guard let key = bindings.key(of: pa) else { return false }
        return bindings.withLock { bindings.lookupLocked(key) == nil }
    }

    /// Copies the bytes of `value` from `offset` within the host granule at `pa`.
    func read<T: BitwiseCopyable>(_ pa: PhysicalAddress, offset: Int, into value: inout T) -> Bool {
        let size = MemoryLayout<T>.size
        guard isHostGranule(pa), offset >= 0, size <= Int(granuleSize), offset <= Int(granuleSize) - size else { return false }
        return withUnsafeMutableBytes(of: &value) {
            hardware.copyFromNormalWorld(PhysicalAddress(pa.value + UInt64(offset)), into: $0)
        }
    }

    func write<T: BitwiseCopyable>(_ pa: PhysicalAddress, offset: Int, from value: T) -> Bool {
        let size = MemoryLayout<T>.size
        guard isHostGranule(pa), offset >= 0, size <= Int(granuleSize), offset <= Int(granuleSize) - size else { return false }
        return withUnsafeBytes(of: value) {
            hardware.copyToNormalWorld(PhysicalAddress(pa.value + UInt64(offset)), from: $0)
        }
    }

    /// Copies a whole host granule into TMM memory at `destination` (4 KiB).
    func readGranule(_ pa: PhysicalAddress, into destination: UnsafeMutableRawPointer) -> Bool {
        guard isHostGranule(pa) else { return false }
        return hardware.copyFromNormalWorld(pa, into: UnsafeMutableRawBufferPointer(start: destination, count: Int(granuleSize)))
    }
}
