// A realm's FP/SIMD enable (Arm ARM D19 CPACR_EL1): the realm owns CPACR_EL1.FPEN, which the
// TMM keeps with the realm's EL1 state and loads for every run; SVE, SME and the other
// controls of features realms are not given stay zero whatever the realm writes.

import Testing
@testable import TMMCore

@Suite struct FPSIMDAccessTests {
    static let fpen: UInt64 = 0x3 << 20
    static let zen: UInt64 = 0x3 << 16
    static let smen: UInt64 = 0x3 << 24
    static let tta: UInt64 = 1 << 28
    static let tam: UInt64 = 1 << 30

    /// MSR/MRS CPACR_EL1 (op0 3, op1 0, CRn 1, CRm 0, op2 2).
    static func cpacr(rt: Int, read: Bool, value: UInt64 = 0) -> Step {
        .sysreg(3, 0, 1, 0, 2, rt: rt, read: read) { s in
            if !read && rt < 31 { s.gprs[rt] = value }
        }
    }

    @Test func realmEnablesFPSIMDAndTheNextRunHasIt() {
        let r = RunningRealm()
        let write = Self.cpacr(rt: 3, read: false, value: Self.fpen)
        #expect(r.enter(script: [Step(.irq) { $0.pc = 0x1000 }]).x0 == 0)
        #expect(r.enter(script: [write, Self.cpacr(rt: 4, read: true)]).x0 == 0)
        let runs = r.machine.runs.suffix(3).map(\.state)
        // The run after the MSR gets FPEN = 0b11 and continues after it; so does the one after
        // the MRS, which read it back.
        #expect(runs[0].el1.cpacr == 0)
        #expect(runs[1].el1.cpacr == Self.fpen && runs[1].pc == 0x1004)
        #expect(runs[2].el1.cpacr == Self.fpen && runs[2].gprs[4] == Self.fpen && runs[2].pc == 0x1008)
        // Kept in the REC across REC_ENTERs.
        #expect(r.rec().cpu.el1.cpacr == Self.fpen)
        #expect(r.enter().x0 == 0)
        #expect(r.lastRun.state.el1.cpacr == Self.fpen)
        // EL1-only FP (0b01) and off again.
        #expect(r.enter(script: [Self.cpacr(rt: 5, read: false, value: 1 << 20), Self.cpacr(rt: 5, read: false, value: 0)]).x0 == 0)
        #expect(r.machine.runs.suffix(3).map(\.state.el1.cpacr) == [Self.fpen, 1 << 20, 0])
    }

    @Test(arguments: [zen, smen, tta, tam, UInt64.max])
    func sveSMEAndHiddenFeaturesStayOff(value: UInt64) {
        let r = RunningRealm()
        #expect(r.enter(script: [Self.cpacr(rt: 7, read: false, value: value), Self.cpacr(rt: 8, read: true)]).x0 == 0)
        let last = r.lastRun.state
        #expect(last.el1.cpacr == value & Self.fpen)
        #expect(last.gprs[8] == value & Self.fpen)
    }

    @Test func writeOfXZRClearsIt() {
        let r = RunningRealm()
        #expect(r.enter(script: [Self.cpacr(rt: 3, read: false, value: Self.fpen), Self.cpacr(rt: 31, read: false)]).x0 == 0)
        #expect(r.lastRun.state.el1.cpacr == 0)
    }
}
