// Holding a granule's lock. A `LockedGranule` is the only way to reach a granule's content or
// change its state; the lock is released when the handle goes away, so no path can return with
// a lock still held. Pointers taken from `contents` must not outlive the handle.

struct LockedGranule: ~Copyable {
    private let table: GranuleDescriptorWords
    let index: Int
    let address: PhysicalAddress
    let contents: UnsafeMutableRawPointer

    /// Locks granule `index`; the caller follows the lock order in GranuleDescriptor.swift.
    init(table: borrowing GranuleTable, index: Int, address: PhysicalAddress, contents: UnsafeMutableRawPointer) {
        self.table = table.descriptors
        self.index = index
        self.address = address
        self.contents = contents
        table.lock(index)
    }

    deinit { table.unlock(index) }

    var state: GranuleState? { table.descriptor(at: index).state }
    var refcount: UInt32 { table.descriptor(at: index).refcount }

    /// Moves the granule to `newState`. A granule entering DELEGATED or UNDELEGATED is
    /// scrubbed here, so that no path can hand out a previous owner's data and every unlocked
    /// DELEGATED granule is zero; it is also unreferenced, so its refcount restarts at 0.
    func transition(to newState: GranuleState) {
        let released = newState == .delegated || newState == .undelegated
        if released { zeroContents() }
        table.update(index) { released ? $0.with(state: newState).with(refcount: 0) : $0.with(state: newState) }
    }

    /// Adds `delta` (which may be negative) to the refcount. Refused, with no change, when the
    /// result would leave 0...GranuleDescriptor.maxRefcount.
    @discardableResult
    func adjustRefcount(by delta: Int) -> Bool {
        let current = Int(refcount)
        let next = current + delta
        guard next >= 0, next <= Int(GranuleDescriptor.maxRefcount) else { return false }
        table.update(index) { $0.with(refcount: UInt32(next)) }
        return true
    }

    func zeroContents() {
        var offset = 0
        while offset < Int(granuleSize) {
            contents.storeBytes(of: 0, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
    }
}
