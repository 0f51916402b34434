// Branch-free building blocks for code that handles secrets. A "mask" is all ones (true) or
// all zeros (false); choosing between values with a mask compiles to AND/OR, not to a jump.

/// 1 when `flag` is set, else 0 (compiles to `cset`).
@inline(__always)
func bit(_ flag: Bool) -> UInt64 { flag ? 1 : 0 }

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

/// a * b + c + d as a 128-bit (high, low) pair; it cannot overflow 128 bits.
@inline(__always)
func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (high: UInt64, low: UInt64) {
    let product = a.multipliedFullWidth(by: b)
    let (low1, carry1) = product.low.addingReportingOverflow(c)
    let (low2, carry2) = low1.addingReportingOverflow(d)
    return (product.high &+ bit(carry1) &+ bit(carry2), low2)
}

/// a + b + carryIn (carryIn 0 or 1), returning the sum and the carry out.
@inline(__always)
func addCarry(_ a: UInt64, _ b: UInt64, _ carryIn: UInt64) -> (sum: UInt64, carry: UInt64) {
    let (s1, c1) = a.addingReportingOverflow(b)
    let (s2, c2) = s1.addingReportingOverflow(carryIn)
    return (s2, bit(c1) | bit(c2))
}

/// a - b - borrowIn (borrowIn 0 or 1), returning the difference and the borrow out.
@inline(__always)
func subBorrow(_ a: UInt64, _ b: UInt64, _ borrowIn: UInt64) -> (difference: UInt64, borrow: UInt64) {
    let (d1, b1) = a.subtractingReportingOverflow(b)
    let (d2, b2) = d1.subtractingReportingOverflow(borrowIn)
    return (d2, bit(b1) | bit(b2))
}

/// Compares two byte strings of equal length in time that depends only on the length.
public func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}
