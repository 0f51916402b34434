// Delegation of normal-world granules (Docs/delegation.md). TrustZone cannot move one 4 KiB
// page of DRAM into the secure world, so GRANULE_DELEGATE of a normal-world granule binds its
// address (the host's *name* for the granule) to a free secure-pool granule, and every later
// RMI argument naming that address means the pool granule.
//
// Memory, all in the core's storage (TMM.requiredStorageBytes), for a pool of n granules:
//   names   n x UInt32   per pool granule: 0 = named by its own address, else the bound
//                        normal-world granule's index in the normal-world ranges, plus one
//   slots  2n x UInt32   open-addressed (linear probing) index from name to pool granule:
//                        0 = empty, else pool index plus one; at most half full, so a lookup
//                        probes about 1.5 slots on average
//   free   n/64 x UInt64 one bit per pool granule that is UNDELEGATED, unbound and unclaimed
//   lock, cursor         a spinlock over all of the above; where the free search resumes
// 12.1 bytes per pool granule, 16.1 with its descriptor: 39 KiB (52 KiB with the descriptors)
// for the default pool of 3328 granules, 776 KiB (1.03 MiB) for a pool of 65536.
//
// Lock order: the binding lock is the innermost lock. A CPU may take it while holding granule
// locks, never the other way round, so it never waits for a granule while holding it. A
// pool granule's `names` word changes only under both its granule lock and the binding lock,
// so either one makes it stable to read.

import Synchronization

struct GranuleBindings {
    let normalWorld: MemoryRanges
    let pool: MemoryRanges
    let count: Int
    let names: UnsafeMutablePointer<Atomic<UInt32>>
    let slots: UnsafeMutablePointer<Atomic<UInt32>>
    let slotCount: Int
    let free: UnsafeMutablePointer<Atomic<UInt64>>
    let freeWords: Int
    /// [0]: the binding lock; [1]: the free-search cursor (a word index).
    let control: UnsafeMutablePointer<Atomic<UInt32>>

    static func slotCount(granules: Int) -> Int { 2 * granules }
    static func freeWords(granules: Int) -> Int { (granules + 63) / 64 }

    /// Bytes after the (8-byte aligned) start of the bindings' memory.
    static func storageBytes(granules: Int) -> Int {
        8 * freeWords(granules: granules) + 4 * granules + 4 * slotCount(granules: granules) + 8
    }

    /// Lays the bindings out at `memory` (8-byte aligned) with every pool granule free and
    /// unbound.
    init(memory: UnsafeMutableRawPointer, pool: MemoryRanges, normalWorld: MemoryRanges) {
        self.pool = pool
        self.normalWorld = normalWorld
        count = pool.totalGranules
        slotCount = Self.slotCount(granules: count)
        freeWords = Self.freeWords(granules: count)
        free = memory.bindMemory(to: Atomic<UInt64>.self, capacity: freeWords)
        let after = memory + 8 * freeWords
        names = after.bindMemory(to: Atomic<UInt32>.self, capacity: count)
        slots = (after + 4 * count).bindMemory(to: Atomic<UInt32>.self, capacity: slotCount)
        control = (after + 4 * count + 4 * slotCount).bindMemory(to: Atomic<UInt32>.self, capacity: 2)
        for w in 0..<freeWords {
            let bits = min(64, count - 64 * w)
            (free + w).initialize(to: Atomic(bits == 64 ? UInt64.max : (1 << UInt64(bits)) - 1))
        }
        for i in 0..<count { (names + i).initialize(to: Atomic(0)) }
        for s in 0..<slotCount { (slots + s).initialize(to: Atomic(0)) }
        control.initialize(to: Atomic(0))
        (control + 1).initialize(to: Atomic(0))
    }

    // MARK: names

    /// The key of a normal-world granule a host may delegate: granule aligned, inside the
    /// platform's normal-world memory, outside the pool. Nil for anything else.
    func key(of pa: PhysicalAddress) -> UInt32? {
        // Every range is granule aligned (MemoryRanges.append), so an aligned address inside a
        // range starts a whole granule of it, and one outside every pool range starts a granule
        // that overlaps none.
        guard pa.isGranuleAligned, let i = normalWorld.granuleIndex(of: pa), pool.granuleIndex(of: pa) == nil,
              i < Int(UInt32.max)
        else { return nil }
        return UInt32(i + 1)
    }

    func address(ofKey key: UInt32) -> PhysicalAddress? {
        guard key != 0 else { return nil }
        return normalWorld.granuleAddress(at: Int(key - 1))
    }

    /// The name pool granule `index` is bound to (0: none). Stable while the caller holds the
    /// granule's lock or the binding lock.
    func name(of index: Int) -> UInt32 { names[index].load(ordering: .acquiring) }

    // MARK: the binding lock

    func withLock<T>(_ body: () -> T) -> T {
        while true {
            let (exchanged, _) = control[0].compareExchange(expected: 0, desired: 1, ordering: .acquiring)
            if exchanged { break }
        }
        let result = body()
        control[0].store(0, ordering: .releasing)
        return result
    }

    // MARK: the index (callers hold the binding lock)

