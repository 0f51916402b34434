// The per-granule descriptor: one 32-bit word per secure-pool granule, in memory the platform
// provides, updated only with atomic operations.
//
//   bit  31      LOCK      set while one CPU holds the granule lock
//   bits 23:8    REFCOUNT  references to this granule from other structures:
//                            RTT  - live entries (assigned, assigned_ns or table) it holds
//                            RD   - RECs of the realm (at most RealmDescriptor.maxRECs)
//                            REC  - 1 while the REC runs on some CPU (REC_ENTER)
//                            others 0
//   bits 7:0     STATE     a GranuleState
//
// Lock order (deadlock freedom): a CPU holding granule locks acquires further ones only
//   1. granules named by an RMI argument (directly or in an argument structure) before
//      granules found by following internal references;
//   2. two granules of the same kind, or two arguments, in ascending address order;
//   3. RTTs from the root towards the leaves (hand over hand), after the RD.
// REC_CREATE's auxiliary granules are locked, transitioned and unlocked one at a time before
// anything else is locked, so their (host-chosen) order cannot matter.
//
// Invariants (checked by the host tests after every call):
//   - an unlocked DELEGATED granule is all zeroes;
//   - an unlocked granule's state and refcount agree with the RDs, RECs and RTTs that refer
//     to it, and no granule is reachable from two realms;
//   - no lock is held between RMI calls.
// The refcount of a REC changes without the lock (it marks a running REC); every other field
// changes only under the lock, so writers use compare-and-swap on the whole word.

struct GranuleDescriptor: Equatable {
    var raw: UInt32

    static let lockBit: UInt32 = 1 << 31
    static let refcountShift: UInt32 = 8
    static let refcountMask: UInt32 = 0xFFFF << 8
    static let stateMask: UInt32 = 0xFF
    /// Largest refcount the field holds; an increment beyond it is refused, never wrapped.
    static let maxRefcount: UInt32 = 0xFFFF

    var isLocked: Bool { raw & Self.lockBit != 0 }
    var refcount: UInt32 { (raw & Self.refcountMask) >> Self.refcountShift }
    /// nil only if the word was corrupted; the core never writes such a value.
    var state: GranuleState? { GranuleState(rawValue: raw & Self.stateMask) }

    func with(state: GranuleState) -> GranuleDescriptor {
        GranuleDescriptor(raw: raw & ~Self.stateMask | state.rawValue)
    }

    func with(refcount: UInt32) -> GranuleDescriptor {
        GranuleDescriptor(raw: raw & ~Self.refcountMask | (refcount & Self.maxRefcount) << Self.refcountShift)
    }
}
