// RMI_RTT_INIT_RIPAS and RMI_RTT_SET_RIPAS (DEN0137 B4.3.16, B4.3.19).

import Testing
@testable import TMMCore

@Suite struct RTTInitRIPASTests {
    @Test func stopsAtTheEndOfTheTableAndMeasuresEachEntry() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        var rim = h.rim(realm)
        // [2 MiB - 8 KiB, 2 MiB + 8 KiB): only the part in the level-3 table is done.
        let base = mib2 - 0x2000
        #expect(h.call(.rttInitRIPAS, realm.rd, base, mib2 + 0x2000) == RMIResult(x0: 0, x1: mib2))
        rim = Reference.extendRIPAS(rim, base: base, top: base + 0x1000, algorithm: 0)
        rim = Reference.extendRIPAS(rim, base: base + 0x1000, top: mib2, algorithm: 0)
        #expect(h.rim(realm) == rim)
        // The rest lies in a level-2 entry (2 MiB) that [2 MiB, 2 MiB + 8 KiB) does not cover.
        #expect(h.call(.rttInitRIPAS, realm.rd, mib2, mib2 + 0x2000) == RMIResult(x0: Status.rtt(2)))
        // A whole level-2 entry at once is one measurement.
        #expect(h.call(.rttInitRIPAS, realm.rd, mib2, 2 * mib2) == RMIResult(x0: 0, x1: 2 * mib2))
        rim = Reference.extendRIPAS(rim, base: mib2, top: 2 * mib2, algorithm: 0)
        #expect(h.rim(realm) == rim)
        #expect(h.readEntry(realm, mib2, level: 2) == RMIResult(x0: 0, x1: 2, x2: Entry.unassigned, x3: 0, x4: Entry.ram))
        // Already RAM: done again (and measured again).
        #expect(h.call(.rttInitRIPAS, realm.rd, mib2, 2 * mib2) == RMIResult(x0: 0, x1: 2 * mib2))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func stopsAtAnAssignedEntry() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        #expect(h.call(.dataCreateUnknown, realm.rd, h.delegated(), 0x2000).x0 == 0)
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x4000) == RMIResult(x0: 0, x1: 0x2000))
        #expect(h.call(.rttInitRIPAS, realm.rd, 0x2000, 0x4000) == RMIResult(x0: Status.rtt(3)))
    }

    @Test func failureConditions() {
        let h = Harness()
        let realm = h.createRealm()
        func initRIPAS(_ base: UInt64, _ top: UInt64, rd: UInt64? = nil) -> RMIResult {
            h.call(.rttInitRIPAS, rd ?? realm.rd, base, top)
        }
        // size_valid, rd_*, alignment, bounds (protected half only)
        #expect(initRIPAS(0x2000, 0x2000) == RMIResult(x0: Status.input))
        #expect(initRIPAS(0x3000, 0x2000) == RMIResult(x0: Status.input))
        #expect(initRIPAS(0, 0x1000, rd: h.delegated()) == RMIResult(x0: Status.input))
        #expect(initRIPAS(0x10, 0x1000) == RMIResult(x0: Status.input))
        #expect(initRIPAS(0, 0x1800) == RMIResult(x0: Status.input))
        #expect(initRIPAS(realm.parSize - 0x1000, realm.parSize + 0x1000) == RMIResult(x0: Status.input))
        #expect(initRIPAS(realm.parSize, realm.parSize + 0x1000) == RMIResult(x0: Status.input))
        #expect(initRIPAS(0, UInt64.max & ~0xFFF) == RMIResult(x0: Status.input))
        // rtt_walk: the level-1 entry at 0 covers [0, 1 GiB), which [0, 4 KiB) does not.
        #expect(initRIPAS(0, 0x1000) == RMIResult(x0: Status.rtt(1)))
        // realm_state, before the walk
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        #expect(initRIPAS(0, 0x1000) == RMIResult(x0: Status.realm(0)))
        #expect(initRIPAS(0, 0x1000, rd: realm.rd + 8) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
    }
}

