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

    /// Runs the realm once, from `state`, until the first exception the TMM must see, and
    /// saves the realm's state back into `state` (see RealmExecution.swift for exactly what is
    /// loaded and saved). The core has already applied everything it decided, including
    /// injected exceptions; the hardware changes nothing before entry. Called by REC_ENTER's
    /// run loop, possibly many times per REC_ENTER, never with a granule lock held.
    func runRealm(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit

    /// Calls `body` with this boot's Realm Attestation Key and the platform token whose
    /// challenge binds that key (`CCAToken.platformChallenge`); nil, without calling `body`,
    /// when the platform has no attestation material. Called from the run loop.
    func withAttestationMaterial<R>(_ body: (borrowing RealmAttestationKey, UnsafeRawBufferPointer) -> R) -> R?
}
