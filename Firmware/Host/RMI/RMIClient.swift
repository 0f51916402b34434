// The host's side of RMI 1.0 (DEN0137 1.0-rel0): one function per command, returning the
// command's status and outputs as the registers carry them.

/// An RMI result: x0 decoded into status and index, x1..x4 as returned.
struct RMIResult {
    var x0: UInt64, x1: UInt64, x2: UInt64, x3: UInt64, x4: UInt64

    var status: UInt64 { x0 & 0xFF }
    var index: UInt64 { x0 >> 8 & 0xFF }
    var succeeded: Bool { x0 == 0 }
}

/// RmiStatusCode values.
enum RMIStatusCode {
    static let success: UInt64 = 0
    static let errorInput: UInt64 = 1
    static let errorRealm: UInt64 = 2
    static let errorREC: UInt64 = 3
    static let errorRTT: UInt64 = 4

    /// x0 for RMI_ERROR_RTT at `level`.
    static func rtt(level: UInt64) -> UInt64 { errorRTT | level << 8 }
}

/// RmiFeatureRegister0 (DEN0137 1.0-rel0), as RMI_FEATURES(0) returns it in x1: S2SZ [7:0],
/// LPA2 [8], SVE_EN [9], SVE_VL [13:10], NUM_BPS [19:14], NUM_WPS [25:20], PMU_EN [26],
/// PMU_NUM_CTRS [31:27], HASH_SHA_256 [32], HASH_SHA_512 [33], GICV3_NUM_LRS [37:34],
/// MAX_RECS_ORDER [41:38].
struct RMIFeatures {
    let value: UInt64

    init(_ value: UInt64) { self.value = value }

    var s2sz: UInt64 { value & 0xFF }
    var lpa2: UInt64 { value >> 8 & 1 }
    var sve: UInt64 { value >> 9 & 1 }
    /// Breakpoints and watchpoints available, minus one: the largest num_bps and num_wps a
    /// realm may ask for (0 is reserved).
    var numBPs: UInt64 { value >> 14 & 0x3F }
    var numWPs: UInt64 { value >> 20 & 0x3F }
    var pmu: UInt64 { value >> 26 & 1 }
    var pmuNumCounters: UInt64 { value >> 27 & 0x1F }
    var sha256: UInt64 { value >> 32 & 1 }
    var sha512: UInt64 { value >> 33 & 1 }
    var numLRs: UInt64 { value >> 34 & 0xF }
    var maxRecsOrder: UInt64 { value >> 38 & 0xF }
    /// Bits [63:42], reserved (zero).
    var reserved: UInt64 { value >> 42 }
}

/// RMI function IDs (SMC64).
enum RMIFID {
    static let version: UInt64 = 0xC400_0150
    static let granuleDelegate: UInt64 = 0xC400_0151
    static let granuleUndelegate: UInt64 = 0xC400_0152
    static let dataCreate: UInt64 = 0xC400_0153
    static let dataCreateUnknown: UInt64 = 0xC400_0154
    static let dataDestroy: UInt64 = 0xC400_0155
    /// In the RMI range but assigned to no command in RMI 1.0.
    static let unassigned: UInt64 = 0xC400_0156
    /// The first FID after RMI 1.0's commands, and the last of the range TF-A gives RMI.
    static let beyondRMI1_0: UInt64 = 0xC400_016A
    static let lastOfRange: UInt64 = 0xC400_018F
    static let realmActivate: UInt64 = 0xC400_0157
    static let realmCreate: UInt64 = 0xC400_0158
    static let realmDestroy: UInt64 = 0xC400_0159
    static let recCreate: UInt64 = 0xC400_015A
    static let recDestroy: UInt64 = 0xC400_015B
    static let recEnter: UInt64 = 0xC400_015C
    static let rttCreate: UInt64 = 0xC400_015D
    static let rttDestroy: UInt64 = 0xC400_015E
    static let rttMapUnprotected: UInt64 = 0xC400_015F
    static let rttReadEntry: UInt64 = 0xC400_0161
    static let rttUnmapUnprotected: UInt64 = 0xC400_0162
    static let psciComplete: UInt64 = 0xC400_0164
    static let features: UInt64 = 0xC400_0165
    static let rttFold: UInt64 = 0xC400_0166
    static let recAuxCount: UInt64 = 0xC400_0167
    static let rttInitRIPAS: UInt64 = 0xC400_0168
    static let rttSetRIPAS: UInt64 = 0xC400_0169
}

enum RMI {
    /// RMI 1.0 as RMI_VERSION encodes it: (major << 16) | minor.
    static let version1_0: UInt64 = 0x1_0000

