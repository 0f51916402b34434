import AArch64

// Realms at Secure EL1 as seen from the host, with three minimal RECs of hand-assembled code:
//   REC 0:  mov x0, #0x55; mov x1, #0x80_0000_0000; str x0, [x1]   -> an MMIO exit (SYNC)
//   REC 1:  b .                                                     -> spins until preempted
//   REC 2:  msr ICC_PMR_EL1, xzr; mrs x0, ICC_IAR1_EL1; msr ICC_EOIR1_EL1, x0;
//           msr ICC_DIR_EL1, x0; msr ICC_BPR1_EL1, xzr; msr ICC_IGRPEN1_EL1, xzr;
//           msr ICC_SGI1R_EL1, x0; b .                             -> tries to mask,
//           acknowledge, end, deactivate and reprioritise physical interrupts, to disable
//           their group and to interrupt other CPUs, then spins
// The host's own EL2 physical timer must end the runs of REC 1 and REC 2, and after REC 2 the
// host's interrupt must still be pending for the host to acknowledge: a realm can neither keep
// the host from its CPU nor touch its interrupts (Docs/realm-execution.md). On the EL3 image the
// code's page is identity-placed and REC 0's MMIO store is not run (Docs/el3-realms.md).

enum RealmPreemptionChecks {
    private static let code: InlineArray<13, UInt32> = [
        0xD280_0AA0, 0xD2C0_1001, 0xF900_0020, 0x1400_0000,   // REC 0 at IPA 0x0
        0x1400_0000,                                           // REC 1 at IPA 0x10
        0xD518_461F, 0xD538_CC00, 0xD518_CC20, 0xD518_CB20,   // REC 2 at IPA 0x14
        0xD518_CC7F, 0xD518_CCFF, 0xD518_CBA0, 0x1400_0000,
    ]
    private static let recPCs: InlineArray<3, UInt64> = [0x0, 0x10, 0x14]
    private static let hypervisorTimerPPI: UInt32 = 26

    static func run(_ checks: inout CheckRecorder, pool poolRange: (base: UInt64, size: UInt64)?) {
        guard let poolRange else { return }
        var pool = GranulePool(base: poolRange.base, size: poolRange.size)
        let rtt0 = pool.takeStartTables(2)!, rd = pool.take()!, rttL2 = pool.take()!, rttL3 = pool.take()!, data = pool.take()!
        let auxCount = 4
        var recs = InlineArray<3, UInt64>(repeating: 0)
        var aux = InlineArray<3, UInt64>(repeating: 0)
        for i in 0..<3 {
            recs[i] = pool.take()!
            aux[i] = pool.take(UInt64(auxCount))!
        }
        var granules = InlineArray<23, UInt64>(repeating: 0)
        var count = 0
        let fixed: InlineArray<6, UInt64> = [rd, rtt0, rtt0 + 0x1000, rttL2, rttL3, data]
        for i in fixed.indices {
            granules[count] = fixed[i]
            count += 1
        }
        for i in 0..<3 {
            granules[count] = recs[i]
            count += 1
            for j in 0..<auxCount {
                granules[count] = aux[i] + UInt64(j) << 12
                count += 1
            }
        }
        var ok = true
        for i in 0..<count { ok = ok && RMI.granuleDelegate(granules[i]).succeeded }
        // The code's page at IPA 0, or without stage 2 (the EL3 image) at its own address
        // (identity placement, Docs/el3-realms.md); the code is position-independent.
        let identity = RealmPlacement.identity
        let base: UInt64 = identity ? data : 0

        let params = NonSecurePage(index: 4)
        params.writeRealmParams(ipaWidth: 40, features: RMIFeatures(RMI.features(0).x1), rpv: nil, vmid: 2,
                                startTables: rtt0, startLevel: 1, startTableCount: 2)
        ok = ok && RMI.realmCreate(rd: rd, params: params.address).succeeded
        ok = ok && RMI.rttCreate(rd: rd, rtt: rttL2, ipa: base & ~0x3FFF_FFFF, level: 2).succeeded
        ok = ok && RMI.rttCreate(rd: rd, rtt: rttL3, ipa: base & ~0x1F_FFFF, level: 3).succeeded
        ok = ok && RMI.rttInitRIPAS(rd: rd, base: base, top: base + 0x1000).succeeded
        let source = NonSecurePage(index: 5)
        source.clear()
        for i in code.indices {
            UnsafeMutableRawPointer(bitPattern: UInt(source.address))!
                .storeBytes(of: code[i], toByteOffset: 4 * i, as: UInt32.self)
        }
        ok = ok && RMI.dataCreate(rd: rd, data: data, ipa: base, source: source.address, flags: 1).succeeded
        let recParams = NonSecurePage(index: 6)
        for i in 0..<3 {
            // MPIDR = REC index.
            recParams.writeRecParams(runnable: true, mpidr: UInt64(i), pc: base + recPCs[i], auxBase: aux[i], auxCount: UInt64(auxCount))
            ok = ok && RMI.recCreate(rd: rd, rec: recs[i], params: recParams.address).succeeded
        }
        ok = ok && RMI.realmActivate(rd: rd).succeeded
        checks.expect("realm execution: a realm of three RECs is built", ok)

        let run = NonSecurePage(index: 7)
        run.clear()
        if identity {
            // Its store reaches the host only where the CPU takes the external abort to EL3
            // (SCR_EL3.EA); QEMU 7.2 takes it at the realm's EL1, which this code has no vector for.
            console.print("[host] N/A realm execution: REC 0's MMIO store (the CPU may take its external abort at the realm's EL1)")
        } else {
            mmioCheck(&checks, rec: recs[0], run: run)
        }
        preemption(&checks, recs: recs, run: run)

        var torn = true
        for i in 0..<3 { torn = torn && RMI.recDestroy(rec: recs[i]).succeeded }
        torn = torn && RMI.dataDestroy(rd: rd, ipa: base).succeeded
        torn = torn && RMI.rttDestroy(rd: rd, ipa: base & ~0x1F_FFFF, level: 3).succeeded
        torn = torn && RMI.rttDestroy(rd: rd, ipa: base & ~0x3FFF_FFFF, level: 2).succeeded
        torn = torn && RMI.realmDestroy(rd: rd).succeeded
        for i in 0..<count { torn = torn && RMI.granuleUndelegate(granules[i]).succeeded }
        checks.expect("realm execution: the realm is torn down and its granules undelegated", torn)
    }

