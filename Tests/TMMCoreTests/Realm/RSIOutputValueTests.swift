// Output values the realm sees that the command suites do not pin down yet (DEN0137 1.0-rel0
// B5.3; TF-RMM rel0 runtime/rsi/version.c, runtime/rmi/rec.c complete_set_ripas and
// psci_complete_request): every requested revision RSI_VERSION refuses, the whole matrix of
// RSI_IPA_STATE_SET responses, and PSCI_COMPLETE naming one REC twice.

import Testing
@testable import TMMCore

@Suite struct RSIVersionRevisionTests {
    /// Only 1.0 is implemented: anything else, lower or higher, in the same major or not, or
    /// with bits above the 31-bit revision set, is RSI_ERROR_INPUT; x1 and x2 always name the
    /// lowest and highest implemented revision (both 1.0), and x3 is zero.
    static let refused: [UInt64] = [0, 0x0_FFFF, 0x1_0001, 0x1_FFFF, 0x2_0000, 0x7FFF_FFFF, 1 << 63 | 0x1_0000,
                                    1 << 31 | 0x1_0000, 0x1_0000_0001_0000]

    @Test(arguments: refused)
    func refusedRevision(requested: UInt64) {
        let r = RunningRealm()
        let s = r.rsi(RSI.version, requested)
        #expect(s.gprs[0] == RSI.input && s.gprs[1] == 0x1_0000 && s.gprs[2] == 0x1_0000 && s.gprs[3] == 0)
    }
}

@Suite struct RIPASChangeResponseTests {
    /// A realm's RSI_IPA_STATE_SET of [0x1000, 0x4000) to `ripas`, served by the host up to
    /// `reached` (no RTT_SET_RIPAS when it is the base), then REC_ENTER with `reject`: the
    /// realm's x0, x1 and x2.
    func outcome(ripas: UInt8, reached: UInt64, reject: Bool) -> (x0: UInt64, x1: UInt64, x2: UInt64) {
        let h = Harness()
        let realm = h.createRealm()
        h.createTables(realm, ipa: 0, downTo: 3)
        if ripas == 0 { #expect(h.call(.rttInitRIPAS, realm.rd, 0x1000, 0x4000).x0 == 0) }
        let (rec, _, _) = h.createREC(realm)
        #expect(h.call(.realmActivate, realm.rd).x0 == 0)
        let run = h.freshNS()
        h.machine.realmScript = [.smc(0xC400_0197, 0x1000, 0x4000, UInt64(ripas), 0)]
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        #expect(h.machine.read64(run + 0x800) == 4)
        if reached > 0x1000 {
            #expect(h.call(.rttSetRIPAS, realm.rd, rec, 0x1000, reached) == RMIResult(x0: 0, x1: reached))
        }
        h.machine.write64(run, reject ? 1 << 4 : 0)
        #expect(h.call(.recEnter, rec, run).x0 == 0)
        let s = h.machine.runs.last!.state
        #expect(h.checkInvariants().isEmpty)
        return (s.gprs[0], s.gprs[1], s.gprs[2])
    }

    /// REJECT reaches the realm only for a change to RAM the host stopped short of; x1 is
    /// always how far the host got, and x0 is RSI_SUCCESS either way.
    @Test(arguments: [
        (UInt8(1), UInt64(0x1000), true, UInt64(1)),   // RAM, nothing done, refused
        (1, 0x2000, true, 1),                          // RAM, part done, refused
        (1, 0x4000, true, 0),                          // RAM, all done: a refusal comes too late
        (1, 0x2000, false, 0),                         // RAM, part done, accepted
        (1, 0x1000, false, 0),                         // RAM, nothing done, accepted
        (0, 0x1000, true, 0),                          // EMPTY cannot be refused
        (0, 0x2000, true, 0),
    ])
    func response(ripas: UInt8, reached: UInt64, reject: Bool, expected: UInt64) {
        let o = outcome(ripas: ripas, reached: reached, reject: reject)
        #expect(o.x0 == RSI.success && o.x1 == reached && o.x2 == expected)
    }
}

extension PSCICompleteTests {
    /// calling_rec and target_rec name the same REC: RMI_ERROR_INPUT, and the request stays
    /// pending for the right target.
    @Test func callingAndTargetAreTheSameREC() {
        let r = pending(0xC400_0003)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[0], 0) == RMIResult(x0: Status.input))
        #expect(r.h.call(.psciComplete, r.recs[1], r.recs[1], 0) == RMIResult(x0: Status.input))
        #expect(r.enter(0) == RMIResult(x0: Status.rec))
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: 0))
        #expect(r.h.checkInvariants().isEmpty)
    }
}

@Suite struct PSCITargetAffinityTests {
    /// PSCI (DEN0022 CPU_ON, AFFINITY_INFO): target_cpu / target_affinity carry MPIDR_EL1's
    /// affinity fields and nothing else; a REC's Aff0 has 4 bits (RmiRecMpidr). Any other bit
    /// set, bit 31 (RES1 in MPIDR_EL1) and MT among them, is INVALID_PARAMETERS even where the
    /// affinity fields name an existing REC.
    static let invalidTargets: [UInt64] = [1 << 31 | 1, 1 << 24 | 1, 1 << 30 | 1, 0x11, 1 << 40 | 1, 1 << 63 | 1]

    @Test(arguments: invalidTargets)
    func reservedBitsAreInvalidParameters(target: UInt64) {
        let r = RunningRealm(recs: 2)
        #expect(r.rsi(PSCI.cpuOn, target, 0x1000, 0).gprs[0] == PSCI.invalidParameters)
        #expect(r.rsi(PSCI.affinityInfo, target, 0).gprs[0] == PSCI.invalidParameters)
        // Nothing is pending: the REC runs again and the host has nothing to complete.
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: Status.input))
    }

    /// The SMC32 forms read only W1: the upper half of X1 cannot make a target invalid.
    @Test func smc32TargetsUseTheLowerHalf() {
        let r = RunningRealm(recs: 2)
        #expect(r.rsi(0x8400_0004, 0xDEAD_BEEF_0000_0000, 0).gprs[0] == 0)   // itself: ON
        #expect(r.enter(script: [.smc(0x8400_0004, 0xFFFF_FFFF_0000_0001, 0)]).x0 == 0)
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == 0x8400_0004 && r.exit.gpr(1) == 1)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: 0))
    }
}

@Suite struct RealmMPIDRTests {
    /// A REC's MPIDR_EL1 as the realm reads it: the RmiRecMpidr affinity fields, bit 31 set
    /// (RES1), U and MT clear; the value a realm's PSCI target needs is its affinity fields.
    @Test func mpidrEL1HasTheRES1Bit() {
        let r = RunningRealm(recs: 2)
        #expect(r.enter(script: [.smc(PSCI.cpuOn, 1, 0x2000, 0)]).x0 == 0)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0).x0 == 0)
        #expect(r.enter(1).x0 == 0)
        let info = r.machine.runs.last!.realm
        #expect(info.mpidr == 1 && info.mpidrEL1 == 1 << 31 | 1)
        let wide = RealmExecutionInfo(vmid: 1, rttBase: PhysicalAddress(0), ipaWidth: 40, startLevel: 1, rootTableCount: 2,
                                      recIndex: 0, mpidr: 0xAB << 32 | 0xCD << 16 | 0xEF << 8 | 0x7)
        #expect(wide.mpidrEL1 == 0xAB << 32 | 1 << 31 | 0xCD << 16 | 0xEF << 8 | 0x7)
        #expect(wide.mpidrEL1 & (1 << 30 | 1 << 24) == 0)
    }
}
