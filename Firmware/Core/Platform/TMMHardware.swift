// The hardware the core drives, behind one protocol. The firmware's back-end implements it with
// identity-mapped secure memory, an NS=1 mapping of normal-world DRAM and TLBI instructions; host
// tests implement it with buffers and recorders. The core is generic over it (no existentials:
// Embedded Swift specialises the firmware's one conformance).
//
// Every requirement may be called from several CPUs at once; none is called with a realm's
// stage-2 tables in a half-written state visible to the hardware walker except where noted.

public protocol TMMHardware {
    /// Where the TMM reaches the 4 KiB granule at `pa`. Called only for granule-aligned
    /// addresses inside the secure pool (the core checks first).
    func granulePointer(_ pa: PhysicalAddress) -> UnsafeMutableRawPointer

    /// Copies `destination.count` bytes of normal-world memory starting at `pa` into TMM memory.
    /// The core has already checked that the bytes lie in normal-world memory outside the pool.
    /// False when the access faulted; the destination content is then unspecified.
    func copyFromNormalWorld(_ pa: PhysicalAddress, into destination: UnsafeMutableRawBufferPointer) -> Bool

    /// Copies `source` to normal-world memory at `pa` (checked as above). False on a fault.
    func copyToNormalWorld(_ pa: PhysicalAddress, from source: UnsafeRawBufferPointer) -> Bool

    /// Invalidates stage-2 TLB entries for `ipa` cached from a descriptor at `level` (0...3),
    /// for `vmid`, on every CPU (TLBI IPAS2E1IS + DSB + TLBI VMALLE1IS as the architecture
    /// requires when a stage-2 entry changes). Called after a valid entry was changed or removed.
    func invalidateStage2(ipa: IPA, level: Int, vmid: UInt16)

    /// Invalidates every stage-2 and combined TLB entry of `vmid` on every CPU. Called when a
    /// table is folded or destroyed (every entry below it may be cached) and before a VMID is
    /// reused.
    func invalidateStage2(vmid: UInt16)

    /// Runs a REC until it exits. `context` holds the REC's general registers and PC and
    /// is updated with the state at exit. The core has done every REC_ENTER check and has
    /// already applied the host's entry flags. Not called while any granule lock is held.
    func enterREC(_ context: inout RECContext, realm: RealmExecutionInfo, entry: RECEntry) -> RECExit
}
