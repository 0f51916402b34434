// A REC marked as running (refcount 1) by REC_ENTER. While the mark is set the REC's content
// belongs to the CPU running it, which reaches it without the granule lock (the realm runs
// for a long time, and other CPUs must see RMI_ERROR_REC rather than wait). Every other
// command takes the REC lock and backs off when the mark is set. The mark is cleared when
// this handle goes away.

struct RunningREC: ~Copyable {
    private let table: GranuleDescriptorWords
    private let index: Int
    let state: UnsafeMutablePointer<RECState>

    /// Marks the locked, idle REC `g` as running; nil when it already runs elsewhere.
    init?(_ g: borrowing LockedGranule, table: borrowing GranuleTable) {
        guard table.exchangeRefcount(g.index, expected: 0, desired: 1) else { return nil }
        self.table = table.descriptors
        self.index = g.index
        self.state = g.rec
    }

    deinit { table.releaseReference(index) }
}
