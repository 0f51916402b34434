// The EL3 image's decoding of a realm's faulting load or store (Firmware/Core/REC/
// MMIOInstruction.swift). Encodings are the GNU assembler's output for the instruction in the
// comment; the expected syndromes follow the Arm ARM's ISS encoding for a Data Abort (ISV 24,
// SAS 23:22, SSE 21, SRT 20:16, SF 15, WnR 6).

import Testing
@testable import TMMCore

@Suite struct MMIOInstructionTests {
    static func iss(size: UInt64, rt: UInt64, signExtend: Bool = false, sf: Bool, write: Bool) -> UInt64 {
        1 << 24 | size << 22 | (signExtend ? 1 << 21 : 0) | rt << 16 | (sf ? 1 << 15 : 0) | (write ? 1 << 6 : 0)
    }

    @Test func storesOfEverySize() {
        #expect(MMIOInstruction.syndrome(of: 0xb900_0041) == Self.iss(size: 2, rt: 1, sf: false, write: true))   // str w1, [x2]
        #expect(MMIOInstruction.syndrome(of: 0xf900_0483) == Self.iss(size: 3, rt: 3, sf: true, write: true))    // str x3, [x4, #8]
        #expect(MMIOInstruction.syndrome(of: 0x3900_04c5) == Self.iss(size: 0, rt: 5, sf: false, write: true))   // strb w5, [x6, #1]
        #expect(MMIOInstruction.syndrome(of: 0x7900_0507) == Self.iss(size: 1, rt: 7, sf: false, write: true))   // strh w7, [x8, #2]
        #expect(MMIOInstruction.syndrome(of: 0xb900_003f) == Self.iss(size: 2, rt: 31, sf: false, write: true))  // str wzr, [x1]
    }

    @Test func zeroExtendingLoads() {
        #expect(MMIOInstruction.syndrome(of: 0xb940_0149) == Self.iss(size: 2, rt: 9, sf: false, write: false))  // ldr w9, [x10]
        #expect(MMIOInstruction.syndrome(of: 0xf940_098b) == Self.iss(size: 3, rt: 11, sf: true, write: false))  // ldr x11, [x12, #16]
        #expect(MMIOInstruction.syndrome(of: 0x3940_01cd) == Self.iss(size: 0, rt: 13, sf: false, write: false)) // ldrb w13, [x14]
        #expect(MMIOInstruction.syndrome(of: 0x7940_020f) == Self.iss(size: 1, rt: 15, sf: false, write: false)) // ldrh w15, [x16]
    }

