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
//
// Protected RAM mappings: Normal Write-Back cacheable (stage-2 MemAttr 0b1111, HCR_EL2.FWB=0),
// inner shareable, S2AP read/write, AF set, executable. Unprotected mappings: the host's
// MemAttr, S2AP and SH, with AF, XN and NS added by the RMM.

struct RTTEntry: Equatable {
    var raw: UInt64

    static let typeMask: UInt64 = 0x3
    static let typeBlock: UInt64 = 0x1
    static let typeTableOrPage: UInt64 = 0x3
    static let hipasShift: UInt64 = 2
    static let ripasShift: UInt64 = 5
    static let addressMask: UInt64 = 0x0000_FFFF_FFFF_F000
    static let nsBit: UInt64 = 1 << 55

    static let memAttrMask: UInt64 = 0xF << 2
    static let s2apMask: UInt64 = 0x3 << 6
    static let shMask: UInt64 = 0x3 << 8
    static let accessFlag: UInt64 = 1 << 10
    /// XN[1:0] = 0b10: not executable at EL1 or EL0.
    static let executeNever: UInt64 = 0x2 << 53
    static let protectedAttributes: UInt64 = (0xF << 2) | (0x3 << 6) | (0x3 << 8) | accessFlag
    /// The attribute bits the host chooses for an unprotected mapping (DEN0137 RmiRttEntry).
    static let hostAttributeMask: UInt64 = memAttrMask | s2apMask | shMask

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
        return RTTEntry(raw: hostDescriptor & (addressMask | hostAttributeMask) | accessFlag | executeNever | nsBit | type)
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

    /// DEN0137: an entry is live when it is ASSIGNED, ASSIGNED_NS or TABLE.
    func isLive(level: Int) -> Bool {
        switch kind(level: level) {
        case .assigned, .assignedNS, .table: true
        case .unassigned, .unassignedNS, .malformed: false
        }
    }

    /// The descriptor RTT_READ_ENTRY reports for an assigned_ns entry: the host's fields only.
    var hostVisibleNSDescriptor: UInt64 { raw & (Self.addressMask | Self.hostAttributeMask) }
}

enum RTTEntryKind: Equatable {
    case unassigned(RIPAS)
    case assigned(RIPAS, UInt64)
    case unassignedNS
    case assignedNS
    case table(UInt64)
    case malformed
}
