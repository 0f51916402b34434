// A short, fixed-capacity list of physical ranges: the secure pool and the normal-world memory
// the platform declares. Built once at boot and never changed.

public struct MemoryRanges {
    public static let capacity = 4

    private var storage: InlineArray<4, PhysicalRange>
    public private(set) var count: Int

    public init() {
        storage = InlineArray(repeating: PhysicalRange(base: 0, size: 0))
        count = 0
    }

    /// Appends a range; false when the list is full, the range is empty, not granule aligned,
    /// or wraps around the 64-bit address space.
    @discardableResult
    public mutating func append(base: UInt64, size: UInt64) -> Bool {
        guard count < Self.capacity, size > 0,
              base & (granuleSize - 1) == 0, size & (granuleSize - 1) == 0,
              !base.addingReportingOverflow(size).overflow
        else { return false }
        storage[count] = PhysicalRange(base: base, size: size)
        count += 1
        return true
    }

    public subscript(index: Int) -> PhysicalRange {
        precondition(index >= 0 && index < count)
        return storage[index]
    }

    func containsGranule(_ pa: PhysicalAddress) -> Bool { containsRange(pa.value, size: granuleSize) }

    /// Whether [base, base + size) lies inside one of the ranges.
    func containsRange(_ base: UInt64, size: UInt64) -> Bool {
        for i in 0..<count where storage[i].contains(PhysicalAddress(base), length: size) { return true }
        return false
    }

    func overlaps(base: UInt64, size: UInt64) -> Bool {
        let (end, overflow) = base.addingReportingOverflow(size)
        if overflow { return true }
        for i in 0..<count {
            let r = storage[i]
            if base < r.end && r.base.value < end { return true }
        }
        return false
    }

    var totalGranules: Int {
        var total = 0
        for i in 0..<count { total += Int(storage[i].size >> granuleShift) }
        return total
    }

    /// The position of `pa`'s granule when the ranges are laid end to end, or nil outside.
    func granuleIndex(of pa: PhysicalAddress) -> Int? {
        var first = 0
        for i in 0..<count {
            let r = storage[i]
            if r.contains(pa) { return first + Int((pa.value - r.base.value) >> granuleShift) }
            first += Int(r.size >> granuleShift)
        }
        return nil
    }

    /// The inverse of `granuleIndex(of:)`.
    func granuleAddress(at index: Int) -> PhysicalAddress? {
        guard index >= 0 else { return nil }
        var remaining = index
        for i in 0..<count {
            let r = storage[i]
            let granules = Int(r.size >> granuleShift)
            if remaining < granules { return PhysicalAddress(r.base.value + UInt64(remaining) << granuleShift) }
            remaining -= granules
        }
        return nil
    }
}