    private static func mmioCheck(_ checks: inout CheckRecorder, rec: UInt64, run: NonSecurePage) {
        let mmio = RMI.recEnter(rec: rec, run: run.address)
        let esr = run.load64(at: RecRun.exitESR)
        var detail = LogLine(": exit ")
        detail.decimal(run.load64(at: RecRun.exitReason))
        detail.append(" ESR ")
        detail.hex(esr)
        detail.append(" HPFAR ")
        detail.hex(run.load64(at: RecRun.exitHPFAR))
        checks.expect("realm execution: a store to an unprotected IPA exits with a data abort (SYNC, EC 0x24, HPFAR of the IPA)",
                      mmio.succeeded && run.load64(at: RecRun.exitReason) == RecRun.sync && esr >> 26 == 0x24
                      && run.load64(at: RecRun.exitHPFAR) == 0x80_0000_0000 >> 8, detail)
    }

    private static func preemption(_ checks: inout CheckRecorder, recs: InlineArray<3, UInt64>, run: NonSecurePage) {
        enableHostPPIs(1 << hypervisorTimerPPI)
        // Unimplemented low priority bits read as zero: compare with what the host reads back.
        let hostPriorityMask = read_icc_pmr_el1()
        let spinExit = runUntilPreempted(rec: recs[1], run: run)
        // The host's timer is a Non-secure Group 1 interrupt: an IRQ to the host, so the exit is
        // RMI_EXIT_IRQ, as on RME hardware, whatever the CPU signalled while the realm ran.
        checks.expect("realm execution: a spinning realm is preempted by the host's timer (exit IRQ)",
                      spinExit.reason == RecRun.irq, exitDetail(spinExit.reason))
        let gicExit = runUntilPreempted(rec: recs[2], run: run)
        checks.expect("realm execution: a realm that writes ICC_PMR_EL1 = 0 is still preempted by the host's timer",
                      gicExit.reason == RecRun.irq, exitDetail(gicExit.reason))
        var pending = LogLine(": ICC_HPPIR1_EL1 ")
        pending.decimal(gicExit.pending)
        pending.append(", ICC_IAR1_EL1 ")
        pending.decimal(gicExit.acknowledged)
        checks.expect("realm execution: the realm's IAR1/EOIR1/DIR/IGRPEN1 accesses leave the host's interrupt pending for the host",
                      gicExit.pending == UInt64(hypervisorTimerPPI) && gicExit.acknowledged == UInt64(hypervisorTimerPPI), pending)
        var mask = LogLine(": ")
        mask.hex(read_icc_pmr_el1())
        checks.expect("realm execution: the host's GIC priority mask is untouched",
                      read_icc_pmr_el1() == hostPriorityMask && hostPriorityMask != 0, mask)
    }

    private static func exitDetail(_ reason: UInt64) -> LogLine {
        var line = LogLine(": exit reason ")
        line.decimal(reason)
        return line
    }

    /// Arms the host's EL2 physical timer for 10 ms and enters the REC until an exit that is
    /// not SYNC, for at most one second. Returns the last exit reason, then the host's highest
    /// pending Group-1 interrupt (ICC_HPPIR1_EL1) and what the host's own acknowledge returns,
    /// read before the timer is stopped; the host ends that interrupt itself.
    private static func runUntilPreempted(rec: UInt64, run: NonSecurePage)
        -> (reason: UInt64, pending: UInt64, acknowledged: UInt64)
    {
        write_cnthp_tval_el2(read_cntfrq_el0() / 100)
        write_cnthp_ctl_el2(1)
        isb()
        var reason = UInt64.max
        let deadline = read_cntpct_el0() + read_cntfrq_el0()
        while read_cntpct_el0() < deadline {
            run.clear()
            guard RMI.recEnter(rec: rec, run: run.address).succeeded else { break }
            reason = run.load64(at: RecRun.exitReason)
            if reason != RecRun.sync { break }
        }
        let pending = read_icc_hppir1_el1() & 0xFF_FFFF
        let acknowledged = read_icc_iar1_el1() & 0xFF_FFFF
        write_cnthp_ctl_el2(0)
        isb()
        if acknowledged < 1020 { write_icc_eoir1_el1(acknowledged) }
        isb()
        return (reason, pending, acknowledged)
    }
}