    private static func call(_ fid: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0,
                             _ x4: UInt64 = 0, _ x5: UInt64 = 0) -> RMIResult {
        let r = smc(fid, x1, x2, x3, x4, x5)
        return RMIResult(x0: r.x0, x1: r.x1, x2: r.x2, x3: r.x3, x4: r.x4)
    }

    static func version(_ requested: UInt64) -> RMIResult { call(RMIFID.version, requested) }
    static func granuleDelegate(_ pa: UInt64) -> RMIResult { call(RMIFID.granuleDelegate, pa) }
    static func granuleUndelegate(_ pa: UInt64) -> RMIResult { call(RMIFID.granuleUndelegate, pa) }
    static func dataCreate(rd: UInt64, data: UInt64, ipa: UInt64, source: UInt64, flags: UInt64) -> RMIResult {
        call(RMIFID.dataCreate, rd, data, ipa, source, flags)
    }
    static func dataCreateUnknown(rd: UInt64, data: UInt64, ipa: UInt64) -> RMIResult {
        call(RMIFID.dataCreateUnknown, rd, data, ipa)
    }
    static func dataDestroy(rd: UInt64, ipa: UInt64) -> RMIResult { call(RMIFID.dataDestroy, rd, ipa) }
    static func realmActivate(rd: UInt64) -> RMIResult { call(RMIFID.realmActivate, rd) }
    static func realmCreate(rd: UInt64, params: UInt64) -> RMIResult { call(RMIFID.realmCreate, rd, params) }
    static func realmDestroy(rd: UInt64) -> RMIResult { call(RMIFID.realmDestroy, rd) }
    static func recCreate(rd: UInt64, rec: UInt64, params: UInt64) -> RMIResult { call(RMIFID.recCreate, rd, rec, params) }
    static func recDestroy(rec: UInt64) -> RMIResult { call(RMIFID.recDestroy, rec) }
    static func recEnter(rec: UInt64, run: UInt64) -> RMIResult { call(RMIFID.recEnter, rec, run) }
    static func rttCreate(rd: UInt64, rtt: UInt64, ipa: UInt64, level: Int64) -> RMIResult {
        call(RMIFID.rttCreate, rd, rtt, ipa, UInt64(bitPattern: level))
    }
    static func rttDestroy(rd: UInt64, ipa: UInt64, level: Int64) -> RMIResult {
        call(RMIFID.rttDestroy, rd, ipa, UInt64(bitPattern: level))
    }
    /// RmiRttEntry attributes for shared memory, as Linux gives them: MemAttr[2:0] = 0b110
    /// (Normal Write-Back in the stage-2 FWB encoding), S2AP [7:6] = 0b11 (read/write).
    static let sharedMemoryAttributes: UInt64 = 0b110 << 2 | 0b11 << 6

    static func rttMapUnprotected(rd: UInt64, ipa: UInt64, level: Int64, descriptor: UInt64) -> RMIResult {
        call(RMIFID.rttMapUnprotected, rd, ipa, UInt64(bitPattern: level), descriptor)
    }
    static func rttReadEntry(rd: UInt64, ipa: UInt64, level: Int64) -> RMIResult {
        call(RMIFID.rttReadEntry, rd, ipa, UInt64(bitPattern: level))
    }
    static func rttUnmapUnprotected(rd: UInt64, ipa: UInt64, level: Int64) -> RMIResult {
        call(RMIFID.rttUnmapUnprotected, rd, ipa, UInt64(bitPattern: level))
    }
    static func psciComplete(callingREC: UInt64, targetREC: UInt64, status: UInt64) -> RMIResult {
        call(RMIFID.psciComplete, callingREC, targetREC, status)
    }
    static func features(_ index: UInt64) -> RMIResult { call(RMIFID.features, index) }
    static func rttFold(rd: UInt64, ipa: UInt64, level: Int64) -> RMIResult {
        call(RMIFID.rttFold, rd, ipa, UInt64(bitPattern: level))
    }
    static func recAuxCount(rd: UInt64) -> RMIResult { call(RMIFID.recAuxCount, rd) }
    static func rttInitRIPAS(rd: UInt64, base: UInt64, top: UInt64) -> RMIResult { call(RMIFID.rttInitRIPAS, rd, base, top) }
    static func rttSetRIPAS(rd: UInt64, rec: UInt64, base: UInt64, top: UInt64) -> RMIResult {
        call(RMIFID.rttSetRIPAS, rd, rec, base, top)
    }
}

/// RmiRttEntryState and RIPAS values RTT_READ_ENTRY reports.
enum RTTEntryState {
    static let unassigned: UInt64 = 0
    static let assigned: UInt64 = 1
    static let table: UInt64 = 2
}

enum RIPASValue {
    static let empty: UInt64 = 0
    static let ram: UInt64 = 1
    static let destroyed: UInt64 = 2
}
