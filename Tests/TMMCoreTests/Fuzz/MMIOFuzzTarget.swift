// The `mmio` target: the EL3 image's decoder of a realm's faulting load or store
// (Firmware/Core/REC/MMIOInstruction.swift). The instruction word and the fault address come
// from the realm (it chooses the instruction, and another of its CPUs may rewrite it before EL3
// reads it), so any 32-bit word, any physical address and any IPA width must give either no
// syndrome or the one the architecture's encoding tables give, and never trap.
//
// The oracle decodes the encodings independently, from the Arm ARM's "Loads and Stores" tables
// (C4.1.4, load/store register: unscaled immediate, register offset, unsigned immediate) and the
// ISS of a Data Abort (D17.2.40 ESR_EL2: ISV bit 24, SAS 23:22, SSE 21, SRT 20:16, SF 15, WnR 6).

@testable import TMMCore

/// What the oracle expects for one instruction word: nil when no syndrome may be built.
struct ExpectedAccess: Equatable {
    var sizeLog2: UInt64
    var signExtend: Bool
    var sixtyFour: Bool
    var write: Bool
    var register: UInt64

    static func decode(_ word: UInt32) -> ExpectedAccess? {
        func bits(_ hi: Int, _ lo: Int) -> UInt32 { word >> UInt32(lo) & (1 << UInt32(hi - lo + 1) - 1) }
        // op0 xx11, op2 (bit 26) V = 0: general-purpose registers only.
        guard bits(29, 27) == 0b111, bits(26, 26) == 0 else { return nil }
        switch bits(25, 24) {
        case 0b01:
            break                                       // unsigned immediate
        case 0b00 where bits(21, 21) == 0 && bits(11, 10) == 0b00:
            break                                       // unscaled immediate (LDUR/STUR)
        case 0b00 where bits(21, 21) == 1 && bits(11, 10) == 0b10:
            // Register offset: option<1> = 0 is unallocated (UXTB/UXTH/SXTB/SXTH extend).
            guard bits(14, 14) == 1 else { return nil }
        default:
            return nil                                  // writeback, unprivileged, atomics, PAC
        }
        let size = bits(31, 30), opc = bits(23, 22)
        let rt = UInt64(bits(4, 0))
        switch (opc, size) {
        case (0b00, _): return ExpectedAccess(sizeLog2: UInt64(size), signExtend: false, sixtyFour: size == 3, write: true, register: rt)
        case (0b01, _): return ExpectedAccess(sizeLog2: UInt64(size), signExtend: false, sixtyFour: size == 3, write: false, register: rt)
        case (0b10, 0...2): return ExpectedAccess(sizeLog2: UInt64(size), signExtend: true, sixtyFour: true, write: false, register: rt)
        case (0b11, 0...1): return ExpectedAccess(sizeLog2: UInt64(size), signExtend: true, sixtyFour: false, write: false, register: rt)
        default: return nil                             // PRFM/PRFUM, unallocated
        }
    }

    /// The ISS fields read back from a syndrome, bit by bit.
    init?(iss: UInt64) {
        guard iss >> 24 & 1 == 1 else { return nil }
        sizeLog2 = iss >> 22 & 3
        signExtend = iss >> 21 & 1 == 1
        register = iss >> 16 & 0x1F
        sixtyFour = iss >> 15 & 1 == 1
        write = iss >> 6 & 1 == 1
    }

    init(sizeLog2: UInt64, signExtend: Bool, sixtyFour: Bool, write: Bool, register: UInt64) {
        (self.sizeLog2, self.signExtend, self.sixtyFour, self.write, self.register) = (sizeLog2, signExtend, sixtyFour, write, register)
    }
}

extension FuzzTargets {
    /// `mmio`: a stream of (instruction word, physical address, NS, IPA width) the realm chose.
    static func mmio(_ bytes: [UInt8]) -> (FuzzStats, FuzzFinding?) {
        var input = FuzzInput(bytes)
        var stats = FuzzStats()
        repeat {
            let word = UInt32(truncatingIfNeeded: input.u64())
            let pa = input.interesting()
            let nonSecure = input.chance(50)
            let width = input.chance(80) ? UInt8(32 + input.below(21)) : input.byte()
            if let finding = checkMMIO(word, pa: pa, nonSecure: nonSecure, ipaWidth: width, &stats) {
                return (stats, finding)
            }
        } while !input.isExhausted && stats.mmioDecodes < 2000
        return (stats, nil)
    }

    static func checkMMIO(_ word: UInt32, pa: UInt64, nonSecure: Bool, ipaWidth: UInt8,
                          _ stats: inout FuzzStats) -> FuzzFinding? {
        let what = "instruction \(hex(UInt64(word))) pa \(hex(pa)) ns \(nonSecure) width \(ipaWidth)"
        stats.mmioDecodes += 1
        let iss = MMIOInstruction.syndrome(of: word)
        let expected = ExpectedAccess.decode(word)
        if let iss {
            stats.mmioDecoded += 1
            // Only the ISS fields a data abort's syndrome has (24:0 minus the FSC, which the caller adds).
            if iss & ~0x01FF_FFC0 != 0 { return FuzzFinding(description: "\(what): syndrome \(hex(iss)) sets bits outside ISV..WnR") }
            guard let got = ExpectedAccess(iss: iss) else { return FuzzFinding(description: "\(what): syndrome \(hex(iss)) without ISV") }
            if got != expected { return FuzzFinding(description: "\(what): syndrome \(got), the encoding says \(String(describing: expected))") }
        } else if expected != nil {
            // Every form the decoder's comment names is one an OS uses for device registers.
            return FuzzFinding(description: "\(what): not decoded, the encoding is \(expected!)")
        }
        let abort = IdentityPlacedAccess.stage2Abort(instruction: word, physicalAddress: pa, nonSecure: nonSecure, ipaWidth: ipaWidth)
        guard (abort == nil) == (iss == nil) else { return FuzzFinding(description: "\(what): stage-2 abort \(String(describing: abort)) for syndrome \(String(describing: iss))") }
        let ipa = IdentityPlacedAccess.ipa(physicalAddress: pa, nonSecure: nonSecure, ipaWidth: ipaWidth)
        // The IPA: inside the space, the physical address in the protected half's bits and the
        // top bit saying NS; or, for an address past the protected half, beyond the space.
        let w = UInt64(min(max(ipaWidth, 1), 63))
        let top: UInt64 = 1 << (w - 1)
        if pa < top {
            if ipa & (top - 1) != pa || (ipa & top != 0) != nonSecure || ipa >> w != 0 {
                return FuzzFinding(description: "\(what): IPA \(hex(ipa))")
            }
        } else if ipa >> w == 0 {
            return FuzzFinding(description: "\(what): IPA \(hex(ipa)) inside the space for an address past its protected half")
        }
        if let abort, let iss {
            // EC 0x24 (data abort from a lower EL), IL, the ISS, DFSC translation fault level 3.
            let esr = 0x24 << 26 | 1 << 25 | iss | 0b000111
            if abort.esr != esr { return FuzzFinding(description: "\(what): ESR \(hex(abort.esr)), expected \(hex(esr))") }
            // HPFAR_EL2.FIPA (bits 43:4) is IPA[51:12].
            if abort.hpfar != (ipa >> 12 & (1 << 40 - 1)) << 4 { return FuzzFinding(description: "\(what): HPFAR \(hex(abort.hpfar)) for IPA \(hex(ipa))") }
        }
        return nil
    }
}
