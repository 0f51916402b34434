import AArch64
import PlatformDefinitions

// Identity-mapped stage-1 translation for the firmware's own regimes (EL3, EL2) and the
// project's normal-world host: 4 KiB granule, the platform's PLAT_VA_BITS of VA (TCR.T0SZ =
// 64 - bits; walks start at level 1 up to 39 bits, at level 0 above: Arm ARM D8.2.6, 4 KiB
// granule), block mappings where alignment allows. VMSAv8-64 descriptor formats, Arm ARM D8.3.

/// The memory types of the firmware's MAIR (index = AttrIndx).
enum MemoryType: UInt64 {
    /// Device-nGnRE.
    case device = 0
    /// Normal, inner and outer write-back read/write-allocate, non-transient.
    case normal = 1
}

/// MAIR_ELx value matching `MemoryType`.
let firmwareMAIR: UInt64 = 0x04 | 0xFF << 8

struct MappingAttributes {
    var type: MemoryType
    var writable: Bool
    var executable: Bool
    /// Output address in the Non-secure physical address space (descriptor NS bit).
    var nonSecure: Bool

    static let code = MappingAttributes(type: .normal, writable: false, executable: true, nonSecure: false)
    static let readOnlyData = MappingAttributes(type: .normal, writable: false, executable: false, nonSecure: false)
    static let data = MappingAttributes(type: .normal, writable: true, executable: false, nonSecure: false)
    static let device = MappingAttributes(type: .device, writable: true, executable: false, nonSecure: false)
    static let nonSecureData = MappingAttributes(type: .normal, writable: true, executable: false, nonSecure: true)
    static let nonSecureDevice = MappingAttributes(type: .device, writable: true, executable: false, nonSecure: true)

    /// Lower and upper attributes of a block or page descriptor for a single-VA-range regime
    /// (EL2 without VHE, EL3): AP[1] is RES1 there, XN is bit 54.
    var descriptorBits: UInt64 {
        var bits: UInt64 = type.rawValue << 2 | 1 << 6 | 1 << 10     // AttrIndx, AP[1], AF
        if type == .normal { bits |= 3 << 8 }                         // inner shareable
        if !writable { bits |= 1 << 7 }                               // AP[2]: read-only
        if nonSecure { bits |= 1 << 5 }
        if !executable { bits |= 1 << 54 }
        return bits
    }
}

/// Builds identity mappings into tables carved from a caller-provided, 4 KiB-aligned region.
struct Stage1Tables {
    static let t0sz: UInt64 = 64 - UInt64(PLAT_VA_BITS)
    /// A level-1 table resolves 39 bits of VA; more bits need the level-0 table above it.
    static let startLevel = t0sz >= 25 ? 1 : 0
    private static let entriesPerTable = 512
    private static let descriptorValid: UInt64 = 1
    private static let descriptorTableOrPage: UInt64 = 3
    private static let outputAddressMask: UInt64 = 0x0000_FFFF_FFFF_F000

    private let pool: UnsafeMutablePointer<UInt64>
    private let capacity: Int
    private var used = 1

    /// `memory` holds `tables` zeroed 4 KiB tables; the first becomes the root.
    init(memory: UnsafeMutableRawPointer, tables: Int) {
        pool = memory.bindMemory(to: UInt64.self, capacity: tables * Self.entriesPerTable)
        capacity = tables
        for i in 0..<Self.entriesPerTable { pool[i] = 0 }
    }

    var root: UInt64 { UInt64(UInt(bitPattern: pool)) }

    private static func blockSize(_ level: Int) -> UInt64 { 1 << (12 + 9 * UInt64(3 - level)) }

    /// Maps [base, base + size) to itself. Both must be 4 KiB aligned; returns false when the
    /// range overlaps an existing mapping, leaves the VA space, or tables run out.
    mutating func map(base: UInt64, size: UInt64, _ attributes: MappingAttributes) -> Bool {
        guard base & 0xFFF == 0, size & 0xFFF == 0, size > 0 else { return false }
        let (end, overflow) = base.addingReportingOverflow(size)
        guard !overflow, end <= 1 << (64 - Self.t0sz) else { return false }
        var address = base
        while address < end {
            guard let mapped = mapOne(address, end, attributes) else { return false }
            address += mapped
        }
        return true
    }

