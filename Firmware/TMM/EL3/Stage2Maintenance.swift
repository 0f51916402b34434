// The EL3 image runs no realm yet (it targets CPUs without Secure EL2, and realm execution there
// is a later step), so no stage-2 translation of a realm is ever cached: nothing to invalidate.

func stage2InvalidateIPA(_ ipa: UInt64, vmid: UInt16) {}

func stage2InvalidateVMID(_ vmid: UInt16) {}
