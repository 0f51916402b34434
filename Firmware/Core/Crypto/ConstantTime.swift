// Branch-free building blocks for code that handles secrets. A "mask" is all ones (true) or
// all zeros (false); choosing between values with a mask compiles to AND/OR, not to a jump.

/// All ones when `x` is 1, all zeros when `x` is 0. `x` must be 0 or 1.
@inline(__always)
func maskFromBit(_ x: UInt64) -> UInt64 { 0 &- x }

/// All ones when `x == 0`, else all zeros, computed without comparing.
@inline(__always)
func maskIfZero(_ x: UInt64) -> UInt64 {
    // (x | -x) has its top bit set exactly when x != 0.
    ((x | (0 &- x)) >> 63) &- 1
}

/// All ones when `a == b`, else all zeros.
@inline(__always)
func maskIfEqual(_ a: UInt64, _ b: UInt64) -> UInt64 { maskIfZero(a ^ b) }

// Carries and borrows never pass through a Bool: with `flag ? 1 : 0` the size-optimised
// embedded build emitted conditional branches on the carry flag, which would make the running
// time depend on the operands. 128-bit integer arithmetic lowers to add-with-carry and
// multiply-high instructions (checked in the disassembly: no branches, no helper calls).

/// a * b + c + d as a 128-bit (high, low) pair; it cannot overflow 128 bits.
@inline(__always)
func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (high: UInt64, low: UInt64) {
    let t = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
    return (UInt64(truncatingIfNeeded: t >> 64), UInt64(truncatingIfNeeded: t))
}

/// a + b + carryIn (carryIn 0 or 1), returning the sum and the carry out.
@inline(__always)
func addCarry(_ a: UInt64, _ b: UInt64, _ carryIn: UInt64) -> (sum: UInt64, carry: UInt64) {
    let t = UInt128(a) &+ UInt128(b) &+ UInt128(carryIn)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t >> 64))
}

/// a - b - borrowIn (borrowIn 0 or 1), returning the difference and the borrow out.
@inline(__always)
func subBorrow(_ a: UInt64, _ b: UInt64, _ borrowIn: UInt64) -> (difference: UInt64, borrow: UInt64) {
    let t = UInt128(a) &- UInt128(b) &- UInt128(borrowIn)
    // On a borrow the high half is all ones; its lowest bit is the borrow.
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t >> 64) & 1)
}

/// Compares two byte strings of equal length in time that depends only on the length.
public func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}