    private func home(_ key: UInt32) -> Int {
        // Fibonacci hashing spreads consecutive pages; the multiply-shift maps the 32-bit hash
        // onto 0..<slotCount without a division.
        let h = UInt64(key &* 0x9E37_79B1)
        return Int((h &* UInt64(slotCount)) >> 32)
    }

    private func next(_ s: Int) -> Int { s + 1 == slotCount ? 0 : s + 1 }

    /// The slot holding `key`, if bound.
    private func slot(of key: UInt32) -> Int? {
        var s = home(key)
        for _ in 0..<slotCount {
            let v = slots[s].load(ordering: .relaxed)
            if v == 0 { return nil }
            if names[Int(v - 1)].load(ordering: .relaxed) == key { return s }
            s = next(s)
        }
        return nil
    }

    func lookupLocked(_ key: UInt32) -> Int? {
        guard let s = slot(of: key) else { return nil }
        return Int(slots[s].load(ordering: .relaxed) - 1)
    }

    /// Binds `key` to pool granule `index`, whose name is 0. The table has room: at most
    /// `count` of its `2 * count` slots are ever used.
    func insertLocked(_ key: UInt32, index: Int) {
        names[index].store(key, ordering: .releasing)
        var s = home(key)
        while slots[s].load(ordering: .relaxed) != 0 { s = next(s) }
        slots[s].store(UInt32(index + 1), ordering: .relaxed)
    }

    /// Unbinds pool granule `index` (bound to `key`). Linear probing's backward-shift deletion:
    /// no tombstones, so probe lengths stay those of the current load.
    func removeLocked(_ key: UInt32, index: Int) {
        guard var hole = slot(of: key) else { return }
        var j = hole
        while true {
            j = next(j)
            let v = slots[j].load(ordering: .relaxed)
            if v == 0 { break }
            let k = home(names[Int(v - 1)].load(ordering: .relaxed))
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j)
            if stays { continue }
            slots[hole].store(v, ordering: .relaxed)
            hole = j
        }
        slots[hole].store(0, ordering: .relaxed)
        names[index].store(0, ordering: .releasing)
    }

    /// Moves `key`'s binding from pool granule `from` to `to` (whose name is 0).
    func rebindLocked(_ key: UInt32, from: Int, to: Int) {
        guard let s = slot(of: key) else { return }
        names[to].store(key, ordering: .releasing)
        slots[s].store(UInt32(to + 1), ordering: .relaxed)
        names[from].store(0, ordering: .releasing)
    }

    /// Number of bound granules (tests; walks the whole table).
    func boundCount() -> Int {
        var n = 0
        for s in 0..<slotCount where slots[s].load(ordering: .relaxed) != 0 { n += 1 }
        return n
    }

    // MARK: free pool granules (callers hold the binding lock)

    func isFreeLocked(_ index: Int) -> Bool {
        free[index / 64].load(ordering: .relaxed) & (1 << UInt64(index % 64)) != 0
    }

    /// Takes granule `index` off the free set; false if it was not free.
    func claimLocked(_ index: Int) -> Bool {
        let w = index / 64, bit: UInt64 = 1 << UInt64(index % 64)
        let v = free[w].load(ordering: .relaxed)
        guard v & bit != 0 else { return false }
        free[w].store(v & ~bit, ordering: .relaxed)
        return true
    }

    func releaseLocked(_ index: Int) {
        let w = index / 64
        free[w].store(free[w].load(ordering: .relaxed) | 1 << UInt64(index % 64), ordering: .relaxed)
    }

    /// Claims any free pool granule, searching from where the last search stopped: a word
    /// scan, at most n/64 words when the pool is nearly full.
    func claimAnyLocked() -> Int? {
        let start = Int(control[1].load(ordering: .relaxed)) % max(freeWords, 1)
        for step in 0..<freeWords {
            let w = (start + step) % freeWords
            let v = free[w].load(ordering: .relaxed)
            if v != 0 {
                let index = 64 * w + v.trailingZeroBitCount
                free[w].store(v & (v - 1), ordering: .relaxed)
                control[1].store(UInt32(truncatingIfNeeded: w), ordering: .relaxed)
                return index
            }
        }
        return nil
    }

    /// Claims `run` free pool granules that are physically contiguous and whose first address
    /// is aligned to `run` granules (concatenated starting-level RTTs). Returns the first
    /// index; nil when the free pool has no such run.
    func claimRunLocked(_ run: Int) -> Int? {
        guard run >= 1, run <= 64 else { return nil }
        var i = 0
        while i + run <= count {
            if free[i / 64].load(ordering: .relaxed) == 0 && i % 64 == 0 {
                i += 64
                continue
            }
            if let pa = pool.granuleAddress(at: i), pa.value & (UInt64(run) << granuleShift - 1) == 0,
               let last = pool.granuleAddress(at: i + run - 1), last.value == pa.value + UInt64(run - 1) << granuleShift {
                var all = true
                for j in i..<(i + run) where !isFreeLocked(j) { all = false }
                if all {
                    for j in i..<(i + run) { _ = claimLocked(j) }
                    return i
                }
            }
            i += 1
        }
        return nil
    }
}
