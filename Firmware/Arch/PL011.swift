import AArch64

/// An Arm PL011 UART used for output only (PrimeCell UART TRM, DDI 0183).
struct PL011 {
    let base: UInt64

    private static let dataRegister: UInt64 = 0x000
    private static let flagRegister: UInt64 = 0x018
    private static let controlRegister: UInt64 = 0x030
    private static let transmitFIFOFull: UInt32 = 1 << 5
    private static let busy: UInt32 = 1 << 3

    /// Enables the UART and its transmitter (UARTEN | TXE | RXE); QEMU needs no baud setup.
    func enable() {
        mmio_write32(base + Self.controlRegister, 0x301)
    }

    func put(_ byte: UInt8) {
        while mmio_read32(base + Self.flagRegister) & Self.transmitFIFOFull != 0 {}
        mmio_write32(base + Self.dataRegister, UInt32(byte))
    }

    /// Waits until every queued character has left the UART (before power-off).
    func flush() {
        while mmio_read32(base + Self.flagRegister) & Self.busy != 0 {}
    }
}
