// Which vCPU the host enters next when several share its one CPU: round robin by time slice.
//
// A vCPU keeps the CPU across the exits the host answers at once (MMIO, PSCI, RIPAS changes,
// host calls, its own timer's interrupt) until its slice ends, it waits in WFI, or it hands
// the CPU over (`yield`, after sending an SGI to another vCPU, which then runs soon). Switching
// at every exit instead makes each of one vCPU's exits cost the other's whole slice when the
// other is busy: Linux printing to the emulated UART (one exit per byte) while its other CPU
// spins with interrupts masked ran some six times slower per exit than with one vCPU, and its
// watchdogs' reports about that slowness, printed the same way, never ended (Docs/linux-realm.md).

public struct VCPUSchedule: Sendable {
    public static let maxVCPUs = 8
    let count: Int
    /// Counter ticks in a slice.
    public let slice: UInt64
    /// The vCPU entered last.
    public private(set) var current: Int
    /// When the current vCPU's slice ends (counter value).
    public private(set) var sliceEnd: UInt64 = 0

    /// `count` vCPUs (clamped to 1 ... maxVCPUs), slices of `slice` ticks; vCPU 0 runs first.
    public init(count: Int, slice: UInt64) {
        self.count = min(max(count, 1), Self.maxVCPUs)
        self.slice = slice
        current = self.count - 1
    }

    /// The vCPU to enter at counter value `now`, among those set in `eligible` (bit n: vCPU n is
    /// on and not waiting): the current one while its slice lasts, else the next eligible one
    /// after it, which starts a new slice. Nil when none is eligible.
    public mutating func next(eligible: UInt8, now: UInt64) -> Int? {
        if eligible >> UInt8(current) & 1 != 0 && now < sliceEnd { return current }
        for k in 1...count {
            let i = (current + k) % count
            guard eligible >> UInt8(i) & 1 != 0 else { continue }
            current = i
            sliceEnd = now &+ slice
            return i
        }
        return nil
    }

    /// The current vCPU gives up the rest of its slice.
    public mutating func yield() {
        sliceEnd = 0
    }
}
