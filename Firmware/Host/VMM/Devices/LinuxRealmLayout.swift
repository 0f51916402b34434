// Where a Linux guest's pieces go in its RAM, in one place so that the VMM that builds the
// realm and the tool that predicts the realm's measurement (tmm-measure) place them alike
// (the RIM covers the contents and IPAs of every measured granule and the REC's entry state).
//
//   kernel  RAM base + text_offset (booting.rst: text_offset above a 2 MiB aligned base),
//           image_size bytes (its BSS included)
//   DTB     the next 2 MiB boundary after the kernel, alone in its 2 MiB block (booting.rst:
//           at most 2 MiB, 8-byte aligned, in a block mapped with no special attributes)
//   initrd  the 2 MiB block after the DTB's, when there is one
// Entry (booting.rst "Call the kernel image"): PC = kernel load address, x0 = DTB address,
// x1-x3 = 0, MMU off.

public struct LinuxRealmLayout: Equatable, Sendable {
    public static let block: UInt64 = 0x20_0000
    /// The most the DTB may take (booting.rst).
    public static let maxDTBSize: UInt64 = 0x20_0000

    /// The kernel's load address, which is also the entry point.
    public let kernelBase: UInt64
    /// End of the kernel's image_size (exclusive).
    public let kernelEnd: UInt64
    public let dtbBase: UInt64
    /// Initrd range [initrdBase, initrdEnd); empty when there is none.
    public let initrdBase: UInt64
    public let initrdEnd: UInt64

    /// Lays out a kernel with `kernel`'s header and an initrd of `initrdSize` bytes (0: none)
    /// in `vm`'s RAM.
    public init(vm: VMDescription, kernel: LinuxImageHeader, initrdSize: UInt64) throws(LinuxImageError) {
        let base = try kernel.loadAddress(ramBase: vm.ramBase, ramSize: vm.ramSize)
        let end = base + kernel.effectiveSize  // loadAddress checked it does not overflow
        guard let dtb = Self.alignUp(end, Self.block),
              let dtbEnd = dtb.addingChecked(Self.maxDTBSize) else { throw .doesNotFit }
        let initrdEnd: UInt64
        if initrdSize == 0 {
            initrdEnd = dtbEnd
        } else {
            guard let e = dtbEnd.addingChecked(initrdSize) else { throw .doesNotFit }
            initrdEnd = e
        }
        guard initrdEnd <= vm.ramEnd else { throw .doesNotFit }
        kernelBase = base
        kernelEnd = end
        dtbBase = dtb
        initrdBase = dtbEnd
        self.initrdEnd = initrdEnd
    }

    /// `vm` with its initrd range set to this layout's (what the device tree's /chosen gives).
    public func describing(_ vm: VMDescription) -> VMDescription {
        var vm = vm
        vm.initrdStart = initrdBase
        vm.initrdEnd = initrdEnd
        return vm
    }

    /// REC entry: PC.
    public var entryPC: UInt64 { kernelBase }
    /// REC entry: x0 (x1-x3 are 0).
    public var entryX0: UInt64 { dtbBase }

    static func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64? {
        guard let sum = value.addingChecked(alignment - 1) else { return nil }
        return sum & ~(alignment - 1)
    }
}

fileprivate extension UInt64 {
    /// self + other, or nil on overflow.
    func addingChecked(_ other: UInt64) -> UInt64? {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? nil : sum
    }
}
