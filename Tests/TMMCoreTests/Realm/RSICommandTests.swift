// RSI 1.0 commands from a running realm (DEN0137 B5.3; results and error inputs as TF-RMM
// rel0 runtime/rsi/*): each command's success, every error input, and what the host sees.

import Testing
@testable import TMMCore

/// RSI status codes.
enum RSI {
    static let success: UInt64 = 0
    static let input: UInt64 = 1
    static let state: UInt64 = 2
    static let incomplete: UInt64 = 3
    static let unknown: UInt64 = 4
    static let version: UInt64 = 0xC400_0190
    static let features: UInt64 = 0xC400_0191
    static let measurementRead: UInt64 = 0xC400_0192
    static let measurementExtend: UInt64 = 0xC400_0193
    static let tokenInit: UInt64 = 0xC400_0194
    static let tokenContinue: UInt64 = 0xC400_0195
    static let realmConfig: UInt64 = 0xC400_0196
    static let ipaStateSet: UInt64 = 0xC400_0197
    static let ipaStateGet: UInt64 = 0xC400_0198
    static let hostCall: UInt64 = 0xC400_0199
}

extension RunningRealm {
    /// Runs one SMC in the realm and returns the registers it sees when it runs again (the
    /// script's IRQ exit ends the REC_ENTER).
    func rsi(_ fid: UInt64, _ args: UInt64..., before: @escaping (inout RealmCPUState) -> Void = { _ in }) -> RealmCPUState {
        let step = Step(.synchronous(esr: 0x17 << 26 | 1 << 25, far: 0, hpfar: 0)) { s in
            before(&s)
            s.gprs[0] = fid
            for (i, a) in args.enumerated() { s.gprs[1 + i] = a }
        }
        let pc = rec().cpu.pc
        precondition(enter(script: [step]).x0 == 0)
        let s = machine.runs.last!.state
        #expect(exit.reason == 1, "the realm ran again after the SMC")
        #expect(s.pc == pc + 4, "PC past the SMC")
        return s
    }
}

