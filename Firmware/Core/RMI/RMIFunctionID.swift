// RMI function identifiers of DEN0137 1.0-rel0 (SMC64 fast calls, Standard Secure Service,
// function numbers 0x150-0x169). FIDs 0xC4000156, 0xC4000160 and 0xC4000163 have no command.

enum RMIFunctionID: UInt64 {
    case version = 0xC400_0150
    case granuleDelegate = 0xC400_0151
    case granuleUndelegate = 0xC400_0152
    case dataCreate = 0xC400_0153
    case dataCreateUnknown = 0xC400_0154
    case dataDestroy = 0xC400_0155
    case realmActivate = 0xC400_0157
    case realmCreate = 0xC400_0158
    case realmDestroy = 0xC400_0159
    case recCreate = 0xC400_015A
    case recDestroy = 0xC400_015B
    case recEnter = 0xC400_015C
    case rttCreate = 0xC400_015D
    case rttDestroy = 0xC400_015E
    case rttMapUnprotected = 0xC400_015F
    case rttReadEntry = 0xC400_0161
    case rttUnmapUnprotected = 0xC400_0162
    case psciComplete = 0xC400_0164
    case features = 0xC400_0165
    case rttFold = 0xC400_0166
    case recAuxCount = 0xC400_0167
    case rttInitRIPAS = 0xC400_0168
    case rttSetRIPAS = 0xC400_0169
}

/// The span of SMC function IDs that the EL3 monitor forwards to the TMM (TF-A reserves
/// 0x150-0x18F of the Standard Secure Service for RMI).
enum RMIFunctionRange {
    static let first: UInt64 = 0xC400_0150
    static let last: UInt64 = 0xC400_018F

    static func contains(_ fid: UInt64) -> Bool { fid >= first && fid <= last }
}
