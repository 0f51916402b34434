// Where a Linux guest's pieces go in its RAM, in one place so that the VMM that builds the
// realm and the tool that predicts the realm's measurement (tmm-measure) place them alike:
// the RIM covers the contents and IPAs of every measured granule and the boot REC's entry.
//
//   DTB     RAM base, at most 2 MiB (booting.rst: 8-byte aligned, at most 2 MiB, in a 2 MiB
//           block mapped with no special attributes: it has the first block to itself)
//   kernel  RAM base + 2 MiB + text_offset (booting.rst: text_offset above a 2 MiB aligned
//           base), image_size bytes, its BSS included
//   initrd  the first 2 MiB boundary at or after the kernel's image_size
// and at least `minimumFreeRAM` of RAM after the initrd's last page for the kernel to run in.
// Entry (booting.rst "Call the kernel image"): PC = kernel load address, x0 = DTB address,
// x1-x3 = 0, MMU off.

public struct LinuxBootLayout: Equatable, Sendable {
    public static let block: UInt64 = 0x20_0000
    /// The most the DTB may take (booting.rst), and the room before the kernel's block.
    public static let maxDTBSize: UInt64 = 0x20_0000
    /// RAM the kernel must find free beyond what it is given, below which booting is pointless.
    public static let minimumFreeRAM: UInt64 = 16 << 20

    public let dtbBase: UInt64
    /// The kernel's load address, which is also the entry point.
    public let kernelBase: UInt64
    /// End of the kernel's image_size (exclusive).
    public let kernelEnd: UInt64
    /// Initrd range [initrdBase, initrdEnd); empty when there is none.
    public let initrdBase: UInt64
    public let initrdEnd: UInt64

    /// Lays out a kernel with `kernel`'s header and an initrd of `initrdSize` bytes (0: none)
    /// in `vm`'s RAM.
    public init(vm: VMDescription, kernel: Arm64LinuxImage, initrdSize: UInt64) throws(LinuxImageError) {
        guard vm.ramSize > Self.maxDTBSize, let kernelRAM = vm.ramBase.addingChecked(Self.maxDTBSize) else { throw .doesNotFit }
        let base = try kernel.loadAddress(ramBase: kernelRAM, ramSize: vm.ramSize - Self.maxDTBSize)
        let end = base + kernel.effectiveSize  // loadAddress checked that this does not overflow
        guard let initrd = Self.alignUp(end, Self.block),
              let initrdEnd = initrd.addingChecked(initrdSize),
              let lastPage = Self.alignUp(initrdEnd, 0x1000),
              let needed = lastPage.addingChecked(Self.minimumFreeRAM),
              needed <= vm.ramEnd else { throw .doesNotFit }
        dtbBase = vm.ramBase
        kernelBase = base
        kernelEnd = end
        initrdBase = initrd
        self.initrdEnd = initrdEnd
    }

    /// `vm` with its initrd range set to this layout's (what the device tree's /chosen gives),
    /// or cleared when there is none.
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
