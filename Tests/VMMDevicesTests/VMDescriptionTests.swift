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
}
