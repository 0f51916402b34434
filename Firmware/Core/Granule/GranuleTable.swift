// The granule table: one `GranuleDescriptor` word per secure-pool granule, in platform-provided
// memory, shared by every CPU. It is the only mutable state the granules' owners share besides
// the granules themselves and the VMID bitmap.

import Synchronization

struct GranuleTable: ~Copyable {
    let pool: MemoryRanges
    let words: UnsafeMutablePointer<Atomic<UInt32>>
    let count: Int
    /// Never read. Makes the table address-only, so that its methods get it by reference: a
    /// call from the TMM otherwise copied its pool ranges (88 bytes) at every granule look-up.
    private let addressOnly = Atomic<UInt8>(0)

    /// Initialises `count` words at `words` to UNDELEGATED, unlocked, refcount 0.
    init(pool: MemoryRanges, words: UnsafeMutablePointer<Atomic<UInt32>>) {
        self.pool = pool
        self.words = words
        self.count = pool.totalGranules
        for i in 0..<count { (words + i).initialize(to: Atomic(GranuleState.undelegated.rawValue)) }
    }

    /// The table index of the pool granule at `pa`; nil when `pa` is unaligned or outside
    /// the pool (GRANULE_DELEGATE's gran_align/gran_bound conditions).
    func index(of pa: PhysicalAddress) -> Int? {
        guard pa.isGranuleAligned, let i = pool.granuleIndex(of: pa), i < count else { return nil }
        return i
    }

    /// The descriptor words alone: what a locked granule's handle keeps (the pool ranges stay
    /// here, so a handle is four words and costs nothing to pass around).
    var descriptors: GranuleDescriptorWords { GranuleDescriptorWords(words: words) }

    func descriptor(at index: Int) -> GranuleDescriptor { descriptors.descriptor(at: index) }

    /// Spins until the lock bit is ours.
    func lock(_ index: Int) { descriptors.lock(index) }

    func unlock(_ index: Int) { descriptors.unlock(index) }

    /// Replaces the descriptor word of a granule whose lock the caller holds. A concurrent
    /// refcount change (running REC) is retried, never lost.
    func update(_ index: Int, _ change: (GranuleDescriptor) -> GranuleDescriptor) { descriptors.update(index, change) }

    /// Lock-free refcount increment (marks a REC as running). False, and no change, when the
    /// refcount was not `expected`.
    func exchangeRefcount(_ index: Int, expected: UInt32, desired: UInt32) -> Bool {
        descriptors.exchangeRefcount(index, expected: expected, desired: desired)
    }

    /// Lock-free refcount decrement for a reference the caller owns (a REC's hold on its RD,
    /// a running REC's mark). Never goes below zero.
    func releaseReference(_ index: Int) { descriptors.releaseReference(index) }
}

/// The granule descriptor words, without the pool geometry: locking and updating one granule.
struct GranuleDescriptorWords {
    let words: UnsafeMutablePointer<Atomic<UInt32>>

    func descriptor(at index: Int) -> GranuleDescriptor {
        GranuleDescriptor(raw: words[index].load(ordering: .acquiring))
    }

    func lock(_ index: Int) {
        while true {
            let current = words[index].load(ordering: .relaxed)
            if current & GranuleDescriptor.lockBit == 0 {
                let (exchanged, _) = words[index].compareExchange(
                    expected: current, desired: current | GranuleDescriptor.lockBit, ordering: .acquiring)
                if exchanged { return }
            }
        }
    }

    func unlock(_ index: Int) {
        words[index].bitwiseAnd(~GranuleDescriptor.lockBit, ordering: .releasing)
    }

    func update(_ index: Int, _ change: (GranuleDescriptor) -> GranuleDescriptor) {
        while true {
            let current = words[index].load(ordering: .relaxed)
            let next = change(GranuleDescriptor(raw: current)).raw | GranuleDescriptor.lockBit
            let (exchanged, _) = words[index].compareExchange(expected: current, desired: next, ordering: .acquiringAndReleasing)
            if exchanged { return }
        }
    }

    /// Lock-free refcount increment (marks a REC as running). False, and no change, when the
    /// refcount was not `expected`.
    func exchangeRefcount(_ index: Int, expected: UInt32, desired: UInt32) -> Bool {
        while true {
            let current = words[index].load(ordering: .relaxed)
            let d = GranuleDescriptor(raw: current)
            guard d.refcount == expected else { return false }
            let (exchanged, _) = words[index].compareExchange(
                expected: current, desired: d.with(refcount: desired).raw, ordering: .acquiringAndReleasing)
            if exchanged { return true }
        }
    }

    /// Lock-free refcount decrement for a reference the caller owns (a REC's hold on its RD,
    /// a running REC's mark). Never goes below zero.
    func releaseReference(_ index: Int) {
        while true {
            let current = words[index].load(ordering: .relaxed)
            let d = GranuleDescriptor(raw: current)
            guard d.refcount > 0 else { return }
            let (exchanged, _) = words[index].compareExchange(
                expected: current, desired: d.with(refcount: d.refcount - 1).raw, ordering: .acquiringAndReleasing)
            if exchanged { return }
        }
    }
}
