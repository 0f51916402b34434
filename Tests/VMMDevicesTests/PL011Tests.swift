// EmulatedPL011 against the PL011 TRM (DDI 0183): identification for the AMBA bus, flags,
// transmit, the receive FIFO and its interrupts, access widths.

import Testing
import VMMDevices

private enum U {
    static let dr: UInt64 = 0x00, rsr: UInt64 = 0x04, fr: UInt64 = 0x18, ibrd: UInt64 = 0x24
    static let fbrd: UInt64 = 0x28, lcrH: UInt64 = 0x2C, cr: UInt64 = 0x30, ifls: UInt64 = 0x34
    static let imsc: UInt64 = 0x38, ris: UInt64 = 0x3C, mis: UInt64 = 0x40, icr: UInt64 = 0x44
    static let dmacr: UInt64 = 0x48
    static let rxfe: UInt64 = 1 << 4, txff: UInt64 = 1 << 5, rxff: UInt64 = 1 << 6, txfe: UInt64 = 1 << 7
    static let busy: UInt64 = 1 << 3
    static let rx: UInt64 = 1 << 4, tx: UInt64 = 1 << 5, rt: UInt64 = 1 << 6
}

/// Enabled as Linux's driver leaves it: FIFOs on, UART, TX and RX enabled.
private func linuxUART() -> EmulatedPL011 {
    var uart = EmulatedPL011()
    _ = uart.write(offset: U.lcrH, size: 2, value: 0x70)   // 8 bits, FEN
    _ = uart.write(offset: U.cr, size: 2, value: 0x301)
    return uart
}

private func receive(_ uart: inout EmulatedPL011, _ byte: UInt8) -> Bool { uart.receive(byte) }

