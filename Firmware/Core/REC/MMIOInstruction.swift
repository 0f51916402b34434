// The syndrome of a realm's load or store, decoded from the instruction itself. A CPU without
// Secure EL2 gives EL3 no instruction syndrome for a realm's access to an address with nothing
// behind it (an external abort has ISV = 0), so the EL3 image reads the faulting instruction and
// builds the ISS a stage-2 data abort would have carried (Arm ARM D17 ESR_EL2, ISS encoding for
// a Data Abort: ISV, SAS, SSE, SRT, SF, WnR). Only single-register integer loads and stores
// without writeback are decoded, the forms an OS uses for device registers, and the forms for
// which the architecture itself reports ISV = 1 (Arm ARM: no syndrome for writeback, pairs,
// exclusives or SIMD&FP registers): anything else is nil, and the access is not emulated.

public enum MMIOInstruction {
    /// The data-abort ISS bits for `instruction` (an A64 encoding, as fetched), or nil when it is
    /// not a load or store the TMM emulates.
    public static func syndrome(of instruction: UInt32) -> UInt64? {
        let i = UInt64(instruction)
        // Load/store register, integer (V = 0): unsigned immediate (bits 29:24 = 111001), or
        // bits 29:24 = 111000 with, in bit 21 and bits 11:10, unscaled immediate (0, 00) or
        // register offset (1, 10). Pre- and post-index (0, x1) write the base back and unprivileged
        // (0, 10) accesses are left alone, as the architecture gives them no syndrome either. A
        // register offset whose option<1> (bit 14) is 0 is unallocated: it cannot have faulted.
        let unsignedImmediate = i & 0x3F00_0000 == 0x3900_0000
        let unscaled = i & 0x3F20_0C00 == 0x3800_0000
        let registerOffset = i & 0x3F20_4C00 == 0x3820_4800
        guard unsignedImmediate || unscaled || registerOffset else { return nil }
        let size = i >> 30 & 0x3
        let opc = i >> 22 & 0x3
        let rt = i & 0x1F
        var signExtend = false
        var sixtyFourBitRegister = false
        var write = false
        switch opc {
        case 0b00:                       // STR, STRB, STRH (STUR*)
            write = true
            sixtyFourBitRegister = size == 3
        case 0b01:                       // LDR, LDRB, LDRH (LDUR*): zero-extended
            sixtyFourBitRegister = size == 3
        case 0b10:                       // LDRSB, LDRSH, LDRSW into X; size 3 is PRFM
            guard size != 3 else { return nil }
            signExtend = true
            sixtyFourBitRegister = true
        default:                         // LDRSB, LDRSH into W; sizes 2 and 3 unallocated
            guard size < 2 else { return nil }
            signExtend = true
        }
        var iss = DataAbortSyndrome.isv | size << 22 | rt << 16
        if signExtend { iss |= 1 << 21 }
        if sixtyFourBitRegister { iss |= DataAbortSyndrome.sixtyFour }
        if write { iss |= DataAbortSyndrome.writeNotRead }
        return iss
    }
}

/// How the EL3 image (no stage 2: a realm's IPA is the physical address, Docs/el3-realms.md)
/// presents a realm's access to an address with nothing behind it: as the stage-2 data abort
/// the S-EL2 image would have taken there, so that the run loop and the host see the same exit.
public enum IdentityPlacedAccess {
    /// The IPA a realm access names on the EL3 image: the physical address for a protected
    /// access (stage-1 NS = 0), the physical address with the top IPA bit set for a shared one
    /// (NS = 1: the unprotected half). A protected access above the protected half names
    /// nothing the realm has: an IPA beyond its IPA space.
    public static func ipa(physicalAddress pa: UInt64, nonSecure: Bool, ipaWidth: UInt8) -> UInt64 {
        let width = UInt64(min(max(ipaWidth, 1), 63))
        let unprotectedBit: UInt64 = 1 << (width - 1)
        guard pa < unprotectedBit else { return 1 << width }
        return nonSecure ? pa | unprotectedBit : pa
    }

    /// ESR and HPFAR of the emulatable stage-2 abort (translation fault, level 3) for an external
    /// abort at `pa` from `instruction`; nil when the instruction is not one the TMM emulates
    /// (the external abort then stands, and the realm takes it).
    public static func stage2Abort(instruction: UInt32, physicalAddress pa: UInt64, nonSecure: Bool,
                                   ipaWidth: UInt8) -> (esr: UInt64, hpfar: UInt64)? {
        guard let iss = MMIOInstruction.syndrome(of: instruction) else { return nil }
        let ipa = ipa(physicalAddress: pa, nonSecure: nonSecure, ipaWidth: ipaWidth)
        let esr = ExceptionClass.dataAbortLower << ExceptionClass.shift | ExceptionClass.instructionLength | iss
            | DataAbortSyndrome.fscTranslationLevel0 + 3
        return (esr, (ipa >> 12 & 0xFF_FFFF_FFFF) << 4)
    }
}
