// What a REC keeps in its auxiliary granules (RMI_REC_AUX_COUNT = 4, named by the host at
// REC_CREATE, in no particular order or place, and scrubbed when REC_DESTROY returns them to
// DELEGATED):
//
//   aux[0], aux[1]  the attestation token under delivery (SegmentedTokenStorage segments)
//   aux[2]          scratch where INIT signs the realm token before copying it into place
//   aux[3]          unused (reserved for PMU/SVE state)
//
// They are reached only by the CPU running the REC (the running mark excludes REC_DESTROY),
// so no lock is taken.

extension TMM {
    static var attestationAuxGranules: Int { 3 }

    /// The REC's token storage; nil if its auxiliary granules are not pool granules (the
    /// invariants exclude it; REC_CREATE checked them).
    func attestationStorage(_ rec: RECState) -> SegmentedTokenStorage? {
        guard Int(rec.auxCount) >= Self.attestationAuxGranules else { return nil }
        for i in 0..<Self.attestationAuxGranules where granules.index(of: PhysicalAddress(rec.aux[i])) == nil { return nil }
        return SegmentedTokenStorage(
            segments: [hardware.granulePointer(PhysicalAddress(rec.aux[0])), hardware.granulePointer(PhysicalAddress(rec.aux[1]))],
            scratch: hardware.granulePointer(PhysicalAddress(rec.aux[2])))
    }
}