@Suite struct PL011Tests {
    @Test func primeCellIdentification() {
        var uart = EmulatedPL011()
        let expected: [UInt64] = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]
        for (i, value) in expected.enumerated() {
            #expect(uart.read(offset: 0xFE0 + 4 * UInt64(i), size: 4) == value)
        }
        // The AMBA bus assembles these: periphid 0x00341011 (part 0x011, designer 0x41, rev 3)
        // and cid 0xB105F00D.
        var pid: UInt64 = 0, cid: UInt64 = 0
        for i in 0..<4 {
            pid |= uart.read(offset: 0xFE0 + 4 * UInt64(i), size: 4) << (8 * UInt64(i))
            cid |= uart.read(offset: 0xFF0 + 4 * UInt64(i), size: 4) << (8 * UInt64(i))
        }
        #expect(pid == 0x0034_1011)
        #expect(cid == 0xB105_F00D)
    }

    @Test func resetValues() {
        var uart = EmulatedPL011()
        #expect(uart.read(offset: U.fr, size: 4) == U.txfe | U.rxfe)
        #expect(uart.read(offset: U.cr, size: 4) == 0x300)
        #expect(uart.read(offset: U.ifls, size: 4) == 0x12)
        #expect(uart.read(offset: U.imsc, size: 4) == 0)
        #expect(uart.read(offset: U.ris, size: 4) == 0)
        #expect(!uart.interruptLine)
    }

    @Test func transmitGoesToTheVMMWhenEnabled() {
        var uart = EmulatedPL011()
        // UART disabled at reset: nothing leaves.
        #expect(uart.write(offset: U.dr, size: 4, value: 0x41) == nil)
        uart = linuxUART()
        #expect(uart.write(offset: U.dr, size: 4, value: 0x141) == 0x41)
        #expect(uart.write(offset: U.dr, size: 1, value: 0x42) == 0x42)   // earlycon's byte store
        #expect(uart.write(offset: U.dr, size: 2, value: 0x43) == 0x43)
        #expect(uart.read(offset: U.fr, size: 2) & (U.txff | U.busy) == 0)
        #expect(uart.read(offset: U.fr, size: 2) & U.txfe != 0)
        // TXE off: nothing leaves.
        _ = uart.write(offset: U.cr, size: 2, value: 0x201)
        #expect(uart.write(offset: U.dr, size: 4, value: 0x44) == nil)
    }

    @Test func transmitInterrupt() {
        var uart = linuxUART()
        _ = uart.write(offset: U.imsc, size: 2, value: U.tx)
        #expect(!uart.interruptLine)
        _ = uart.write(offset: U.dr, size: 2, value: 0x41)
        #expect(uart.read(offset: U.ris, size: 2) & U.tx != 0)
        #expect(uart.read(offset: U.mis, size: 2) == U.tx)
        #expect(uart.interruptLine)
        _ = uart.write(offset: U.icr, size: 2, value: U.tx)
        #expect(!uart.interruptLine)
        // Masked: raw but not masked status.
        _ = uart.write(offset: U.imsc, size: 2, value: 0)
        _ = uart.write(offset: U.dr, size: 2, value: 0x41)
        #expect(uart.read(offset: U.ris, size: 2) & U.tx != 0)
        #expect(uart.read(offset: U.mis, size: 2) == 0)
        #expect(!uart.interruptLine)
    }

    @Test func receiveFIFOAndInterrupts() {
        var uart = linuxUART()
        _ = uart.write(offset: U.imsc, size: 2, value: U.rx | U.rt)
        // Trigger level at reset: half of 32.
        #expect(receive(&uart, 0x61))
        #expect(uart.read(offset: U.fr, size: 2) & U.rxfe == 0)
        #expect(uart.read(offset: U.ris, size: 2) & (U.rx | U.rt) == U.rt)
        #expect(uart.interruptLine)
        for i in 1..<16 { #expect(receive(&uart, 0x61 + UInt8(i))) }
        #expect(uart.read(offset: U.ris, size: 2) & U.rx != 0)
        for i in 16..<32 { #expect(receive(&uart, UInt8(i))) }
        #expect(uart.read(offset: U.fr, size: 2) & U.rxff != 0)
        #expect(!uart.canReceive)
        #expect(!receive(&uart, 0xFF))
        // In order; RX clears below the trigger level, RT once empty.
        for i in 0..<16 { #expect(uart.read(offset: U.dr, size: 2) == 0x61 + UInt64(i)) }
        #expect(uart.read(offset: U.ris, size: 2) & U.rx != 0)
        #expect(uart.read(offset: U.dr, size: 2) == 16)
        #expect(uart.read(offset: U.ris, size: 2) & U.rx == 0)
        for i in 17..<32 { #expect(uart.read(offset: U.dr, size: 4) == UInt64(i)) }
        #expect(uart.read(offset: U.fr, size: 2) & U.rxfe != 0)
        #expect(uart.read(offset: U.ris, size: 2) & (U.rx | U.rt) == 0)
        #expect(!uart.interruptLine)
        // Empty FIFO reads as 0.
        #expect(uart.read(offset: U.dr, size: 2) == 0)
    }

    @Test func triggerLevelFollowsIFLS() {
        var uart = linuxUART()
        _ = uart.write(offset: U.ifls, size: 2, value: 0 << 3)   // 1/8: 4 characters
        for _ in 0..<3 { uart.receive(1) }
        #expect(uart.read(offset: U.ris, size: 2) & U.rx == 0)
        uart.receive(1)
        #expect(uart.read(offset: U.ris, size: 2) & U.rx != 0)
        _ = uart.write(offset: U.ifls, size: 2, value: 4 << 3)   // 7/8: 28 characters
        #expect(uart.read(offset: U.ris, size: 2) & U.rx == 0)
    }

    @Test func withoutFIFOsOneCharacterFills() {
        var uart = EmulatedPL011()
        _ = uart.write(offset: U.cr, size: 2, value: 0x301)
        #expect(receive(&uart, 7))
        #expect(uart.read(offset: U.fr, size: 2) & U.rxff != 0)
        #expect(!receive(&uart, 8))
        #expect(uart.read(offset: U.ris, size: 2) & U.rx != 0)
        #expect(uart.read(offset: U.dr, size: 2) == 7)
    }

    @Test func controlRegistersReadBack() {
        var uart = EmulatedPL011()
        _ = uart.write(offset: U.ibrd, size: 4, value: 0x1_0013)
        _ = uart.write(offset: U.fbrd, size: 4, value: 0xFF)
        _ = uart.write(offset: U.lcrH, size: 4, value: 0x1_0070)
        _ = uart.write(offset: U.dmacr, size: 4, value: 0xFF)
        #expect(uart.read(offset: U.ibrd, size: 4) == 0x13)
        #expect(uart.read(offset: U.fbrd, size: 4) == 0x3F)
        #expect(uart.read(offset: U.lcrH, size: 4) == 0x70)
        #expect(uart.read(offset: U.dmacr, size: 4) == 0x7)
        // ICR is write-only; the error clear register reads no errors.
        #expect(uart.read(offset: U.icr, size: 4) == 0)
        #expect(uart.read(offset: U.rsr, size: 4) == 0)
    }

    @Test func hostileAccesses() {
        var uart = linuxUART()
        // Misaligned, wrong widths and offsets past the frame are ignored and read 0.
        #expect(uart.read(offset: U.fr + 2, size: 4) == 0)
        #expect(uart.read(offset: U.fr, size: 8) == 0)
        #expect(uart.read(offset: 0x1000, size: 4) == 0)
        #expect(uart.read(offset: UInt64.max, size: 4) == 0)
        #expect(uart.write(offset: U.dr + 1, size: 1, value: 0x41) == nil)
        #expect(uart.write(offset: U.dr, size: 3, value: 0x41) == nil)
        // A byte read of a register's second byte.
        #expect(uart.read(offset: 0xFE0 + 1, size: 1) == 0)
        #expect(uart.read(offset: U.cr + 1, size: 1) == 0x3)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let offset: UInt64 = Bool.random() ? UInt64.random(in: 0..<0x1000, using: &rng) : rng.next()
            let size = [0, 1, 2, 3, 4, 8, -1, Int.max, Int.min].randomElement()!
            _ = uart.read(offset: offset, size: size)
            _ = uart.write(offset: offset, size: size, value: rng.next())
            if Bool.random() { uart.receive(UInt8.random(in: 0...255)) }
        }
    }
}
