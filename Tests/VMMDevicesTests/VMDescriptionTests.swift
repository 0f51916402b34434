// The shared VM description: the realm's shared alias and the MMIO decode the VMM uses.

import Testing
import VMMDevices

@Suite struct VMDescriptionTests {
    @Test func realmDevicesSitAtTheSharedAlias() {
        let vm = VMDescription.realm(ramSize: 0x1000_0000, vcpuCount: 2, ipaWidth: 40)
        #expect(vm.sharedAliasBit == 1 << 39)
        #expect(vm.guestAddress(vm.uartBase) == 0x80_0900_0000)
        #expect(vm.region(at: 0x80_0900_0018)! == (.uart, 0x18))
        #expect(vm.region(at: 0x80_0800_FFFC)! == (.distributor, 0xFFFC))
        #expect(vm.region(at: 0x80_080A_0000 + 0x3_FFFF)! == (.redistributor, 0x3_FFFF))
        // Past the second vCPU's frames, and at the protected address: not a device.
        #expect(vm.region(at: 0x80_080A_0000 + 0x4_0000) == nil)
        #expect(vm.region(at: 0x0900_0000) == nil)
    }

    @Test func bootArguments() {
        var args = BootArguments("console=ttyAMA0")
        args.append(" earlycon=pl011,")
        args.appendHex(0x80_0900_0000)
        args.append(" x=")
        args.appendHex(0)
        let text = String(decoding: (0..<args.count).map { args.bytes[$0] }, as: UTF8.self)
        #expect(text == "console=ttyAMA0 earlycon=pl011,0x8009000000 x=0x0")
        #expect(args.complete)
        // A NUL would end bootargs early: refused. Beyond 2047 bytes: cut, and said so.
        args.append(byte: 0)
        #expect(!args.complete)
        var long = BootArguments()
        [UInt8](repeating: 0x61, count: 3000).withUnsafeBytes { long.append(bytes: $0) }
        #expect(long.count == 2047 && !long.complete)
    }

    @Test func nonRealmHasNoAlias() {
        var vm = VMDescription.realm(ramSize: 0x1000_0000, vcpuCount: 4, ipaWidth: 40)
        vm.ipaWidth = 0
        #expect(!vm.isRealm && vm.sharedAliasBit == 0)
        #expect(vm.region(at: 0x0900_0FFC)! == (.uart, 0xFFC))
        #expect(vm.region(at: 0x080A_0000 + 4 * 0x2_0000 - 4)! == (.redistributor, 4 * 0x2_0000 - 4))
        vm.vcpuCount = 99
        #expect(vm.redistributorRegionSize == 4 * 0x2_0000)
        vm.ipaWidth = 200
        #expect(vm.sharedAliasBit == 0)
    }
}
