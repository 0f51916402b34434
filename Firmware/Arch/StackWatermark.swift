import AArch64

// How deep a piece of firmware drives this CPU's stack, measured rather than guessed: the
// unused part of the stack below the caller's frame is painted with a pattern, the code runs,
// and the lowest byte that no longer holds the pattern marks the peak. Used around the P-384
// work at boot, whose frames are the deepest in the firmware.

struct StackWatermark {
    private static let pattern: UInt8 = 0xA5
    /// Bytes below the stack pointer left unpainted: this function's callees (memset) use them.
    private static let margin: UInt64 = 512
    private let bottom: UInt64
    private let top: UInt64

    /// Paints this CPU's stack, whose lowest address is `bottom` and top (initial SP) `top`.
    init(bottom: UInt64, top: UInt64) {
        self.bottom = bottom
        self.top = top
        let sp = read_sp()
        guard sp > bottom + Self.margin, sp <= top,
              let base = UnsafeMutableRawPointer(bitPattern: UInt(bottom)) else { return }
        base.initializeMemory(as: UInt8.self, repeating: Self.pattern, count: Int(sp - Self.margin - bottom))
    }

    /// The deepest point reached since `init`, in bytes below the stack's top. Equal to the
    /// stack's size when the pattern is gone to the bottom: the stack may have overflowed.
    var peak: UInt64 {
        var address = bottom
        while address < top, UnsafePointer<UInt8>(bitPattern: UInt(address))?.pointee == Self.pattern {
            address += 1
        }
        return top - address
    }
}
