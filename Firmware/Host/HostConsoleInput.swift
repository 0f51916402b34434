import AArch64

/// What the user types on the normal world's console, on its way into a guest's emulated UART.
/// A byte the UART has no room for stays here until the next call, so none is lost or
/// reordered. Shared by the realm's and the ordinary VM's run loops.
struct HostConsoleInput {
    private var held: UInt8? = nil

    /// The next typed byte, read from the console if none is held; nil when nothing was typed.
    mutating func peek() -> UInt8? {
        if held == nil {
            let base = console.base
            guard mmio_read32(base + 0x018) & EmulatedPL011.receiveFIFOEmpty == 0 else { return nil }
            held = UInt8(truncatingIfNeeded: mmio_read32(base))
        }
        return held
    }

    /// The byte `peek` returned was delivered.
    mutating func consume() { held = nil }
}
