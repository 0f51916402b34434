// The arm64 Image header (Linux Documentation/arch/arm64/booting.rst) and the Linux realm
// layout built on it.

import Testing
import VMMDevices

/// A synthetic Image: a header with the given fields, padded to `fileSize` bytes.
func image(textOffset: UInt64 = 0, imageSize: UInt64, flags: UInt64 = 0b1010, magic: UInt32 = 0x644D_5241,
           fileSize: Int = 4096) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: fileSize)
    func put(_ value: UInt64, _ at: Int, _ width: Int) {
        for i in 0..<width where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
    put(0x1400_0000 | 0x10, 0, 4)          // code0: a branch
    put(textOffset, 0x08, 8)
    put(imageSize, 0x10, 8)
    put(flags, 0x18, 8)
    put(UInt64(magic), 0x38, 4)
    return bytes
}

func parse(_ bytes: [UInt8]) throws(LinuxImageError) -> Arm64LinuxImage {
    let result = bytes.withUnsafeBytes { raw in Result { () throws(LinuxImageError) in try Arm64LinuxImage(parsing: raw) } }
    return try result.get()
}

@Suite struct LinuxImageTests {
    @Test func headerFields() throws {
        let header = try parse(image(textOffset: 0, imageSize: 0x0200_0000, flags: 0b1010))
        #expect(header.textOffset == 0)
        #expect(header.imageSize == 0x0200_0000)
        #expect(header.pageSizeField == 1)     // 4 KiB
        #expect(header.placementAnywhere)
        #expect(header.effectiveSize == 0x0200_0000)
        #expect(try header.loadAddress(ramBase: 0x8000_0000, ramSize: 0x1000_0000) == 0x8000_0000)
    }

    @Test func oldKernelsUseTheDefaultTextOffsetAndTheirFileSize() throws {
        let header = try parse(image(textOffset: 0x1234, imageSize: 0, flags: 0, fileSize: 8192))
        #expect(header.textOffset == 0x8_0000)
        #expect(header.effectiveSize == 8192)
        #expect(try header.loadAddress(ramBase: 0x4000_0000, ramSize: 0x10_0000) == 0x4008_0000)
    }

    @Test func badImages() {
        #expect(throws: LinuxImageError.truncated) { try parse(Array(image(imageSize: 0x1000).prefix(63))) }
        #expect(throws: LinuxImageError.badMagic) { try parse(image(imageSize: 0x1000, magic: 0x644D_5242)) }
        // gzip (a Debian vmlinuz): no magic.
        #expect(throws: LinuxImageError.badMagic) { try parse([0x1F, 0x8B, 0x08] + [UInt8](repeating: 0, count: 100)) }
        #expect(throws: LinuxImageError.bigEndian) { try parse(image(imageSize: 0x1000, flags: 1)) }
        #expect(throws: LinuxImageError.inconsistentSize) { try parse(image(imageSize: 0x800, fileSize: 0x1000)) }
        #expect(LinuxImageError.doesNotFit.message.description.contains("RAM"))
    }

    @Test func fitting() throws {
        let header = try parse(image(textOffset: 0x8_0000, imageSize: 0x0100_0000))
        // Exactly fits; one byte less RAM does not; unaligned RAM; overflowing RAM.
        #expect(try header.loadAddress(ramBase: 0x8000_0000, ramSize: 0x0108_0000) == 0x8008_0000)
        #expect(throws: LinuxImageError.doesNotFit) { try header.loadAddress(ramBase: 0x8000_0000, ramSize: 0x0107_FFFF) }
        #expect(throws: LinuxImageError.doesNotFit) { try header.loadAddress(ramBase: 0x8010_0000, ramSize: 0x1000_0000) }
        #expect(throws: LinuxImageError.doesNotFit) { try header.loadAddress(ramBase: 0xFFFF_FFFF_FFE0_0000, ramSize: 0x1000_0000) }
        let huge = try parse(image(textOffset: 0xFFFF_FFFF_FFFF_0000, imageSize: 0xFFFF_FFFF_FFFF_0000))
        #expect(throws: LinuxImageError.doesNotFit) { try huge.loadAddress(ramBase: 0x8000_0000, ramSize: 0x1000_0000) }
    }
}

@Suite struct LinuxBootLayoutTests {
    @Test func dtbThenKernelThenInitrdOn2MiBBoundaries() throws {
        let vm = VMDescription.realm(ramSize: 0x1000_0000, vcpuCount: 1, ipaWidth: 40)
        let header = try parse(image(imageSize: 0x0234_5000))
        let layout = try LinuxBootLayout(vm: vm, kernel: header, initrdSize: 0x0100_0001)
        #expect(layout.dtbBase == 0x8000_0000 && layout.entryX0 == 0x8000_0000)
        #expect(layout.kernelBase == 0x8020_0000 && layout.entryPC == 0x8020_0000)
        #expect(layout.kernelEnd == 0x8254_5000)
        #expect(layout.initrdBase == 0x8260_0000)
        #expect(layout.initrdEnd == 0x8360_0001)
        let described = layout.describing(vm)
        #expect(described.initrdStart == 0x8260_0000 && described.initrdEnd == 0x8360_0001 && described.hasInitrd)
    }

    @Test func textOffsetAndNoInitrd() throws {
        let vm = VMDescription.realm(ramSize: 0x1000_0000, vcpuCount: 1, ipaWidth: 40)
        let layout = try LinuxBootLayout(vm: vm, kernel: try parse(image(textOffset: 0x8_0000, imageSize: 0x0200_0000)), initrdSize: 0)
        #expect(layout.kernelBase == 0x8028_0000)
        #expect(layout.initrdBase == 0x8240_0000 && layout.initrdEnd == layout.initrdBase)
        #expect(!layout.describing(vm).hasInitrd)
    }

    @Test func sixteenMiBMustRemain() throws {
        let vm = VMDescription.realm(ramSize: 0x0800_0000, vcpuCount: 1, ipaWidth: 40)
        let header = try parse(image(imageSize: 0x0200_0000))
        // DTB block 2 MiB, kernel 32 MiB, 16 MiB free: 78 MiB of 128 for the initrd.
        #expect(try LinuxBootLayout(vm: vm, kernel: header, initrdSize: 0x04E0_0000).initrdEnd == 0x8700_0000)
        #expect(try LinuxBootLayout(vm: vm, kernel: header, initrdSize: 0x04DF_F001).initrdEnd == 0x86FF_F001)
        #expect(throws: LinuxImageError.doesNotFit) { try LinuxBootLayout(vm: vm, kernel: header, initrdSize: 0x04E0_0001) }
        #expect(throws: LinuxImageError.doesNotFit) { try LinuxBootLayout(vm: vm, kernel: header, initrdSize: UInt64.max) }
        let tiny = VMDescription.realm(ramSize: 0x20_0000, vcpuCount: 1, ipaWidth: 40)
        #expect(throws: LinuxImageError.doesNotFit) { try LinuxBootLayout(vm: tiny, kernel: header, initrdSize: 0) }
    }
}
