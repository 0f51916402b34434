// Access to buffers the host passes by physical address (realm and REC parameters, DATA_CREATE
// source, REC run structure). A buffer is accepted only when its whole granule lies in the
// platform's normal-world memory and outside every secure-pool range; the bytes are then
// copied into TMM memory through the hardware back-end and used only from that copy.

struct NormalWorldMemory<Hardware: TMMHardware> {
    let normalWorld: MemoryRanges
    let pool: MemoryRanges
    let bindings: GranuleBindings
    let hardware: Hardware

    /// The host granule at `pa` if the TMM may read or write it: in normal-world memory,
    /// outside the pool, and not delegated. A delegated normal-world granule is in the Realm
    /// PAS on RME (params_pas, src_pas, run_pas fail), and here its name means a secure granule
    /// (Docs/delegation.md). Checked once per command; the accesses then name the page.
    func hostPage(_ pa: PhysicalAddress) -> HostPage? {
        guard let key = bindings.key(of: pa), bindings.withLock({ bindings.lookupLocked(key) == nil }) else { return nil }
        return HostPage(address: pa)
    }

    /// Copies the bytes of `value` from `offset` within the host granule `page`.
    func read<T: BitwiseCopyable>(_ page: HostPage, offset: Int, into value: inout T) -> Bool {
        let size = MemoryLayout<T>.size
        guard offset >= 0, size <= Int(granuleSize), offset <= Int(granuleSize) - size else { return false }
        return withUnsafeMutableBytes(of: &value) {
            hardware.copyFromNormalWorld(PhysicalAddress(page.address.value + UInt64(offset)), into: $0)
        }
    }

    func write<T: BitwiseCopyable>(_ page: HostPage, offset: Int, from value: T) -> Bool {
        let size = MemoryLayout<T>.size
        guard offset >= 0, size <= Int(granuleSize), offset <= Int(granuleSize) - size else { return false }
        return withUnsafeBytes(of: value) {
            hardware.copyToNormalWorld(PhysicalAddress(page.address.value + UInt64(offset)), from: $0)
        }
    }

    /// Copies the whole host granule `page` into TMM memory at `destination` (4 KiB).
    func readGranule(_ page: HostPage, into destination: UnsafeMutableRawPointer) -> Bool {
        hardware.copyFromNormalWorld(page.address, into: UnsafeMutableRawBufferPointer(start: destination, count: Int(granuleSize)))
    }
}

/// A host granule `NormalWorldMemory.hostPage(_:)` accepted; made nowhere else.
struct HostPage {
    let address: PhysicalAddress

    fileprivate init(address: PhysicalAddress) { self.address = address }
}
