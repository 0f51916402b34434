// One stage-2 translation table entry as the RMM encodes it. Valid entries are VMSAv8-64
// stage-2 descriptors the hardware walks; invalid ones (bits[1:0] = 0) carry the RMM's
// HIPAS/RIPAS bookkeeping in bits the hardware ignores. The layout follows TF-RMM rel0
// (lib/s2tt s2tt_pvt_defs.h), see cca-reference.md section 4:
//
//   bits 1:0   descriptor type: 0 invalid, 1 block (levels 1-2), 3 table (0-2) / page (3)
//   bits 4:2   HIPAS in invalid entries: 0 UNASSIGNED, 1 ASSIGNED
//   bits 6:5   RIPAS in invalid entries
//   bits 47:12 output address (table, page, block, assigned invalid entries)
//   bit  55    "NS": unprotected IPA (software-ignored by the stage-2 walker)
//   bits 58:56 assigned_ns only: the host's MemAttr[2:0] as it gave it (software-ignored)
//
// Protected RAM mappings: Normal Write-Back cacheable (stage-2 MemAttr 0b1111, HCR_EL2.FWB=0),
// inner shareable, S2AP read/write, AF set, executable.
//
// Unprotected mappings: the host chooses MemAttr[2:0] and S2AP, in the encoding of a stage 2
// with HCR_EL2.FWB = 1, as TF-RMM reads them and as Linux writes them (MT_S2_FWB_*). The TMM
// runs realms with FWB = 0, so it writes the equivalent FWB = 0 MemAttr[3:0] for the walker
// and keeps the host's value in bits 58:56 for RTT_READ_ENTRY. It adds inner shareable, AF,
// XN and NS itself.

struct RTTEntry: Equatable {
    var raw: UInt64

    static let typeMask: UInt64 = 0x3
    static let typeBlock: UInt64 = 0x1
    static let typeTableOrPage: UInt64 = 0x3
    static let hipasShift: UInt64 = 2
    static let ripasShift: UInt64 = 5
    static let addressMask: UInt64 = 0x0000_FFFF_FFFF_F000
    static let nsBit: UInt64 = 1 << 55

    /// FWB = 0 MemAttr 0b1111: Normal, outer and inner Write-Back.
    static let normalWriteBack: UInt64 = 0xF << 2
    static let s2apMask: UInt64 = 0x3 << 6
    static let accessFlag: UInt64 = 1 << 10
    /// XN[1:0] = 0b10: not executable at EL1 or EL0.
    static let executeNever: UInt64 = 0x2 << 53
    static let innerShareable: UInt64 = 0x3 << 8
    static let protectedAttributes: UInt64 = normalWriteBack | s2apMask | innerShareable | accessFlag
    /// The attribute bits the host chooses for an unprotected mapping (DEN0137 RmiRttEntry;
    /// TF-RMM S2TTE_NS_ATTR_MASK): FWB MemAttr[2:0] and S2AP.
    static let hostMemAttrMask: UInt64 = 0x7 << 2
    static let hostAttributeMask: UInt64 = hostMemAttrMask | s2apMask
    /// FWB MemAttr 0b100 is reserved.
    static let hostMemAttrReserved: UInt64 = 0b100
    static let hostMemAttrShadowShift: UInt64 = 56

    /// Stage-2 MemAttr[3:0] with FWB = 0 for the host's FWB MemAttr[2:0] (Arm ARM, "Stage 2
    /// memory type and Cacheability attributes when FEAT_S2FWB is enabled"): Device types
    /// keep their encoding; Normal Non-cacheable is 0b0101; Normal Write-Back and "as stage
    /// 1 says" both become 0b1111, under which the realm's stage 1 decides. The one
    /// difference from FWB hardware: FWB 0b110 forces Write-Back even where the realm's stage
    /// 1 asks for less, which FWB = 0 cannot express.
    static func walkerMemAttr(host fwb: UInt64) -> UInt64 {
        switch fwb & 0x7 {
        case 0b000, 0b001, 0b010, 0b011: fwb & 0x3
        case 0b101: 0b0101
        default: 0b1111
        }
    }

    static func unassigned(_ ripas: RIPAS) -> RTTEntry { RTTEntry(raw: UInt64(ripas.rawValue) << ripasShift) }
    static let unassignedNS = RTTEntry(raw: nsBit)

    /// assigned_empty / assigned_destroyed: an invalid entry that still owns its granules.
    static func assignedInvalid(_ ripas: RIPAS, _ pa: UInt64) -> RTTEntry {
        RTTEntry(raw: pa & addressMask | 1 << hipasShift | UInt64(ripas.rawValue) << ripasShift)
    }

    static func assignedRAM(_ pa: UInt64, level: Int) -> RTTEntry {
        let type = level == RTTGeometry.pageLevel ? typeTableOrPage : typeBlock
        return RTTEntry(raw: pa & addressMask | protectedAttributes | type)
    }

    /// An assigned_ns entry from a validated host descriptor.
    static func assignedNS(hostDescriptor: UInt64, level: Int) -> RTTEntry {
        let type = level == RTTGeometry.pageLevel ? typeTableOrPage : typeBlock
        let fwb = hostDescriptor >> 2 & 0x7
        return RTTEntry(raw: hostDescriptor & (addressMask | s2apMask) | walkerMemAttr(host: fwb) << 2 | innerShareable
                        | accessFlag | executeNever | nsBit | fwb << hostMemAttrShadowShift | type)
    }

