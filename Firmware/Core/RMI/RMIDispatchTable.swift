// The one dispatch table: RMI 1.0 commands by function number offset from 0x150, with the
// argument and result register counts of each (DEN0137 B4.3; TF-RMM runtime/core/handler.c).

enum RMICommand: UInt8 {
    case none
    case version, granuleDelegate, granuleUndelegate, dataCreate, dataCreateUnknown, dataDestroy
    case realmActivate, realmCreate, realmDestroy, recCreate, recDestroy, recEnter
    case rttCreate, rttDestroy, rttMapUnprotected, rttReadEntry, rttUnmapUnprotected
    case psciComplete, features, rttFold, recAuxCount, rttInitRIPAS, rttSetRIPAS
}

struct RMICommandEntry {
    var command: RMICommand
    var arguments: UInt8
    var results: UInt8
}

enum RMIDispatchTable {
    static let firstFunction: UInt64 = 0xC400_0150
    /// SMCCC 1.3 "no live SVE state" hint: callers may set it on any FID; it does not
    /// change which command runs.
    static let sveHintBit: UInt64 = 1 << 16

    static let entries: InlineArray<26, RMICommandEntry> = [
        RMICommandEntry(command: .version, arguments: 1, results: 2),            // 0x150
        RMICommandEntry(command: .granuleDelegate, arguments: 1, results: 0),    // 0x151
        RMICommandEntry(command: .granuleUndelegate, arguments: 1, results: 0),  // 0x152
        RMICommandEntry(command: .dataCreate, arguments: 5, results: 0),         // 0x153
        RMICommandEntry(command: .dataCreateUnknown, arguments: 3, results: 0),  // 0x154
        RMICommandEntry(command: .dataDestroy, arguments: 2, results: 2),        // 0x155
        RMICommandEntry(command: .none, arguments: 0, results: 0),               // 0x156
        RMICommandEntry(command: .realmActivate, arguments: 1, results: 0),      // 0x157
        RMICommandEntry(command: .realmCreate, arguments: 2, results: 0),        // 0x158
        RMICommandEntry(command: .realmDestroy, arguments: 1, results: 0),       // 0x159
        RMICommandEntry(command: .recCreate, arguments: 3, results: 0),          // 0x15A
        RMICommandEntry(command: .recDestroy, arguments: 1, results: 0),         // 0x15B
        RMICommandEntry(command: .recEnter, arguments: 2, results: 0),           // 0x15C
        RMICommandEntry(command: .rttCreate, arguments: 4, results: 0),          // 0x15D
        RMICommandEntry(command: .rttDestroy, arguments: 3, results: 2),         // 0x15E
        RMICommandEntry(command: .rttMapUnprotected, arguments: 4, results: 0),  // 0x15F
        RMICommandEntry(command: .none, arguments: 0, results: 0),               // 0x160
        RMICommandEntry(command: .rttReadEntry, arguments: 3, results: 4),       // 0x161
        RMICommandEntry(command: .rttUnmapUnprotected, arguments: 3, results: 1),// 0x162
        RMICommandEntry(command: .none, arguments: 0, results: 0),               // 0x163
        RMICommandEntry(command: .psciComplete, arguments: 3, results: 0),       // 0x164
        RMICommandEntry(command: .features, arguments: 1, results: 1),           // 0x165
        RMICommandEntry(command: .rttFold, arguments: 3, results: 1),            // 0x166
        RMICommandEntry(command: .recAuxCount, arguments: 1, results: 1),        // 0x167
        RMICommandEntry(command: .rttInitRIPAS, arguments: 3, results: 1),       // 0x168
        RMICommandEntry(command: .rttSetRIPAS, arguments: 4, results: 1),        // 0x169
    ]

    /// The table entry for `fid`, or nil for any FID without an RMI 1.0 command. SMCCC passes
    /// the function identifier in W0, so the upper half of X0 is not part of it.
    static func entry(for fid: UInt64) -> RMICommandEntry? {
        let function = fid & 0xFFFF_FFFF & ~sveHintBit
        guard function >= firstFunction else { return nil }
        let offset = function - firstFunction
        guard offset < UInt64(entries.count) else { return nil }
        let e = entries[Int(offset)]
        return e.command == .none ? nil : e
    }
}
