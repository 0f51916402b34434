import AArch64
import RealmLayout

// An SGI the realm sends itself, the way an SMP guest sends IPIs: a write to ICC_SGI1R_EL1
// naming this PE's affinity. The TMM passes the write to the host in a SYNC exit; the host
// delivers the SGI through a list register at the next REC_ENTER, and the TMM's emulated CPU
// interface injects it as a virtual IRQ, which the IRQ handler acknowledges and ends.

enum SGIChecks {
    static func run(_ checks: inout RealmChecks) {
        prepareForInterrupt()
        let value = toSelf(intid: UInt64(REALM_TEST_SGI))
        // IRQs unmasked at the write: the TMM injects the SGI as soon as the host's REC_ENTER
        // brings it, rather than at the next exit after a later unmask.
        unmask_irq()
        write_icc_sgi1r_el1(value)
        isb()
        awaitInterrupt()

        var detail = LogLine(": ICC_SGI1R_EL1 ")
        detail.hex(value)
        detail.append(", IRQ handler took INTID ")
        detail.decimal(interruptID)
        detail.append(", ")
        detail.decimal(interruptCount)
        detail.append(" interrupt(s)")
        checks.expect("GIC: an SGI to itself (ICC_SGI1R_EL1) arrives as a virtual IRQ with its INTID, acknowledged and ended",
                      interruptCount == 1 && interruptID == UInt64(REALM_TEST_SGI), detail)
    }

    /// ICC_SGI1R_EL1 for SGI `intid` to this PE alone: Aff3/Aff2/Aff1 from MPIDR_EL1, RS and
    /// the TargetList bit from Aff0, IRM 0.
    static func toSelf(intid: UInt64) -> UInt64 {
        let mpidr = read_mpidr_el1()
        let aff0 = mpidr & 0xFF
        return (mpidr >> 32 & 0xFF) << 48 | (aff0 >> 4) << 44 | (mpidr >> 16 & 0xFF) << 32
            | (intid & 0xF) << 24 | (mpidr >> 8 & 0xFF) << 16 | 1 << (aff0 & 0xF)
    }
}
