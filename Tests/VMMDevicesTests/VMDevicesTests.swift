// The device set's MMIO routing and interrupt wiring, driven as a VMM's run loop would.

import Testing
import VMMDevices

@Suite struct VMDevicesTests {
    static let uart: UInt64 = 0x80_0900_0000
    static let gicd: UInt64 = 0x80_0800_0000
    static let gicr: UInt64 = 0x80_080A_0000

    /// Linux's order: GIC enabled with Group 1, UART SPI enabled; UART set up with RX interrupts.
    static func booted() -> VMDevices {
        var d = VMDevices(.realm(ramSize: 0x1000_0000, vcpuCount: 2, ipaWidth: 40))
        #expect(d.write(ipa: gicd, size: 4, value: 0x13) == .handled)
        #expect(d.write(ipa: gicd + 0x84, size: 4, value: 0xFFFF_FFFF) == .handled)   // IGROUPR1
        #expect(d.write(ipa: gicd + 0x104, size: 4, value: 1 << 1) == .handled)        // ISENABLER1: INTID 33
        #expect(d.write(ipa: gicd + 0x400 + 33, size: 1, value: 0xA0) == .handled)
        #expect(d.write(ipa: uart + 0x2C, size: 2, value: 0x70) == .handled)
        #expect(d.write(ipa: uart + 0x30, size: 2, value: 0x301) == .handled)
        #expect(d.write(ipa: uart + 0x38, size: 2, value: 0x50) == .handled)            // IMSC: RX, RT
        return d
    }

    @Test func routing() {
        var d = Self.booted()
        #expect(d.read(ipa: Self.gicd + 0xFFE8, size: 4) == 0x3B)
        #expect(d.read(ipa: Self.gicr + 0x2_0008, size: 8)! >> 4 & 1 == 1)   // vCPU 1's frame is Last
        #expect(d.read(ipa: Self.uart + 0xFE0, size: 4) == 0x11)
        #expect(d.write(ipa: Self.uart, size: 1, value: 0x68) == .transmitted(0x68))
        // The protected address of a device, and an address past all of them: not devices.
        #expect(d.read(ipa: 0x0900_0000, size: 4) == nil)
        #expect(d.write(ipa: 0x0900_0000, size: 4, value: 0) == .unmapped)
        #expect(d.read(ipa: Self.uart + 0x1000, size: 4) == nil)
    }

    @Test func uartInputRaisesItsSPIUntilRead() {
        var d = Self.booted()
        var lrs = InlineArray<16, UInt64>(repeating: 0)
        #expect(!d.gic.hasPendingInterrupt(vcpu: 0))
        let taken = d.receive(0x71)
        #expect(taken)
        #expect(d.gic.hasPendingInterrupt(vcpu: 0))
        d.gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] & 0xFFFF_FFFF == 33 && lrs[0] >> 62 == 1)
        // The realm acknowledges, its handler reads the byte (line low), then deactivates.
        lrs[0] = lrs[0] & ~(3 << 62) | 2 << 62
        d.gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        #expect(d.read(ipa: Self.uart, size: 2) == 0x71)
        d.gic.fillListRegisters(vcpu: 0, &lrs, count: 4)
        #expect(lrs[0] >> 62 == 2)
        lrs[0] = 0
        d.gic.syncListRegisters(vcpu: 0, lrs, count: 4)
        #expect(!d.gic.hasPendingInterrupt(vcpu: 0))
    }

    @Test func virtualTimerIsPerVCPU() {
        var d = Self.booted()
        #expect(d.write(ipa: Self.gicr + 0x2_0000 + 0x1_0080, size: 4, value: 0xFFFF_FFFF) == .handled)
        #expect(d.write(ipa: Self.gicr + 0x2_0000 + 0x1_0100, size: 4, value: 1 << 27) == .handled)
        d.setVirtualTimer(vcpu: 1, asserted: true)
        #expect(d.gic.hasPendingInterrupt(vcpu: 1))
        #expect(!d.gic.hasPendingInterrupt(vcpu: 0))
        d.setVirtualTimer(vcpu: 1, asserted: false)
        #expect(!d.gic.hasPendingInterrupt(vcpu: 1))
    }
}