    @Test func signExtendingLoads() {
        #expect(MMIOInstruction.syndrome(of: 0x3980_0251)
            == Self.iss(size: 0, rt: 17, signExtend: true, sf: true, write: false))   // ldrsb x17, [x18]
        #expect(MMIOInstruction.syndrome(of: 0x79c0_0293)
            == Self.iss(size: 1, rt: 19, signExtend: true, sf: false, write: false))  // ldrsh w19, [x20]
        #expect(MMIOInstruction.syndrome(of: 0xb980_02d5)
            == Self.iss(size: 2, rt: 21, signExtend: true, sf: true, write: false))   // ldrsw x21, [x22]
    }

    @Test func unscaledAndRegisterOffsetForms() {
        #expect(MMIOInstruction.syndrome(of: 0xf85f_8317) == Self.iss(size: 3, rt: 23, sf: true, write: false))  // ldur x23, [x24, #-8]
        #expect(MMIOInstruction.syndrome(of: 0xb81f_c359) == Self.iss(size: 2, rt: 25, sf: false, write: true))  // stur w25, [x26, #-4]
        #expect(MMIOInstruction.syndrome(of: 0xf87d_6b9b) == Self.iss(size: 3, rt: 27, sf: true, write: false))  // ldr x27, [x28, x29]
        #expect(MMIOInstruction.syndrome(of: 0xb822_5820) == Self.iss(size: 2, rt: 0, sf: false, write: true))   // str w0, [x1, w2, uxtw #2]
    }

    /// Forms the architecture reports without a syndrome, and what is no access at all.
    @Test func formsWithoutSyndromeAreNotDecoded() {
        for instruction: UInt32 in [
            0xf840_8441,   // ldr x1, [x2], #8 (post-index: writes the base back)
            0xf800_8c41,   // str x1, [x2, #8]! (pre-index)
            0xa940_0861,   // ldp x1, x2, [x3]
            0x3dc0_0020,   // ldr q0, [x1] (SIMD&FP)
            0xc85f_7c41,   // ldxr x1, [x2]
            0xf980_0020,   // prfm pldl1keep, [x1]
            0xf840_0841,   // ldtr x1, [x2] (unprivileged)
            0xd503_201f,   // nop
            0xb8b8_b8b8,   // ldrsw x24, [x5, w24, option 0b101]: option<1> = 0 is unallocated (found by `mmio`)
            0xf862_0820,   // ldr x0, [x1, w2, option 0b000]: the same
            0x0000_0000,   // udf #0
        ] {
            #expect(MMIOInstruction.syndrome(of: instruction) == nil)
        }
    }

    @Test func identityPlacedIPAs() {
        // IPA width 40: the unprotected half starts at 0x80_0000_0000.
        #expect(IdentityPlacedAccess.ipa(physicalAddress: 0x0e80_1000, nonSecure: false, ipaWidth: 40) == 0x0e80_1000)
        #expect(IdentityPlacedAccess.ipa(physicalAddress: 0x0c00_0000, nonSecure: true, ipaWidth: 40) == 0x80_0c00_0000)
        // Above the protected half: beyond the IPA space, whatever NS says.
        #expect(IdentityPlacedAccess.ipa(physicalAddress: 0x80_0000_0000, nonSecure: false, ipaWidth: 40) == 1 << 40)
        #expect(IdentityPlacedAccess.ipa(physicalAddress: 0x80_0000_0000, nonSecure: true, ipaWidth: 40) == 1 << 40)
    }

    @Test func stage2ViewOfAnEmulatableAccess() throws {
        // str w1, [x2] at PA 0x0c00_0010 through an NS = 1 mapping.
        let abort = try #require(IdentityPlacedAccess.stage2Abort(instruction: 0xb900_0041, physicalAddress: 0x0c00_0010,
                                                                  nonSecure: true, ipaWidth: 40))
        #expect(abort.esr == 0x24 << 26 | 1 << 25 | Self.iss(size: 2, rt: 1, sf: false, write: true) | 0x07)
        #expect(DataAbortSyndrome.faultingIPA(hpfar: abort.hpfar) == 0x80_0c00_0000)
        #expect(IdentityPlacedAccess.stage2Abort(instruction: 0xa940_0861, physicalAddress: 0x0c00_0010,
                                                 nonSecure: true, ipaWidth: 40) == nil)
    }
}

/// What the EL3 image hands the run loop for a decoded access is the exit the S-EL2 image makes:
/// an emulatable data abort the host completes with EMUL_MMIO (DEN0137 RmiRecExit, RmiRecEnter).
@Suite struct IdentityPlacedMMIOExitTests {
    @Test func decodedStoreExitsWithItsValue() throws {
        let r = RunningRealm()
        // str w1, [x2] to the device window's byte 0x10, through an NS = 1 mapping.
        let abort = try #require(IdentityPlacedAccess.stage2Abort(instruction: 0xb900_0041, physicalAddress: 0x0200_0010,
                                                                  nonSecure: true, ipaWidth: 40))
        let step = Step(.synchronous(esr: abort.esr, far: 0x0200_0010, hpfar: abort.hpfar)) {
            $0.gprs[1] = 0x1122_3344_5566_7788
        }
        #expect(r.enter(script: [step]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 1 << 24 | 2 << 22 | 1 << 6 | 0x07)
        #expect(r.exit.gpr(0) == 0x5566_7788 && r.exit.far == 0x010)
        #expect(DataAbortSyndrome.faultingIPA(hpfar: r.exit.hpfar) == r.parSize | 0x0200_0000)
        let pc = r.rec().cpu.pc
        #expect(r.enter(flags: 1).x0 == 0)
        #expect(r.machine.runs.last!.state.pc == pc + 4)
    }

    @Test func decodedLoadCompletesIntoItsRegister() throws {
        let r = RunningRealm()
        // ldrsh w19, [x20]: sign-extended into a 32-bit register.
        let abort = try #require(IdentityPlacedAccess.stage2Abort(instruction: 0x79c0_0293, physicalAddress: 0x0200_0018,
                                                                  nonSecure: true, ipaWidth: 40))
        #expect(r.enter(script: [Step(.synchronous(esr: abort.esr, far: 0x0200_0018, hpfar: abort.hpfar))]).x0 == 0)
        #expect(r.exit.esr == 0x24 << 26 | 1 << 24 | 1 << 22 | 0x07)
        let pc = r.rec().cpu.pc
        #expect(r.enter(flags: 1, gprs: [0x8001]).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[19] == 0xFFFF_8001 && r.machine.runs.last!.state.pc == pc + 4)
    }
}
