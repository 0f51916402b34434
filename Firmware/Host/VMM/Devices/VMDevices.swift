// The emulated devices of one VM behind its description: routes the guest's MMIO exits to the
// model the address names and keeps the models' interrupt outputs wired to the GIC (the PL011's
// UARTINTR to its SPI), so that a VMM's run loop needs one call per exit.

/// What a guest MMIO write did.
public enum MMIOWriteOutcome: Equatable, Sendable {
    /// No device at that address: the VMM decides (a realm gets a synchronous external abort).
    case unmapped
    case handled
    /// The guest transmitted this byte on the UART: the VMM's console prints it.
    case transmitted(UInt8)
}

public struct VMDevices: Sendable {
    public let vm: VMDescription
    public var gic: EmulatedGICv3
    public var uart: EmulatedPL011

    public init(_ vm: VMDescription) {
        self.vm = vm
        gic = EmulatedGICv3(vm)
        uart = EmulatedPL011()
    }

    /// A guest read of `size` bytes at guest address `ipa` (shared alias included for a realm),
    /// or nil when no device is there.
    public mutating func read(ipa: UInt64, size: Int) -> UInt64? {
        guard let (region, offset) = vm.region(at: ipa) else { return nil }
        let value: UInt64
        switch region {
        case .distributor: value = gic.readDistributor(offset: offset, size: size)
        case .redistributor: value = gic.readRedistributor(offset: offset, size: size)
        case .uart:
            value = uart.read(offset: offset, size: size)
            updateUARTLine()
        }
        return value
    }

    /// A guest write of `size` bytes of `value` at guest address `ipa`.
    public mutating func write(ipa: UInt64, size: Int, value: UInt64) -> MMIOWriteOutcome {
        guard let (region, offset) = vm.region(at: ipa) else { return .unmapped }
        switch region {
        case .distributor: gic.writeDistributor(offset: offset, size: size, value: value)
        case .redistributor: gic.writeRedistributor(offset: offset, size: size, value: value)
        case .uart:
            let sent = uart.write(offset: offset, size: size, value: value)
            updateUARTLine()
            if let sent { return .transmitted(sent) }
        }
        return .handled
    }

    /// A byte from the host console for the guest's UART; false when its FIFO is full.
    @discardableResult
    public mutating func receive(_ byte: UInt8) -> Bool {
        let taken = uart.receive(byte)
        updateUARTLine()
        return taken
    }

    /// The virtual timer's output for `vcpu` (CNTV_CTL_EL0: ENABLE, !IMASK and ISTATUS, as
    /// the REC exit reports it).
    public mutating func setVirtualTimer(vcpu: Int, asserted: Bool) {
        gic.setLine(intid: Int(vm.timer.virtual), vcpu: vcpu, high: asserted)
    }

    mutating func updateUARTLine() {
        gic.setLine(intid: Int(vm.uartINTID), high: uart.interruptLine)
    }
}
