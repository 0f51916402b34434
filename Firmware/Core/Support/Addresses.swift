// Address kinds of the TMM. Each is its own type so that a physical address can never be
// passed where an IPA is meant (the Hafnium convention); conversions are explicit.

/// Size of a granule: the RMM specification 1.0 supports only 4 KiB granules (DEN0137 A2.2).
public let granuleShift: UInt64 = 12
public let granuleSize: UInt64 = 1 << granuleShift

/// A physical address, in whichever physical address space the context says.
// Not Hashable: hashing needs a random seed (arc4random_buf), which firmware does not have.
public struct PhysicalAddress: Comparable, Sendable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public var isGranuleAligned: Bool { value & (granuleSize - 1) == 0 }

    public static func < (a: PhysicalAddress, b: PhysicalAddress) -> Bool { a.value < b.value }

    /// The address `bytes` further on, or nil when that wraps around the 64-bit space.
    public func advanced(by bytes: UInt64) -> PhysicalAddress? {
        let (sum, overflow) = value.addingReportingOverflow(bytes)
        return overflow ? nil : PhysicalAddress(sum)
    }
}

/// An intermediate physical address: an address in a realm's stage-2 input space.
public struct IPA: Comparable, Sendable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public static func < (a: IPA, b: IPA) -> Bool { a.value < b.value }

    public func isAligned(to size: UInt64) -> Bool { value & (size - 1) == 0 }
}

/// A half-open range of physical addresses [base, base + size).
public struct PhysicalRange: Equatable, Sendable {
    public var base: PhysicalAddress
    public var size: UInt64

    public init(base: UInt64, size: UInt64) {
        self.base = PhysicalAddress(base)
        self.size = size
    }

    /// One past the last byte; ranges are built from platform constants and never wrap.
    public var end: UInt64 { base.value &+ size }

    public func contains(_ pa: PhysicalAddress) -> Bool {
        pa.value >= base.value && pa.value - base.value < size
    }

    /// Whether [pa, pa + length) lies entirely inside this range; false on wrap-around.
    public func contains(_ pa: PhysicalAddress, length: UInt64) -> Bool {
        guard contains(pa) else { return false }
        return length <= size - (pa.value - base.value)
    }
}
