// An emulated PL011 UART (Arm PrimeCell UART (PL011) Technical Reference Manual, DDI 0183,
// chapter 3 "Programmers Model"), r1p5: 32-entry FIFOs. Transmission is instantaneous: a byte
// written to UARTDR goes straight to the VMM (the return value of `write`), so the transmit
// FIFO is always empty and never busy. The VMM feeds received bytes with `receive`. Baud rate
// and line control are stored for the guest to read back and otherwise ignored.
//
// The guest's offsets, sizes and values are hostile: an access that is not a register at an
// allowed width (8, 16 or 32 bits, naturally aligned, in the register's low bytes) reads as
// zero and its write is ignored. Linux uses 16-bit accesses by default and earlycon 8-bit
// ones to UARTDR.

public struct EmulatedPL011: Sendable {
    public static let fifoDepth = 32

    // Register offsets (DDI 0183 3.2).
    static let dr: UInt64 = 0x000
    static let rsr: UInt64 = 0x004
    static let fr: UInt64 = 0x018
    static let ilpr: UInt64 = 0x020
    static let ibrd: UInt64 = 0x024
    static let fbrd: UInt64 = 0x028
    static let lcrH: UInt64 = 0x02C
    static let cr: UInt64 = 0x030
    static let ifls: UInt64 = 0x034
    static let imsc: UInt64 = 0x038
    static let ris: UInt64 = 0x03C
    static let mis: UInt64 = 0x040
    static let icr: UInt64 = 0x044
    static let dmacr: UInt64 = 0x048

    // UARTFR (DDI 0183 3.3.3).
    public static let busy: UInt32 = 1 << 3
    public static let receiveFIFOEmpty: UInt32 = 1 << 4
    public static let transmitFIFOFull: UInt32 = 1 << 5
    public static let receiveFIFOFull: UInt32 = 1 << 6
    public static let transmitFIFOEmpty: UInt32 = 1 << 7

    // Interrupt bits of UARTIMSC, UARTRIS, UARTMIS, UARTICR (DDI 0183 3.3.10-3.3.13).
    public static let receiveInterrupt: UInt32 = 1 << 4
    public static let transmitInterrupt: UInt32 = 1 << 5
    public static let receiveTimeoutInterrupt: UInt32 = 1 << 6
    public static let allInterrupts: UInt32 = 0x7FF

    /// UARTLCR_H.FEN: with FIFOs off, each direction holds one character.
    static let fifoEnable: UInt32 = 1 << 4

