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
}