@Suite struct RTTSetRIPASTests {
    /// An active realm with a REC that asked (RSI_IPA_STATE_SET) to change [base, top) to
    /// `ripas`.
    func requested(base: UInt64, top: UInt64, ripas: UInt8, changeDestroyed: Bool = false)
        -> (Harness, TestRealm, UInt64, UInt64) {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        let (rec, _, _) = h.createREC(realm)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        let run = h.freshNS()
        h.machine.realmScript = [.smc(0xC400_0197, base, top, UInt64(ripas), changeDestroyed ? 1 : 0)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        // RmiRecExit: exit_reason RIPAS_CHANGE (4), ripas_base, ripas_top, ripas_value.
        #expect(h.machine.read64(run + 0x800) == 4)
        #expect(h.machine.read64(run + 0xD00) == base && h.machine.read64(run + 0xD08) == top)
        #expect(h.machine.bytes(run + 0xD10, count: 1) == [ripas])
        return (h, realm, rec, run)
    }

    @Test func changesInStepsAndReportsToTheRealm() {
        let (h, realm, rec, run) = requested(base: 0x1000, top: 0x4000, ripas: 1)
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x1000, 0x2000) == RMIResult(x0: 0, x1: 0x2000))
        // base must be where the previous step stopped.
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x1000, 0x3000) == RMIResult(x0: Status.input))
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x2000, 0x4000) == RMIResult(x0: 0, x1: 0x4000))
        for ipa: UInt64 in [0x1000, 0x3000] {
            #expect(h.readEntry(realm, ipa, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.unassigned, x3: 0, x4: Entry.ram))
        }
        #expect(h.readEntry(realm, 0, level: 3).x4 == Entry.empty)
        // On the next entry the realm's RSI_IPA_STATE_SET returns x0 = RSI_SUCCESS, x1 = top
        // reached, x2 = ACCEPT.
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        let context = h.machine.runs.last!.state
        #expect(context.gprs[0] == 0 && context.gprs[1] == 0x4000 && context.gprs[2] == 0)
        // The request is finished: another SET_RIPAS has nothing to serve.
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x4000, 0x5000) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func hostRejectionIsReported() {
        let (h, realm, rec, run) = requested(base: 0x1000, top: 0x4000, ripas: 1)
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x1000, 0x2000).x0 == 0)
        h.machine.write64(run, 1 << 4)   // RIPAS_RESPONSE = REJECT
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        let context = h.machine.runs.last!.state
        #expect(context.gprs[1] == 0x2000 && context.gprs[2] == 1)
    }

    @Test func unassignedEntriesNeedNoInvalidation() {
        let (h, realm, rec, _) = requested(base: 0, top: 0x2000, ripas: 0)
        #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x2000).x0 == Status.realm(0))
        h.machine.invalidations.removeAll()
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0, 0x2000) == RMIResult(x0: 0, x1: 0x2000))
        // Invalid entries were never cached by the walker.
        #expect(h.machine.invalidations.isEmpty)
        #expect(h.readEntry(realm, 0x1000, level: 3).x4 == Entry.empty)
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func destroyedNeedsPermission() {
        for permitted in [false, true] {
            let h = Harness()
            let realm = h.createRealm()
            h.createTables(realm, ipa: 0, downTo: 3)
            #expect(h.call(.rttInitRIPAS, realm.rd, 0, 0x2000).x0 == 0)
            let d = h.delegated()
            #expect(h.call(.dataCreate, realm.rd, d, 0, h.freshNS(), 0).x0 == 0)
            let (rec, _, _) = h.createREC(realm)
            #expect(h.call(.realmActivate, realm.rd).x0 == 0)
            #expect(h.call(.dataDestroy, realm.rd, 0).x0 == 0)   // page 0 is now DESTROYED
            h.machine.realmScript = [.smc(0xC400_0197, 0, 0x2000, UInt64(1), permitted ? 1 : 0)]
            #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
            let r = h.call(.rttSetRIPAS, realm.rd, rec, 0, 0x2000)
            if permitted {
                #expect(r == RMIResult(x0: 0, x1: 0x2000))
                #expect(h.readEntry(realm, 0, level: 3).x4 == Entry.ram)
            } else {
                // The first entry cannot change: no progress at all.
                #expect(r == RMIResult(x0: Status.rtt(3)))
                #expect(h.readEntry(realm, 0, level: 3).x4 == Entry.destroyed)
            }
            #expect(h.checkInvariants().isEmpty)
        }
    }

    @Test func assignedRAMBecomesEmptyWithInvalidation() {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        let d = h.delegated()
        #expect(h.call(.dataCreate, realm.rd, d, 0x1000, h.freshNS(), 0).x0 == 0)
        let (rec, _, _) = h.createREC(realm)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        h.machine.realmScript = [.smc(0xC400_0197, 0x1000, 0x2000, UInt64(0), 0)]
        #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
        h.machine.invalidations.removeAll()
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x1000, 0x2000) == RMIResult(x0: 0, x1: 0x2000))
        #expect(h.machine.invalidations == [.ipa(0x1000, level: 3, vmid: 1)])
        #expect(h.readEntry(realm, 0x1000, level: 3) == RMIResult(x0: 0, x1: 3, x2: Entry.assigned, x3: d, x4: Entry.empty))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func failureConditions() {
        let (h, realm, rec, _) = requested(base: 0x1000, top: 0x4000, ripas: 1)
        let other = h.createRealm { $0.vmid = 2 }
        // size_valid
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x2000, 0x1000) == RMIResult(x0: Status.input))
        // rd_*, rec_*
        #expect(h.call(.rttSetRIPAS, realm.rd + 8, rec, 0x1000, 0x2000) == RMIResult(x0: Status.input))
        #expect(h.call(.rttSetRIPAS, realm.rd, rec + 8, 0x1000, 0x2000) == RMIResult(x0: Status.input))
        #expect(h.call(.rttSetRIPAS, realm.rd, realm.rd, 0x1000, 0x2000) == RMIResult(x0: Status.input))
        // rec_owner
        #expect(h.call(.rttSetRIPAS, other.rd, rec, 0x1000, 0x2000) == RMIResult(x0: Status.rec))
        // base_match, top_bound
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x2000, 0x3000) == RMIResult(x0: Status.input))
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x1000, 0x5000) == RMIResult(x0: Status.input))
        // rec_state: running (while the hook runs), which comes before the request checks
        var seen: RMIResult?
        h.machine.realmScript = [Step(.irq) { _ in seen = h.call(.rttSetRIPAS, realm.rd, rec, 0x7000, 0x8000) }]
        #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
        #expect(seen == RMIResult(x0: Status.rec))
        #expect(h.checkInvariants().isEmpty)
    }

    /// top_gran_align (DEN0137 1.0-rel0 B4.3.21.2): a `top` that is not granule aligned is
    /// RMI_ERROR_INPUT, whether it falls inside the first granule, after whole granules, past
    /// the request or in a block the walk reaches at level 2; nothing changes.
    @Test(arguments: [
        (UInt64(0), UInt64(0x2000), UInt64(0x800)),          // inside the first page (level 3)
        (0, 0x2000, 0x1800),                                  // one page and a half
        (0, 0x2000, 0x2800),                                  // unaligned and past the request
        (mib2, mib2 + 0x2000, mib2 + 0x800),                  // the walk stops at level 2
        (mib2, mib2 + 0x2000, mib2 + 0x1FFF),
    ])
    func unalignedTopIsAnInputError(base: UInt64, requestTop: UInt64, top: UInt64) {
        let (h, realm, rec, run) = requested(base: base, top: requestTop, ripas: 1)
        let before = h.readEntry(realm, base, level: 3)
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, base, top) == RMIResult(x0: Status.input))
        #expect(h.readEntry(realm, base, level: 3) == before)
        // The request did not move: the aligned step still starts at base.
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, base, base + 0x1000).x0 == (base == 0 ? 0 : Status.rtt(2)))
        if base == 0 {
            // ... and the realm is told about the page that was changed, not half of the next.
            #expect(h.call(.recEnter, rec, run).x0 == 0)
            #expect(h.machine.runs.last!.state.gprs[1] == 0x1000)
        }
        #expect(h.checkInvariants().isEmpty)
    }

    /// The order of RTT_SET_RIPAS's failure conditions where the specification leaves it to the
    /// implementation: top_gran_align with size_valid before the granule and REC checks
    /// (TF-RMM smc_rtt_set_ripas), top_bound before base_align, base_align and no_progress
    /// with the level of the walk.
    @Test func failureConditionOrder() {
        let (h, realm, rec, _) = requested(base: 0, top: 0x4000, ripas: 1)
        // An unaligned top beats a bad RD, a bad REC and a REC of another realm.
        let other = h.createRealm { $0.vmid = 2 }
        #expect(h.call(.rttSetRIPAS, realm.rd + 8, rec, 0, 0x800) == RMIResult(x0: Status.input))
        #expect(h.call(.rttSetRIPAS, other.rd, rec, 0, 0x800) == RMIResult(x0: Status.input))
        #expect(h.call(.rttSetRIPAS, other.rd, rec, 0, 0x1000) == RMIResult(x0: Status.rec))
        // ... and a running REC.
        var seen: [RMIResult] = []
        h.machine.realmScript = [Step(.irq) { _ in
            seen.append(h.call(.rttSetRIPAS, realm.rd, rec, 0, 0x800))
            seen.append(h.call(.rttSetRIPAS, realm.rd, rec, 0, 0x1000))
        }]
        #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
        #expect(seen == [RMIResult(x0: Status.input), RMIResult(x0: Status.rec)])
        // top_bound with an aligned top
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0, 0x5000) == RMIResult(x0: Status.input))
        #expect(h.checkInvariants().isEmpty)
    }

    /// base_align: a request whose next part starts inside a 2 MiB entry cannot be served
    /// until the host creates the level-3 table (RMI_ERROR_RTT at level 2, as TF-RMM reports it
    /// whatever the entry's RIPAS).
    @Test func baseAlignReportsTheWalkLevel() {
        let (h, realm, rec, _) = requested(base: mib2 + 0x1000, top: mib2 + 0x3000, ripas: 1)
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, mib2 + 0x1000, mib2 + 0x2000) == RMIResult(x0: Status.rtt(2)))
        #expect(h.call(.rttCreate, realm.rd, h.delegated(), mib2, 3).x0 == 0)
        #expect(h.call(.rttSetRIPAS, realm.rd, rec, mib2 + 0x1000, mib2 + 0x3000) == RMIResult(x0: 0, x1: mib2 + 0x3000))
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func malformedRealmRequestsLeaveNothingPending() {
        for (base, top, ripas) in [(UInt64(0x2000), UInt64(0x1000), UInt8(1)), (0x1000, 0x1800, 1), (0x1000, 0x2000, 2),
                                   (0x1000, 1 << 40, 1)] {
            let h = Harness()
            let realm = h.createRealm()
            let (rec, _, _) = h.createREC(realm)
            #expect(h.call(.realmActivate, realm.rd).x0 == 0)
            h.machine.realmScript = [.smc(0xC400_0197, base, top, UInt64(ripas), 0)]
            #expect(h.call(.recEnter, rec, h.freshNS()).x0 == 0)
            #expect(h.call(.rttSetRIPAS, realm.rd, rec, base, top).x0 == Status.input)
        }
    }
}
