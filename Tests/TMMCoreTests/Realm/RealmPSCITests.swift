// PSCI from the realm (DEN0137 A4.3.7; answers as TF-RMM rel0 runtime/rsi/psci.c): what the
// TMM answers itself, what becomes a PSCI exit, and whole CPU_ON / AFFINITY_INFO flows with
// two RECs and RMI_PSCI_COMPLETE.

import Testing
@testable import TMMCore

enum PSCI {
    static let version: UInt64 = 0x8400_0000
    static let cpuSuspend: UInt64 = 0xC400_0001
    static let cpuOff: UInt64 = 0x8400_0002
    static let cpuOn: UInt64 = 0xC400_0003
    static let cpuOn32: UInt64 = 0x8400_0003
    static let affinityInfo: UInt64 = 0xC400_0004
    static let migrateInfoType: UInt64 = 0x8400_0006
    static let systemOff: UInt64 = 0x8400_0008
    static let systemReset: UInt64 = 0x8400_0009
    static let features: UInt64 = 0x8400_000A
    static let notSupported = UInt64(bitPattern: -1)
    static let invalidParameters = UInt64(bitPattern: -2)
    static let alreadyOn = UInt64(bitPattern: -4)
    static let invalidAddress = UInt64(bitPattern: -9)
}

@Suite struct RealmPSCITests {
    @Test func answeredByTheTMM() {
        let r = RunningRealm(recs: 2)
        #expect(r.rsi(PSCI.version).gprs[0] == 0x1_0001)
        for fid in [PSCI.cpuSuspend, 0x8400_0001, PSCI.cpuOff, PSCI.cpuOn, PSCI.cpuOn32, PSCI.affinityInfo, 0x8400_0004,
                    PSCI.systemOff, PSCI.systemReset, PSCI.features, 0x8000_0000] {
            #expect(r.rsi(PSCI.features, fid).gprs[0] == 0, "PSCI_FEATURES(\(hex(fid)))")
        }
        for fid in [PSCI.version, PSCI.migrateInfoType, 0xC400_0012, 0xC400_0190, 0] {
            #expect(r.rsi(PSCI.features, fid).gprs[0] == PSCI.notSupported, "PSCI_FEATURES(\(hex(fid)))")
        }
        #expect(r.rsi(PSCI.migrateInfoType).gprs[0] == PSCI.notSupported)
        #expect(r.rsi(0x8400_001F).gprs[0] == PSCI.notSupported)
        // CPU_ON: the entry point must be a protected IPA; the target must exist; the caller
        // itself is already on.
        #expect(r.rsi(PSCI.cpuOn, 1, r.parSize, 0).gprs[0] == PSCI.invalidAddress)
        #expect(r.rsi(PSCI.cpuOn, 2, 0x1000, 0).gprs[0] == PSCI.invalidParameters)
        #expect(r.rsi(PSCI.cpuOn, 1 << 24 | 1, 0x1000, 0).gprs[0] == PSCI.invalidParameters)   // not an RmiRecMpidr
        #expect(r.rsi(PSCI.cpuOn, 0, 0x1000, 0).gprs[0] == PSCI.alreadyOn)
        // AFFINITY_INFO: level 0 only; the caller is ON.
        #expect(r.rsi(PSCI.affinityInfo, 1, 1).gprs[0] == PSCI.invalidParameters)
        #expect(r.rsi(PSCI.affinityInfo, 5, 0).gprs[0] == PSCI.invalidParameters)
        #expect(r.rsi(PSCI.affinityInfo, 0, 0).gprs[0] == 0)
        // SMC32 calls use only the lower halves of their arguments.
        #expect(r.rsi(PSCI.cpuOn32, 0xFFFF_FFFF_0000_0000, 0x1000, 0).gprs[0] == PSCI.alreadyOn)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: Status.input))   // nothing pending
    }

    @Test func cpuOnAndAffinityInfoWithTwoRECs() {
        let r = RunningRealm(recs: 2)
        #expect(r.enter(script: [.smc(PSCI.cpuOn, 1, 0x2000, 0xC0DE)]).x0 == 0)
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == PSCI.cpuOn && r.exit.gpr(1) == 1)
        #expect(r.exit.nonZeroWords(except: [0, 0x200, 0x208, 0x390]).isEmpty)
        // The target is not runnable until the host answers; the caller cannot run either.
        #expect(r.enter(1) == RMIResult(x0: Status.rec))
        #expect(r.enter(0) == RMIResult(x0: Status.rec))
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0) == RMIResult(x0: 0))
        // The caller sees PSCI_SUCCESS, the target starts at the entry point with the context ID.
        let pc = r.rec(0).cpu.pc
        #expect(r.enter(0).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[0] == 0 && r.machine.runs.last!.state.pc == pc)
        #expect(r.enter(1).x0 == 0)
        let t = r.machine.runs.last!
        #expect(t.state.pc == 0x2000 && t.state.gprs[0] == 0xC0DE && t.state.pstate == 0x3C5 && t.realm.mpidr == 1)
        // REC 1 asks whether REC 0 is on: the host answers through PSCI_COMPLETE.
        #expect(r.enter(1, script: [.smc(PSCI.affinityInfo, 0, 0)]).x0 == 0)
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == PSCI.affinityInfo && r.exit.gpr(1) == 0)
        #expect(r.h.call(.psciComplete, r.recs[1], r.recs[0], 0) == RMIResult(x0: 0))
        #expect(r.enter(1).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[0] == 0)   // ON
        #expect(r.h.checkInvariants().isEmpty)
    }

    @Test func cpuOffAndSuspend() {
        let r = RunningRealm(recs: 2)
        #expect(r.enter(script: [.smc(PSCI.cpuSuspend, 0x1_0000, 0x5555, 0x6666)]).x0 == 0)
        // CPU_SUSPEND is a notification: only the FID; the call has succeeded already.
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == PSCI.cpuSuspend)
        #expect(r.exit.nonZeroWords(except: [0, 0x200, 0x390]).isEmpty)
        #expect(r.enter().x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[0] == 0)
        // CPU_OFF: the REC stops being runnable.
        #expect(r.enter(script: [.smc(PSCI.cpuOff)]).x0 == 0)
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == PSCI.cpuOff)
        #expect(r.exit.nonZeroWords(except: [0, 0x200, 0x390]).isEmpty)
        #expect(r.enter() == RMIResult(x0: Status.rec))
        #expect(!r.rec().runnable)
    }

    @Test(arguments: [PSCI.systemOff, PSCI.systemReset])
    func systemOffStopsTheRealm(fid: UInt64) {
        let r = RunningRealm(recs: 2)
        #expect(r.enter(script: [.smc(PSCI.cpuOn, 1, 0x2000, 0)]).x0 == 0)
        #expect(r.h.call(.psciComplete, r.recs[0], r.recs[1], 0).x0 == 0)
        #expect(r.enter(1, script: [.smc(fid)]).x0 == 0)
        #expect(r.exit.reason == 3 && r.exit.gpr(0) == fid)
        #expect(r.exit.nonZeroWords(except: [0, 0x200, 0x390]).isEmpty)
        // No REC of the realm runs again (RMI_ERROR_REALM, index 1).
        #expect(r.enter(0) == RMIResult(x0: Status.realm(1)))
        #expect(r.enter(1) == RMIResult(x0: Status.realm(1)))
        // The realm can be torn down.
        for rec in r.recs { #expect(r.h.call(.recDestroy, rec).x0 == 0) }
        #expect(r.h.checkInvariants().isEmpty)
    }
}