@Suite struct RSICommandTests {
    @Test func version() {
        let r = RunningRealm()
        var s = r.rsi(RSI.version, 0x1_0000)
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x1_0000 && s.gprs[2] == 0x1_0000 && s.gprs[3] == 0)
        s = r.rsi(RSI.version, 0x2_0000)
        #expect(s.gprs[0] == RSI.input && s.gprs[1] == 0x1_0000 && s.gprs[2] == 0x1_0000)
        // The SVE hint bit of the function identifier is ignored; so is the upper half of X0.
        s = r.rsi(RSI.version | 1 << 16 | 0xFFFF_FFFF << 32, 0x1_0000)
        #expect(s.gprs[0] == RSI.success)
    }

    @Test func featuresAndSMCCC() {
        let r = RunningRealm()
        var s = r.rsi(RSI.features, 0, before: { $0.gprs[1] = 99 })
        #expect(s.gprs[0] == 0 && s.gprs[1] == 0)
        s = r.rsi(0x8000_0000)
        #expect(s.gprs[0] == 0x1_0002)
        // SMCCC_ARCH_FEATURES, mandatory from SMCCC v1.1: itself and SMCCC_VERSION are
        // implemented; the CPU workaround functions (0x8000_8000, 0x8000_7FFF, 0x8000_3FFF),
        // SOC_ID and anything else are NOT_SUPPORTED. Only w1 names the function.
        for fid: UInt64 in [0x8000_0000, 0x8000_0001, 0xFFFF_FFFF_8000_0001] {
            #expect(r.rsi(0x8000_0001, fid).gprs[0] == 0, "SMCCC_ARCH_FEATURES(\(hex(fid)))")
        }
        for fid: UInt64 in [0x8000_8000, 0x8000_7FFF, 0x8000_3FFF, 0x8000_0002, 0x8400_0000, 0xC400_0190, 0] {
            #expect(r.rsi(0x8000_0001, fid).gprs[0] == UInt64(bitPattern: -1), "SMCCC_ARCH_FEATURES(\(hex(fid)))")
        }
        // Unknown function: SMC_UNKNOWN, x1-x3 cleared, x4 and above preserved.
        s = r.rsi(0xC400_01AF, 1, 2, 3, 4, 5)
        #expect(s.gprs[0] == UInt64(bitPattern: -1) && s.gprs[1] == 0 && s.gprs[2] == 0 && s.gprs[3] == 0)
        #expect(s.gprs[4] == 4 && s.gprs[5] == 5)
    }

    @Test func measurementReadAndExtend() {
        let r = RunningRealm()
        let rim = r.h.rim(r.realm)
        var s = r.rsi(RSI.measurementRead, 0)
        #expect(s.gprs[0] == RSI.success)
        #expect((0..<8).flatMap { Reference.le(s.gprs[1 + $0]) } == rim)
        // REM 2 extended with 20 bytes of x3...: H(REM (32 zero bytes) || value[0..<20]).
        let value: [UInt64] = (0..<8).map { 0x0101_0101_0101_0101 &* UInt64($0 + 1) }
        s = r.rsi(RSI.measurementExtend, 2, 20, before: { st in for i in 0..<8 { st.gprs[3 + i] = value[i] } })
        #expect(s.gprs[0] == RSI.success)
        let bytes = value.flatMap { Reference.le($0) }
        let expected = Reference.hash(Array(repeating: 0, count: 32) + bytes[0..<20], algorithm: 0)   // zero-padded to 64 bytes
        s = r.rsi(RSI.measurementRead, 2)
        #expect((0..<8).flatMap { Reference.le(s.gprs[1 + $0]) } == expected)
        // Size 64 is the largest.
        #expect(r.rsi(RSI.measurementExtend, 4, 64).gprs[0] == RSI.success)
        // Error inputs: the RIM is not extensible, slots end at 4, values at 64 bytes.
        for (slot, size) in [(UInt64(0), UInt64(8)), (5, 8), (1, 65), (UInt64.max, 1), (1, UInt64.max)] {
            #expect(r.rsi(RSI.measurementExtend, slot, size).gprs[0] == RSI.input)
        }
        for slot: UInt64 in [5, 1 << 32, UInt64.max] { #expect(r.rsi(RSI.measurementRead, slot).gprs[0] == RSI.input) }
        #expect(r.h.rim(r.realm) == rim)
    }

    @Test func realmConfig() {
        let r = RunningRealm(ramRanges: [(0x10000, 0x11000)]) { $0.hashAlgorithm = 1; $0.rpv = (0..<64).map { UInt8($0 + 1) } }
        r.machine.fill(r.data[1], with: Array(repeating: 0xAA, count: 4096))
        let s = r.rsi(RSI.realmConfig, 0x1000)
        #expect(s.gprs[0] == RSI.success)
        #expect(r.machine.read64(r.data[1]) == 40)
        // hash_algo is one byte; the reserved bytes around it read as zero, so a realm that
        // reads it as a 64-bit word (TF-RMM rel0's declaration) gets the same value.
        #expect(r.machine.read64(r.data[1] + 8) == 1)
        #expect(r.machine.bytes(r.data[1] + 0x200, count: 64) == (0..<64).map { UInt8($0 + 1) })
        let config = r.machine.bytes(r.data[1], count: 4096)
        #expect(config[9..<0x200].allSatisfy { $0 == 0 } && config[0x240...].allSatisfy { $0 == 0 },
                "reserved bytes of RsiRealmConfig are zero")
        // Unaligned, unprotected, outside the IPA space, RIPAS EMPTY.
        for ipa in [0x1008, r.parSize, r.parSize + 0x1000, 1 << 40, UInt64.max & ~0xFFF, 0x8000] {
            #expect(r.rsi(RSI.realmConfig, ipa).gprs[0] == RSI.input)
        }
        // RIPAS RAM but not mapped: the host must map it; the realm runs the SMC again later.
        let pc = r.rec().cpu.pc
        #expect(r.enter(script: [.smc(RSI.realmConfig, 0x10000)]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x07 && r.exit.far == 0 && r.exit.hpfar == 0x100)
        #expect(r.exit.nonZeroWords(except: [0x100, 0x110, 0x390]).isEmpty)
        #expect(r.rec().cpu.pc == pc && r.rec().cpu.gprs[0] == RSI.realmConfig)
        // The host maps it; the same SMC (same registers) now succeeds.
        let page = r.h.delegated()
        #expect(r.h.call(.dataCreateUnknown, r.realm.rd, page, 0x10000).x0 == 0)
        #expect(r.enter(script: [Step(.synchronous(esr: 0x17 << 26, far: 0, hpfar: 0))]).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[0] == RSI.success && r.machine.read64(page) == 40)
        #expect(r.h.checkInvariants().isEmpty)
    }

    @Test func ipaStateSetExitAndErrors() {
        let r = RunningRealm()
        #expect(r.enter(script: [.smc(RSI.ipaStateSet, 0x4000, 0x8000, 1, 0) ~> { $0.gprs[9] = 0x5EC2E7 }]).x0 == 0)
        #expect(r.exit.reason == 4 && r.exit.ripasBase == 0x4000 && r.exit.ripasTop == 0x8000 && r.exit.ripasValue == 1)
        #expect(r.exit.nonZeroWords(except: [0x000, 0x390, 0x500, 0x508, 0x510]).isEmpty)
        // The host does part of it and accepts.
        #expect(r.h.call(.rttSetRIPAS, r.realm.rd, r.recs[0], 0x4000, 0x6000) == RMIResult(x0: 0, x1: 0x6000))
        #expect(r.enter().x0 == 0)
        let s = r.machine.runs.last!.state
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x6000 && s.gprs[2] == 0 && s.gprs[9] == 0x5EC2E7)
        // Error inputs: RIPAS DESTROYED or beyond, unaligned base or top, empty or reversed
        // range, top beyond the protected range.
        for (base, top, ripas) in [(UInt64(0), UInt64(0x1000), UInt64(2)), (0, 0x1000, 7), (0x800, 0x1000, 1), (0, 0x1800, 1),
                                   (0x1000, 0x1000, 0), (0x2000, 0x1000, 0), (0, r.parSize + 0x1000, 1),
                                   (r.parSize, r.parSize + 0x1000, 1), (UInt64.max & ~0xFFF, 0x1000, 1)] {
            #expect(r.rsi(RSI.ipaStateSet, base, top, ripas, 0).gprs[0] == RSI.input)
        }
        // Nothing is pending after a refused request.
        #expect(r.h.call(.rttSetRIPAS, r.realm.rd, r.recs[0], 0, 0x1000).x0 == Status.input)
    }

    @Test func ipaStateGet() {
        let r = RunningRealm(dataPages: 4, ramRanges: [(0x6000, 0x8000)])
        var s = r.rsi(RSI.ipaStateGet, 0, 0x10000)
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x4000 && s.gprs[2] == 1)
        s = r.rsi(RSI.ipaStateGet, 0x1000, 0x3000)
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x3000 && s.gprs[2] == 1)
        s = r.rsi(RSI.ipaStateGet, 0x4000, 0x10000)
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x6000 && s.gprs[2] == 0)
        s = r.rsi(RSI.ipaStateGet, 0x6000, 0x10000)
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x8000 && s.gprs[2] == 1)
        // A DESTROYED page.
        #expect(r.h.call(.dataDestroy, r.realm.rd, 0x2000).x0 == 0)
        s = r.rsi(RSI.ipaStateGet, 0x2000, 0x4000)
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == 0x3000 && s.gprs[2] == 2)
        for (base, end) in [(UInt64(0x800), UInt64(0x1000)), (0, 0x1800), (0x1000, 0x1000), (0x2000, 0x1000),
                            (0, r.parSize + 0x1000), (r.parSize, r.parSize + 0x1000), (UInt64.max & ~0xFFF, 0)] {
            #expect(r.rsi(RSI.ipaStateGet, base, end).gprs[0] == RSI.input)
        }
    }

    @Test func hostCallRoundTrip() {
        let r = RunningRealm()
        let call: UInt64 = 0x2100
        let base = r.data[2] + 0x100
        r.machine.fill(base, with: [0x34, 0x12, 0xFF, 0xFF])                     // imm 0x1234, then padding
        for i in 0..<31 { r.machine.write64(base + 8 + UInt64(i) * 8, 0x1000 + UInt64(i)) }
        let pc = r.rec().cpu.pc
        #expect(r.enter(script: [.smc(RSI.hostCall, call)]).x0 == 0)
        #expect(r.exit.reason == 5 && r.exit.imm == 0x1234)
        #expect((0..<31).allSatisfy { r.exit.gpr($0) == 0x1000 + UInt64($0) })
        #expect(r.exit.nonZeroWords(except: Set([0x000, 0x390, 0x600] + (0..<31).map { 0x200 + UInt64($0) * 8 })).isEmpty)
        // The host's results go into the structure; the call returns RSI_SUCCESS.
        #expect(r.enter(gprs: (0..<31).map { 0xA000 + UInt64($0) }).x0 == 0)
        #expect((0..<31).allSatisfy { r.machine.read64(base + 8 + UInt64($0) * 8) == 0xA000 + UInt64($0) })
        let s = r.machine.runs.last!.state
        #expect(s.gprs[0] == RSI.success && s.gprs[1] == call && s.pc == pc + 4)
        // Entering again does not write anything more.
        r.machine.write64(base + 8, 7)
        #expect(r.enter(gprs: [1]).x0 == 0)
        #expect(r.machine.read64(base + 8) == 7)
    }

    @Test func hostCallErrors() {
        let r = RunningRealm(ramRanges: [(0x10000, 0x11000)])
        for ipa in [0x2080, 0x2008, r.parSize, r.parSize + 0x100, 1 << 40, UInt64.max & ~0xFF, 0x8000] {
            #expect(r.rsi(RSI.hostCall, ipa).gprs[0] == RSI.input)
        }
        // Unmapped RAM: the host maps it first.
        #expect(r.enter(script: [.smc(RSI.hostCall, 0x10200)]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x07 && r.exit.hpfar == 0x100)
    }

    @Test func hostCallCompletionWaitsForItsPage() {
        let r = RunningRealm()
        #expect(r.enter(script: [.smc(RSI.hostCall, 0x3000)]).x0 == 0)
        #expect(r.exit.reason == 5)
        // The host unmaps the page before answering: the answer cannot be delivered, the
        // realm does not run, and the host is told which page to bring back.
        #expect(r.h.call(.dataDestroy, r.realm.rd, 0x3000).x0 == 0)
        let runs = r.machine.runs.count
        #expect(r.enter(gprs: [0x77]).x0 == 0)
        #expect(r.machine.runs.count == runs)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x07 && r.exit.hpfar == 0x30)
        #expect(r.exit.nonZeroWords(except: [0x100, 0x110, 0x390]).isEmpty)
        // The call stays pending: every later entry reports the same until the page is back.
        #expect(r.enter(gprs: [0x77]).x0 == 0)
        #expect(r.machine.runs.count == runs && r.exit.hpfar == 0x30)
        #expect(r.h.checkInvariants().isEmpty)
    }
}
