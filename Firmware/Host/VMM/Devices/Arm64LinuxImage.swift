// The arm64 Linux kernel `Image` header (Linux Documentation/arch/arm64/booting.rst, "Call the
// kernel image"): 64 bytes, little-endian:
//   0x00 code0, 0x04 code1     executable code (a branch to stext, or the EFI "MZ" stub)
//   0x08 text_offset            where the image goes above a 2 MiB aligned base
//   0x10 image_size             bytes the kernel needs from there, its BSS included
//   0x18 flags                  bit 0 big-endian; bits 2:1 page size (0 unspecified, 1 4K,
//                               2 16K, 3 64K); bit 3 physical placement (1: anywhere)
//   0x20 res2, 0x28 res3, 0x30 res4
//   0x38 magic 0x644d5241 ("ARM\x64"), 0x3C res5 (PE header offset)
// An image_size of 0 marks a kernel older than 3.17, whose text_offset is to be taken as
// 0x80000 and whose size is unknown: the VMM then uses the file size.

public enum LinuxImageError: Error, Equatable {
    /// Shorter than the 64-byte header.
    case truncated
    /// No "ARM\x64" magic at 0x38: not an arm64 Image (perhaps compressed: vmlinuz is gzip).
    case badMagic
    /// Flags bit 0: a big-endian kernel; the VMM starts little-endian guests only.
    case bigEndian
    /// image_size is smaller than the file, so the header is not to be trusted.
    case inconsistentSize
    /// RAM base not 2 MiB aligned, or the kernel (image_size from RAM base + text_offset)
    /// does not fit in the RAM given.
    case doesNotFit

    /// A line the VMM can print.
    public var message: StaticString {
        switch self {
        case .truncated: "kernel image shorter than the arm64 Image header"
        case .badMagic: "kernel image has no arm64 Image magic (compressed vmlinuz? use the Image)"
        case .bigEndian: "kernel image is big-endian; only little-endian guests are supported"
        case .inconsistentSize: "kernel image header's image_size is smaller than the file"
        case .doesNotFit: "kernel image does not fit in the VM's RAM"
        }
    }
}

public struct Arm64LinuxImage: Equatable, Sendable {
    public static let size = 64
    public static let magic: UInt32 = 0x644D_5241
    /// booting.rst: the image's base must be 2 MiB aligned.
    public static let baseAlignment: UInt64 = 0x20_0000
    /// text_offset assumed when image_size is 0.
    public static let legacyTextOffset: UInt64 = 0x8_0000

    public let textOffset: UInt64
    /// image_size as written (0 for pre-3.17 kernels).
    public let imageSize: UInt64
    public let flags: UInt64
    /// The size of the file the header was read from.
    public let fileSize: UInt64

    /// Flags bits 2:1: 0 unspecified, 1 4 KiB, 2 16 KiB, 3 64 KiB.
    public var pageSizeField: UInt64 { flags >> 1 & 3 }
    /// Flags bit 3: the kernel may be placed anywhere in RAM, not only near its base.
    public var placementAnywhere: Bool { flags & 1 << 3 != 0 }
    /// Bytes the kernel occupies from its load address: image_size, or the file for an old
    /// kernel that does not say.
    public var effectiveSize: UInt64 { imageSize == 0 ? fileSize : imageSize }

    /// Parses the header at the start of `image`, the whole file.
    public init(parsing image: UnsafeRawBufferPointer) throws(LinuxImageError) {
        guard image.count >= Self.size else { throw .truncated }
        func load32(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for i in (0..<4).reversed() { v = v << 8 | UInt32(image[at + i]) }
            return v
        }
        func load64(_ at: Int) -> UInt64 { UInt64(load32(at)) | UInt64(load32(at + 4)) << 32 }
        guard load32(0x38) == Self.magic else { throw .badMagic }
        let imageSize = load64(0x10)
        let flags = load64(0x18)
        guard flags & 1 == 0 else { throw .bigEndian }
        let fileSize = UInt64(image.count)
        guard imageSize == 0 || imageSize >= fileSize else { throw .inconsistentSize }
        self.textOffset = imageSize == 0 ? Self.legacyTextOffset : load64(0x08)
        self.imageSize = imageSize
        self.flags = flags
        self.fileSize = fileSize
    }

    /// The kernel's load address in RAM [ramBase, ramBase + ramSize): ramBase + text_offset,
    /// with image_size bytes free from there.
    public func loadAddress(ramBase: UInt64, ramSize: UInt64) throws(LinuxImageError) -> UInt64 {
        guard ramBase % Self.baseAlignment == 0 else { throw .doesNotFit }
        let (load, o1) = ramBase.addingReportingOverflow(textOffset)
        let (end, o2) = load.addingReportingOverflow(effectiveSize)
        let (ramEnd, o3) = ramBase.addingReportingOverflow(ramSize)
        guard !o1, !o2, !o3, end <= ramEnd else { throw .doesNotFit }
        return load
    }
}
