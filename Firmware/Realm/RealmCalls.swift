import AArch64
import RealmSupport

// The realm's two firmware interfaces, both through SMC: RSI (DEN0137 1.0-rel0, B5) and PSCI
// (DEN0022), exactly as a realm written for CCA calls them.

enum RSIFunction {
    static let version: UInt64 = 0xC400_0190
    static let features: UInt64 = 0xC400_0191
    static let measurementRead: UInt64 = 0xC400_0192
    static let measurementExtend: UInt64 = 0xC400_0193
    static let attestationTokenInit: UInt64 = 0xC400_0194
    static let attestationTokenContinue: UInt64 = 0xC400_0195
    static let realmConfig: UInt64 = 0xC400_0196
    static let ipaStateSet: UInt64 = 0xC400_0197
    static let ipaStateGet: UInt64 = 0xC400_0198
    static let hostCall: UInt64 = 0xC400_0199
}

/// RsiCommandReturnCode.
enum RSIStatus {
    static let success: UInt64 = 0
    static let errorInput: UInt64 = 1
    static let errorState: UInt64 = 2
    static let incomplete: UInt64 = 3
}

enum RIPAS {
    static let empty: UInt64 = 0
    static let ram: UInt64 = 1
    static let destroyed: UInt64 = 2
}

/// RsiResponse of RSI_IPA_STATE_SET.
enum RIPASResponse {
    static let accept: UInt64 = 0
    static let reject: UInt64 = 1
}

/// Results x0..x8 of an RSI call.
struct RSIResult {
    var x: InlineArray<9, UInt64>

    var status: UInt64 { x[0] }
}

/// An RSI call with up to ten arguments (x1..x10).
func rsi(_ fid: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0, _ x4: UInt64 = 0,
         _ words: InlineArray<8, UInt64>? = nil) -> RSIResult {
    var regs = rsi_regs(x: (fid, x1, x2, x3, x4, 0, 0, 0, 0, 0, 0))
    if let words {
        // MEASUREMENT_EXTEND: x3..x10 carry the value; x1, x2 as given.
        regs.x.3 = words[0]; regs.x.4 = words[1]; regs.x.5 = words[2]; regs.x.6 = words[3]
        regs.x.7 = words[4]; regs.x.8 = words[5]; regs.x.9 = words[6]; regs.x.10 = words[7]
    }
    rsi_call(&regs)
    var out = RSIResult(x: InlineArray(repeating: 0))
    out.x[0] = regs.x.0; out.x[1] = regs.x.1; out.x[2] = regs.x.2; out.x[3] = regs.x.3
    out.x[4] = regs.x.4; out.x[5] = regs.x.5; out.x[6] = regs.x.6; out.x[7] = regs.x.7
    out.x[8] = regs.x.8
    return out
}

/// RSI_ATTESTATION_TOKEN_INIT: the challenge travels in x1..x8.
func rsiTokenInit(_ challenge: InlineArray<8, UInt64>) -> RSIResult {
    var regs = rsi_regs(x: (RSIFunction.attestationTokenInit, challenge[0], challenge[1], challenge[2], challenge[3],
                            challenge[4], challenge[5], challenge[6], challenge[7], 0, 0))
    rsi_call(&regs)
    var out = RSIResult(x: InlineArray(repeating: 0))
    out.x[0] = regs.x.0
    out.x[1] = regs.x.1
    return out
}

enum PSCIFunction {
    static let version: UInt64 = 0x8400_0000
    static let cpuOff: UInt64 = 0x8400_0002
    static let cpuOn: UInt64 = 0xC400_0003
    static let affinityInfo: UInt64 = 0xC400_0004
    static let systemOff: UInt64 = 0x8400_0008
    static let features: UInt64 = 0x8400_000A
}

enum PSCIStatus {
    static let success: UInt64 = 0
    static let notSupported = UInt64(bitPattern: -1)
    static let invalidParameters = UInt64(bitPattern: -2)
    static let alreadyOn = UInt64(bitPattern: -4)
    static let invalidAddress = UInt64(bitPattern: -9)
    static let affinityOn: UInt64 = 0
    static let affinityOff: UInt64 = 1
}

func psci(_ fid: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0) -> UInt64 {
    var regs = smc_regs(x: (fid, x1, x2, x3, 0, 0, 0, 0))
    smc_call(&regs)
    return regs.x.0
}

func systemOff() -> Never {
    _ = psci(PSCIFunction.systemOff)
    say("FAIL PSCI SYSTEM_OFF returned")
    while true { wfi() }
}
