import Synchronization

/// A test-and-set spinlock. Exclusive accesses need the MMU on (normal cacheable memory):
/// firmware takes no lock before enabling its translation tables.
struct SpinLock: ~Copyable {
    private let word = Atomic<UInt32>(0)

    init() {}

    func acquire() {
        while true {
            if word.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { return }
            while word.load(ordering: .relaxed) != 0 {}
        }
    }

    func release() {
        word.store(0, ordering: .releasing)
    }
}
