// The EL3 image has no stage 2 (a CPU without Secure EL2): the RTTs are the record of a realm's
// memory, not a translation the CPU caches, so there is nothing to invalidate when they change.
// The realm's own stage-1 translations are invalidated before every run instead
// (RECExecution.swift): Secure EL1 has no VMID to tell realms apart.

func stage2InvalidateIPA(_ ipa: UInt64, vmid: UInt16) {}

func stage2InvalidateVMID(_ vmid: UInt16) {}
