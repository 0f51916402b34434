/// Hands out granules of the TMM's secure pool (from the device tree) in address order.
struct GranulePool {
    let base: UInt64
    let size: UInt64
    private var next: UInt64

    init(base: UInt64, size: UInt64) {
        self.base = base
        self.size = size
        next = base
    }

    var granuleCount: UInt64 { size >> 12 }

    /// The next `count` contiguous granules, or nil when the pool is exhausted.
    mutating func take(_ count: UInt64 = 1) -> UInt64? {
        guard count <= (base + size - next) >> 12 else { return nil }
        defer { next += count << 12 }
        return next
    }

    /// `count` contiguous granules starting at a multiple of their total size (realm RAM that
    /// one RTT must hold), or nil when the pool is exhausted.
    mutating func takeAligned(_ count: UInt64) -> UInt64? { takeStartTables(count) }

    /// `count` contiguous granules starting at a multiple of their total size, as concatenated
    /// starting-level RTTs must (REALM_CREATE refuses them otherwise); granules skipped to get
    /// there are not handed out.
    mutating func takeStartTables(_ count: UInt64) -> UInt64? {
        let alignment = count << 12
        let aligned = (next + alignment - 1) & ~(alignment - 1)
        guard aligned >= next, aligned <= base + size else { return nil }
        next = aligned
        return take(count)
    }
}

extension GranulePool {
    /// Whether every granule of the pool, handed out or not, delegates and then undelegates:
    /// none was left delegated or held by the TMM. Stops at the first that does not.
    func everyGranuleDelegatesAndUndelegates() -> Bool {
        var granule = base
        while granule < base + size {
            guard RMI.granuleDelegate(granule).succeeded && RMI.granuleUndelegate(granule).succeeded else { return false }
            granule += 0x1000
        }
        return true
    }
}