    static func table(_ pa: UInt64) -> RTTEntry { RTTEntry(raw: pa & addressMask | typeTableOrPage) }

    var outputAddress: UInt64 { raw & Self.addressMask }

    /// What the entry means at `level`. `.malformed` is never written by the core; reading
    /// it means memory was corrupted, and commands treat it as an entry they cannot change.
    func kind(level: Int) -> RTTEntryKind {
        switch raw & Self.typeMask {
        case 0:
            if raw & Self.nsBit != 0 { return .unassignedNS }
            guard let ripas = RIPAS(rawValue: UInt8(raw >> Self.ripasShift & 0x3)) else { return .malformed }
            switch raw >> Self.hipasShift & 0x7 {
            case 0: return .unassigned(ripas)
            case 1: return ripas == .ram ? .malformed : .assigned(ripas, outputAddress)
            default: return .malformed
            }
        case Self.typeBlock:
            guard level >= RTTGeometry.minBlockLevel && level < RTTGeometry.pageLevel else { return .malformed }
            return raw & Self.nsBit != 0 ? .assignedNS : .assigned(.ram, outputAddress)
        case Self.typeTableOrPage:
            if level == RTTGeometry.pageLevel {
                return raw & Self.nsBit != 0 ? .assignedNS : .assigned(.ram, outputAddress)
            }
            return level >= 0 && level < RTTGeometry.pageLevel ? .table(outputAddress) : .malformed
        default:
            return .malformed
        }
    }

    /// DEN0137: an entry is live when it is ASSIGNED, ASSIGNED_NS or TABLE. The same answer as
    /// `kind(level:)` gives, from the descriptor word alone: table scans test every entry, and
    /// decoding each one cost several times TF-RMM's per-entry work (README: Benchmark).
    func isLive(level: Int) -> Bool {
        switch raw & Self.typeMask {
        case 0:
            // assigned_empty or assigned_destroyed: HIPAS ASSIGNED, RIPAS EMPTY or DESTROYED,
            // not NS (HIPAS ASSIGNED with RIPAS RAM, or RIPAS 3, is malformed).
            let bits = raw & Self.invalidKindMask
            return bits == Self.assignedEmptyBits || bits == Self.assignedDestroyedBits
        case Self.typeBlock:
            return level >= RTTGeometry.minBlockLevel && level < RTTGeometry.pageLevel
        case Self.typeTableOrPage:
            return level >= 0 && level <= RTTGeometry.pageLevel
        default:
            return false
        }
    }

    /// Whether the entry holds a granule (an assigned protected entry or a table), as
    /// `kind(level:)` would say, from the word alone.
    func holdsGranule(level: Int) -> Bool {
        switch raw & Self.typeMask {
        case 0:
            return isLive(level: level)
        case Self.typeBlock:
            return isLive(level: level) && raw & Self.nsBit == 0
        case Self.typeTableOrPage:
            return level == RTTGeometry.pageLevel ? raw & Self.nsBit == 0 : level >= 0 && level < RTTGeometry.pageLevel
        default:
            return false
        }
    }

    /// The RIPAS of an unassigned protected entry, as `kind(level:)`'s `.unassigned` would say
    /// (at any level); nil for every other entry.
    var unassignedRIPAS: RIPAS? {
        guard raw & (Self.typeMask | 0x7 << Self.hipasShift | Self.nsBit) == 0 else { return nil }
        return RIPAS(rawValue: UInt8(truncatingIfNeeded: raw >> Self.ripasShift & 0x3))
    }

    /// The next-level table this entry points to, as `kind(level:)`'s `.table` would say.
    func tableAddress(level: Int) -> UInt64? {
        raw & Self.typeMask == Self.typeTableOrPage && level >= 0 && level < RTTGeometry.pageLevel ? outputAddress : nil
    }

    /// The bits that tell an invalid entry's kind (NS, RIPAS, HIPAS), and their values for the
    /// two live invalid kinds.
    static let invalidKindMask: UInt64 = nsBit | 0x3 << ripasShift | 0x7 << hipasShift
    static let assignedEmptyBits: UInt64 = 1 << hipasShift | UInt64(RIPAS.empty.rawValue) << ripasShift
    static let assignedDestroyedBits: UInt64 = 1 << hipasShift | UInt64(RIPAS.destroyed.rawValue) << ripasShift
    /// Type and HIPAS: zero in every unassigned entry (protected or NS), so an entry with
    /// none of these bits set is not live and holds nothing.
    static let liveCandidateMask: UInt64 = typeMask | 0x7 << hipasShift

    /// The descriptor RTT_READ_ENTRY reports for an assigned_ns entry: the host's fields only.
    var hostVisibleNSDescriptor: UInt64 {
        raw & (Self.addressMask | Self.s2apMask) | (raw >> Self.hostMemAttrShadowShift & 0x7) << 2
    }
}

enum RTTEntryKind: Equatable {
    case unassigned(RIPAS)
    case assigned(RIPAS, UInt64)
    case unassignedNS
    case assignedNS
    case table(UInt64)
    case malformed
}
