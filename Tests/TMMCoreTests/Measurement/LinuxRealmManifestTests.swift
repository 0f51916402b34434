// tmm-measure's prediction for a Linux realm (RealmManifest.linux) against the RIM the RMI core
// computes when a host builds that realm over RMI the way the host VMM does: INIT_RIPAS over
// RAM through level-3 RTTs, measured DATA_CREATE of the generated device tree at RAM base, the
// Image at RAM + 2 MiB + text_offset and the initramfs at the next 2 MiB boundary, REC 0
// runnable at the Image with x0 = the device tree, further RECs not runnable.

import Foundation
import Testing
@testable import TMMCore
@testable import RealmManifest
import VMMDevices

@Suite struct LinuxRealmManifestTests {
    static let ramBase: UInt64 = 0x8000_0000
    static let ramSize: UInt64 = 22 << 20

    /// An arm64 Image: header with text_offset and image_size, then distinct bytes.
    static func kernel(textOffset: UInt64, imageSize: UInt64, bytes: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var image = random.bytes(bytes)
        func put(_ value: UInt64, _ at: Int) { for i in 0..<8 { image[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) } }
        put(textOffset, 0x08)
        put(imageSize, 0x10)
        put(0b1010, 0x18)
        for (i, b) in [0x41, 0x52, 0x4D, 0x64].enumerated() { image[0x38 + i] = UInt8(b) }
        return image
    }

    static func inputs(textOffset: UInt64 = 0) -> LinuxRealmInputs {
        var random = SplitMix64(seed: 7)
        return LinuxRealmInputs(kernel: kernel(textOffset: textOffset, imageSize: 0x10_0000, bytes: 3 * 4096 + 100, seed: 3),
                                initrd: random.bytes(5000), memorySize: ramSize, vcpus: 2,
                                commandLine: Array("console=ttyAMA0".utf8))
    }

    /// The host's construction over RMI, with the device tree the VMM generates.
    static func buildOverRMI(_ inputs: LinuxRealmInputs, textOffset: UInt64) -> [UInt8] {
        let h = Harness()
        let realm = h.createRealm { $0.numBPs = 5; $0.numWPs = 3 }
        for block in stride(from: ramBase, to: ramBase + ramSize, by: 0x20_0000) { h.createTables(realm, ipa: block, downTo: 3) }
        var base = ramBase
        while base < ramBase + ramSize {
            let r = h.call(.rttInitRIPAS, realm.rd, base, ramBase + ramSize)
            precondition(r.x0 == Status.success && r.x1 > base, "INIT_RIPAS: \(r)")
            base = r.x1
        }
        let kernelIPA = ramBase + 0x20_0000 + textOffset
        let initrdIPA = (kernelIPA + 0x10_0000 + 0x1F_FFFF) & ~0x1F_FFFF
        var vm = VMDescription.realm(ramSize: ramSize, vcpuCount: inputs.vcpus, ipaWidth: 40)
        // The VMM's bootargs: earlycon at the UART's shared alias, then the user's line.
        let bootargs = Array("earlycon=pl011,mmio32,0x8009000000 ".utf8) + inputs.commandLine
        vm.initrdStart = initrdIPA
        vm.initrdEnd = initrdIPA + UInt64(inputs.initrd.count)
        var dtb = [UInt8](repeating: 0, count: 0x4000)
        let size = try! dtb.withUnsafeMutableBytes { raw in
            try bootargs.withUnsafeBytes { line in try GuestDeviceTree.write(vm, bootArguments: line, into: raw) }
        }
        let source = h.freshNS()
        for (ipa, file) in [(ramBase, Array(dtb[0..<size])), (kernelIPA, inputs.kernel), (initrdIPA, inputs.initrd)] {
            for offset in stride(from: 0, to: file.count, by: 4096) {
                var page = [UInt8](repeating: 0, count: 4096)
                let count = min(4096, file.count - offset)
                page.replaceSubrange(0..<count, with: file[offset..<offset + count])
                h.machine.fill(source, with: page)
                let r = h.call(.dataCreate, realm.rd, h.delegated(), ipa + UInt64(offset), source, 1)
                precondition(r.x0 == Status.success, "DATA_CREATE: \(r)")
            }
        }
        precondition(h.createREC(realm) { $0.pc = kernelIPA; $0.gprs = [ramBase] }.result.x0 == Status.success)
        precondition(h.createREC(realm) { $0.mpidr = 1; $0.flags = 0; $0.pc = 0; $0.gprs = [] }.result.x0 == Status.success)
        return Array(h.rim(realm)[0..<32])
    }

    static var parameters: MeasuredRealmParameters { MeasuredRealmParameters(flags: 0, s2sz: 40, sveVL: 0, numBPs: 5, numWPs: 3,
                                                    pmuNumCounters: 0, hashAlgorithm: 0) }

    @Test(arguments: [UInt64(0), 0x8_0000])
    func predictionMatchesTheRMICore(textOffset: UInt64) throws {
        let inputs = Self.inputs(textOffset: textOffset)
        let manifest = try RealmManifest.linux(inputs, algorithm: .sha256, parameters: Self.parameters)
        #expect(manifest.expectedRIM() == Self.buildOverRMI(inputs, textOffset: textOffset))
    }

    @Test func everyInputCounts() throws {
        let base = try RealmManifest.linux(Self.inputs(), algorithm: .sha256, parameters: Self.parameters).expectedRIM()
        var changed = Self.inputs()
        changed.commandLine += Array(" quiet".utf8)
        #expect(try RealmManifest.linux(changed, algorithm: .sha256, parameters: Self.parameters).expectedRIM() != base)
        changed = Self.inputs()
        changed.initrd[4999] ^= 1
        #expect(try RealmManifest.linux(changed, algorithm: .sha256, parameters: Self.parameters).expectedRIM() != base)
        changed = Self.inputs()
        changed.vcpus = 3   // the device tree lists another CPU
        #expect(try RealmManifest.linux(changed, algorithm: .sha256, parameters: Self.parameters).expectedRIM() != base)
        changed = Self.inputs()
        changed.memorySize += 0x20_0000
        #expect(try RealmManifest.linux(changed, algorithm: .sha256, parameters: Self.parameters).expectedRIM() != base)
    }

    @Test func badInputs() {
        var bad = Self.inputs()
        bad.kernel[0x38] = 0
        #expect(throws: ManifestError.self) { try RealmManifest.linux(bad, algorithm: .sha256, parameters: Self.parameters) }
        bad = Self.inputs()
        bad.memorySize = 18 << 20   // no 16 MiB left after the initramfs
        #expect(throws: ManifestError.self) { try RealmManifest.linux(bad, algorithm: .sha256, parameters: Self.parameters) }
        bad = Self.inputs()
        bad.vcpus = 5
        #expect(throws: ManifestError.self) { try RealmManifest.linux(bad, algorithm: .sha256, parameters: Self.parameters) }
    }
}