    /// Maps [base, base + size) except the parts inside any of `holeCount` holes, which
    /// `hole(i)` returns as (base, size).
    mutating func map(base: UInt64, size: UInt64, _ attributes: MappingAttributes,
                      excluding holeCount: Int, _ hole: (Int) -> (base: UInt64, size: UInt64)) -> Bool {
        let end = base &+ size
        var cursor = base
        while cursor < end {
            var pieceEnd = end
            var skipTo: UInt64? = nil
            for i in 0..<holeCount {
                let h = hole(i)
                if cursor >= h.base && cursor - h.base < h.size {
                    skipTo = min(h.base &+ h.size, end)
                } else if h.base > cursor && h.base < pieceEnd {
                    pieceEnd = h.base
                }
            }
            if let next = skipTo {
                cursor = next
                continue
            }
            guard map(base: cursor, size: pieceEnd - cursor, attributes) else { return false }
            cursor = pieceEnd
        }
        return true
    }

    /// Maps the largest block or page that starts at `address` and fits below `end`.
    private mutating func mapOne(_ address: UInt64, _ end: UInt64, _ attributes: MappingAttributes) -> UInt64? {
        var table = pool
        var level = Self.startLevel
        while true {
            let size = Self.blockSize(level)
            let index = Int(address >> (12 + 9 * UInt64(3 - level)) & 0x1FF)
            let entry = table[index]
            let fits = address & (size - 1) == 0 && end - address >= size
            if level == 3 || (fits && level >= 1 && entry == 0) {
                guard entry == 0 else { return nil }
                let type = level == 3 ? Self.descriptorTableOrPage : Self.descriptorValid
                table[index] = address | attributes.descriptorBits | type
                return size
            }
            if entry == 0 {
                guard used < capacity else { return nil }
                let next = pool + used * Self.entriesPerTable
                used += 1
                for i in 0..<Self.entriesPerTable { next[i] = 0 }
                table[index] = UInt64(UInt(bitPattern: next)) | Self.descriptorTableOrPage
            } else if entry & 3 != Self.descriptorTableOrPage {
                return nil
            }
            let nextAddress = table[index] & Self.outputAddressMask
            table = UnsafeMutablePointer<UInt64>(bitPattern: UInt(nextAddress))!
            level += 1
        }
    }

    /// TCR_EL2/TCR_EL3 for these tables: T0SZ, write-back walks, inner shareable, 4 KiB
    /// granule, the PA size (IPS/PS at bits [18:16]) and the RES1 bits 23 and 31.
    static func translationControl(physicalAddressSize ps: UInt64) -> UInt64 {
        t0sz | 1 << 8 | 1 << 10 | 3 << 12 | (ps & 7) << 16 | 1 << 23 | 1 << 31
    }
}

/// SCTLR_EL2 (non-VHE) / SCTLR_EL3 value with the MMU, caches, alignment-check of SP and
/// write-implies-execute-never on; RES1 bits 4, 5, 11, 16, 18, 22, 23, 28, 29.
let firmwareSCTLR: UInt64 = 1 << 0 | 1 << 2 | 1 << 3 | 1 << 12 | 1 << 19 | sctlrRES1
let sctlrRES1: UInt64 = 1 << 4 | 1 << 5 | 1 << 11 | 1 << 16 | 1 << 18 | 1 << 22 | 1 << 23 | 1 << 28 | 1 << 29

/// PS encoding for the stage-1 regimes: the CPU's PARange capped at the smallest size that
/// covers the identity-mapped VA space (TCR PS/IPS encodings: 0 = 32, 1 = 36, 2 = 40, 3 = 42,
/// 4 = 44, 5 = 48 bits).
func firmwarePhysicalAddressSize() -> UInt64 {
    let bits = UInt64(PLAT_VA_BITS)
    let needed: UInt64 = bits <= 32 ? 0 : bits <= 36 ? 1 : bits <= 40 ? 2 : bits <= 42 ? 3 : bits <= 44 ? 4 : 5
    return min(read_id_aa64mmfr0_el1() & 0xF, needed)
}

/// Turns the MMU on at EL3 with the tables rooted at `root` (the same tables on every CPU).
func enableStage1AtEL3(root: UInt64) {
    write_mair_el3(firmwareMAIR)
    write_tcr_el3(Stage1Tables.translationControl(physicalAddressSize: firmwarePhysicalAddressSize()))
    write_ttbr0_el3(root)
    dsb_ish()
    tlbi_alle3()
    dsb_ish()
    isb()
    write_sctlr_el3(firmwareSCTLR)
    isb()
}

/// Turns the MMU on at EL2 (Secure or Non-secure, without VHE) with the tables at `root`.
func enableStage1AtEL2(root: UInt64) {
    write_mair_el2(firmwareMAIR)
    write_tcr_el2(Stage1Tables.translationControl(physicalAddressSize: firmwarePhysicalAddressSize()))
    write_ttbr0_el2(root)
    dsb_ish()
    tlbi_alle2()
    dsb_ish()
    isb()
    write_sctlr_el2(firmwareSCTLR)
    isb()
}