    /// UARTPeriphID0-3 (part 0x011, designer 0x41 'A', revision 3) and UARTPCellID0-3: what the
    /// AMBA bus of Linux matches a driver with.
    static let identification: InlineArray<8, UInt8> = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]

    var receiveFIFO = InlineArray<32, UInt8>(repeating: 0)
    var receiveHead = 0
    var receiveCount = 0
    var integerBaud: UInt32 = 0
    var fractionalBaud: UInt32 = 0
    var lineControl: UInt32 = 0
    /// UARTCR reset value: TXE and RXE set, UART disabled.
    var control: UInt32 = 0x0300
    /// UARTIFLS reset value: both trigger levels at half full.
    var fifoLevelSelect: UInt32 = 0x12
    var interruptMask: UInt32 = 0
    var rawInterrupts: UInt32 = 0
    var dmaControl: UInt32 = 0

    public init() {}

    /// The interrupt output (UARTINTR): any raw interrupt that is unmasked. The VMM drives the
    /// UART's SPI with it after every access and every `receive`.
    public var interruptLine: Bool { rawInterrupts & interruptMask != 0 }

    /// Room for `receive`.
    public var canReceive: Bool { receiveCount < receiveCapacity }

    var receiveCapacity: Int { lineControl & Self.fifoEnable != 0 ? Self.fifoDepth : 1 }

    /// Queues a byte from the host console for the guest. False, and the byte not taken, when
    /// the receive FIFO is full (the VMM keeps it for later rather than losing it).
    @discardableResult
    public mutating func receive(_ byte: UInt8) -> Bool {
        guard canReceive else { return false }
        receiveFIFO[(receiveHead + receiveCount) % Self.fifoDepth] = byte
        receiveCount += 1
        updateReceiveInterrupts()
        return true
    }

    /// A guest read of `size` bytes at `offset` in the UART's 4 KiB frame.
    public mutating func read(offset: UInt64, size: Int) -> UInt64 {
        guard let (register, shift) = Self.decode(offset: offset, size: size) else { return 0 }
        let value: UInt32
        switch register {
        case Self.dr: value = popReceived()
        case Self.rsr: value = 0  // no framing, parity, break or overrun errors happen
        case Self.fr: value = flags
        case Self.ilpr: value = 0
        case Self.ibrd: value = integerBaud
        case Self.fbrd: value = fractionalBaud
        case Self.lcrH: value = lineControl
        case Self.cr: value = control
        case Self.ifls: value = fifoLevelSelect
        case Self.imsc: value = interruptMask
        case Self.ris: value = rawInterrupts
        case Self.mis: value = rawInterrupts & interruptMask
        case Self.dmacr: value = dmaControl
        case 0xFE0...0xFFC: value = UInt32(Self.identification[Int((register - 0xFE0) / 4)])
        default: value = 0
        }
        return UInt64(value >> shift) & Self.sizeMask(size)
    }

    /// A guest write at `offset`; returns the byte transmitted when it was a write to UARTDR
    /// while the UART and its transmitter are enabled.
    public mutating func write(offset: UInt64, size: Int, value: UInt64) -> UInt8? {
        // A write to a register's upper bytes alone is ignored: none of the writable fields
        // that matter live there.
        guard let (register, shift) = Self.decode(offset: offset, size: size), shift == 0 else { return nil }
        let value = UInt32(truncatingIfNeeded: value & Self.sizeMask(size))
        switch register {
        case Self.dr:
            // UARTEN [0] and TXE [8].
            guard control & 0x101 == 0x101 else { return nil }
            // The byte left at once: the FIFO is at or below any trigger level again.
            rawInterrupts |= Self.transmitInterrupt
            return UInt8(truncatingIfNeeded: value)
        case Self.rsr: break  // UARTECR: clears errors, of which there are none
        case Self.ibrd: integerBaud = value & 0xFFFF
        case Self.fbrd: fractionalBaud = value & 0x3F
        case Self.lcrH:
            let wasFIFO = lineControl & Self.fifoEnable != 0
            lineControl = value & 0xFF
            // Switching the FIFOs on or off leaves at most what the new depth holds.
            if wasFIFO != (lineControl & Self.fifoEnable != 0) { receiveCount = min(receiveCount, receiveCapacity) }
            updateReceiveInterrupts()
        case Self.cr: control = value & 0xFF87
        case Self.ifls:
            fifoLevelSelect = value & 0x3F
            updateReceiveInterrupts()
        case Self.imsc: interruptMask = value & Self.allInterrupts
        case Self.icr: rawInterrupts &= ~(value & Self.allInterrupts)
        case Self.dmacr: dmaControl = value & 0x7
        default: break
        }
        return nil
    }

    /// UARTFR: the transmitter is never full or busy.
    var flags: UInt32 {
        var value = Self.transmitFIFOEmpty
        if receiveCount == 0 { value |= Self.receiveFIFOEmpty }
        if receiveCount >= receiveCapacity { value |= Self.receiveFIFOFull }
        return value
    }

    /// The receive trigger level (UARTIFLS.RXIFLSEL [5:3]: 1/8, 1/4, 1/2, 3/4, 7/8 full);
    /// one character with the FIFOs off.
    var receiveTriggerLevel: Int {
        guard lineControl & Self.fifoEnable != 0 else { return 1 }
        switch fifoLevelSelect >> 3 & 7 {
        case 0: return Self.fifoDepth / 8
        case 1: return Self.fifoDepth / 4
        case 3: return Self.fifoDepth * 3 / 4
        case 4: return Self.fifoDepth * 7 / 8
        default: return Self.fifoDepth / 2
        }
    }

    /// UARTRXINTR at or above the trigger level; UARTRTINTR for data that waits below it (a
    /// real UART raises it after 32 idle bit periods; the VMM's input arrives in bursts, so
    /// "idle" is at once). Both clear as the FIFO drains (DDI 0183 2.9).
    mutating func updateReceiveInterrupts() {
        if receiveCount >= receiveTriggerLevel {
            rawInterrupts |= Self.receiveInterrupt
        } else {
            rawInterrupts &= ~Self.receiveInterrupt
        }
        if receiveCount > 0 && receiveCount < receiveTriggerLevel {
            rawInterrupts |= Self.receiveTimeoutInterrupt
        } else if receiveCount == 0 {
            rawInterrupts &= ~Self.receiveTimeoutInterrupt
        }
    }

    private mutating func popReceived() -> UInt32 {
        guard receiveCount > 0 else { return 0 }
        let byte = receiveFIFO[receiveHead]
        receiveHead = (receiveHead + 1) % Self.fifoDepth
        receiveCount -= 1
        updateReceiveInterrupts()
        return UInt32(byte)
    }

    /// The register an access names and the bit shift of its first byte in it.
    static func decode(offset: UInt64, size: Int) -> (register: UInt64, shift: UInt32)? {
        guard offset < VMDescription.uartSize, size == 1 || size == 2 || size == 4,
              offset & UInt64(size - 1) == 0 else { return nil }
        return (offset & ~3, UInt32(offset & 3) * 8)
    }

    static func sizeMask(_ size: Int) -> UInt64 { size >= 8 ? UInt64.max : (1 << UInt64(8 * size)) - 1 }
}
