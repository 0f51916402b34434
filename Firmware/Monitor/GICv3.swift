import AArch64
import PlatformDefinitions

// GICv3 set up from the Secure side for a normal world that drives interrupts itself (Arm IHI
// 0069): affinity routing for both security states, every SPI, SGI and PPI in Group 1
// Non-secure, every redistributor awake, and the EL3 system-register interface enabled.

enum GICv3 {
    private static let distributor = UInt64(PLAT_GICD_BASE)
    private static let redistributors = UInt64(PLAT_GICR_BASE)
    private static let redistributorStride = UInt64(PLAT_GICR_STRIDE)

    // Distributor registers.
    private static let gicdCTLR: UInt64 = 0x0000
    private static let gicdTYPER: UInt64 = 0x0004
    private static let gicdIGROUPR: UInt64 = 0x0080
    private static let gicdIGRPMODR: UInt64 = 0x0D00
    private static let ctlrEnableGroup0: UInt32 = 1 << 0
    private static let ctlrEnableGroup1NS: UInt32 = 1 << 1
    private static let ctlrEnableGroup1S: UInt32 = 1 << 2
    private static let ctlrAffinityRoutingSecure: UInt32 = 1 << 4
    private static let ctlrAffinityRoutingNonSecure: UInt32 = 1 << 5
    private static let ctlrRegisterWritePending: UInt32 = 1 << 31

    // Redistributor registers (RD_base frame, then SGI_base frame at +64 KiB).
    private static let gicrTYPER: UInt64 = 0x0008
    private static let gicrWAKER: UInt64 = 0x0014
    private static let wakerProcessorSleep: UInt32 = 1 << 1
    private static let wakerChildrenAsleep: UInt32 = 1 << 2
    private static let typerLast: UInt64 = 1 << 4
    private static let sgiFrame: UInt64 = 0x1_0000
    private static let gicrIGROUPR0: UInt64 = 0x0080
    private static let gicrISPENDR0: UInt64 = 0x0200
    private static let gicrIGRPMODR0: UInt64 = 0x0D00

    /// Sets up the distributor and wakes every redistributor; returns the number of CPUs
    /// (redistributors up to the one marked Last), capped at PLAT_MAX_CPUS.
    static func initializeDistributorAndRedistributors() -> Int {
        mmio_write32(distributor + gicdCTLR, ctlrAffinityRoutingSecure | ctlrAffinityRoutingNonSecure)
        waitForDistributorWrites()
        // ITLinesNumber: 32 * (N + 1) interrupt IDs; registers from index 1 cover SPIs.
        let lines = Int(mmio_read32(distributor + gicdTYPER) & 0x1F) + 1
        for index in 1..<lines {
            let offset = UInt64(4 * index)
            mmio_write32(distributor + gicdIGROUPR + offset, 0xFFFF_FFFF)
            mmio_write32(distributor + gicdIGRPMODR + offset, 0)
        }
        mmio_write32(distributor + gicdCTLR,
                     ctlrAffinityRoutingSecure | ctlrAffinityRoutingNonSecure
                     | ctlrEnableGroup0 | ctlrEnableGroup1NS | ctlrEnableGroup1S)
        waitForDistributorWrites()

        var count = 0
        while count < Int(PLAT_MAX_CPUS) {
            let frame = redistributors + UInt64(count) * redistributorStride
            wake(redistributor: frame)
            mmio_write32(frame + sgiFrame + gicrIGROUPR0, 0xFFFF_FFFF)
            mmio_write32(frame + sgiFrame + gicrIGRPMODR0, 0)
            count += 1
            if mmio_read64(frame + gicrTYPER) & typerLast != 0 { break }
        }
        return count
    }

    /// ICC_SRE_EL3: system-register interface at EL3 (SRE), IRQ/FIQ bypass disabled (DIB, DFB),
    /// and lower ELs allowed to enable it themselves (Enable).
    static func initializeCPUInterface() {
        write_icc_sre_el3(0xF)
        isb()
    }

    /// Whether SGI/PPI `intid` (0-31) is pending at CPU `cpu`'s redistributor: for a
    /// level-sensitive PPI, whether its input line is asserted (GICR_ISPENDR0, IHI 0069 12.11.27).
    static func isPrivateInterruptPending(_ intid: UInt32, cpu: Int) -> Bool {
        let frame = redistributors + UInt64(cpu) * redistributorStride
        return mmio_read32(frame + sgiFrame + gicrISPENDR0) & (1 << (intid & 31)) != 0
    }

    private static func wake(redistributor frame: UInt64) {
        let waker = mmio_read32(frame + gicrWAKER)
        mmio_write32(frame + gicrWAKER, waker & ~wakerProcessorSleep)
        while mmio_read32(frame + gicrWAKER) & wakerChildrenAsleep != 0 {}
    }

    private static func waitForDistributorWrites() {
        while mmio_read32(distributor + gicdCTLR) & ctlrRegisterWritePending != 0 {}
    }
}
