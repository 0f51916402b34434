// VMIDs in use, as a bitmap of atomic words in platform-provided memory: REALM_CREATE reserves
// a realm's VMID atomically and REALM_DESTROY releases it (DEN0137 RMI_REALM_CREATE
// vmid_valid / vmid_free).

import Synchronization

struct VMIDAllocator {
    let words: UnsafeMutablePointer<Atomic<UInt32>>
    let width: UInt8

    static func wordCount(width: UInt8) -> Int { (1 << Int(width)) / 32 }

    init(words: UnsafeMutablePointer<Atomic<UInt32>>, width: UInt8) {
        self.words = words
        self.width = width
        for i in 0..<Self.wordCount(width: width) { (words + i).initialize(to: Atomic(0)) }
    }

    func isValid(_ vmid: UInt64) -> Bool { vmid < UInt64(1) << UInt64(width) }

    /// Claims `vmid`; false when it is beyond the platform's VMID width or already in use.
    func reserve(_ vmid: UInt64) -> Bool {
        guard isValid(vmid) else { return false }
        let bit = UInt32(1) << UInt32(vmid & 31)
        let (old, _) = words[Int(vmid >> 5)].bitwiseOr(bit, ordering: .acquiringAndReleasing)
        return old & bit == 0
    }

    func release(_ vmid: UInt64) {
        guard isValid(vmid) else { return }
        words[Int(vmid >> 5)].bitwiseAnd(~(UInt32(1) << UInt32(vmid & 31)), ordering: .acquiringAndReleasing)
    }

    func isInUse(_ vmid: UInt64) -> Bool {
        guard isValid(vmid) else { return false }
        return words[Int(vmid >> 5)].load(ordering: .acquiring) & (UInt32(1) << UInt32(vmid & 31)) != 0
    }
}
