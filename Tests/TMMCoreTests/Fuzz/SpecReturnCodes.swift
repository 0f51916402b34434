// The return codes the specification lists for each command, as an oracle for the fuzz
// targets: one table, written from DEN0137 1.0-rel0's failure conditions (command by command,
// section B4.3 for RMI and B5.3 for RSI; ../shared/docs/cca-reference.md §1.2, §2) and not
// from the core's code. A command returning anything else is a finding.

@testable import TMMCore

enum SpecReturnCodes {
    /// RmiStatusCode values each RMI command can return, with the ERROR_REALM indexes it
    /// defines. ERROR_RTT carries a level, checked separately.
    struct RMIAllowed {
        var statuses: Set<UInt8>
        var realmIndexes: Set<UInt8> = [0]
    }

    static let success: UInt8 = 0, input: UInt8 = 1, realm: UInt8 = 2, rec: UInt8 = 3, rtt: UInt8 = 4

    static let rmi: [RMIFunctionID: RMIAllowed] = [
        .version: RMIAllowed(statuses: [success, input]),
        .features: RMIAllowed(statuses: [success]),
        .granuleDelegate: RMIAllowed(statuses: [success, input]),
        .granuleUndelegate: RMIAllowed(statuses: [success, input]),
        // ERROR_REALM: the realm is not NEW (only when content is copied in).
        .dataCreate: RMIAllowed(statuses: [success, input, realm, rtt]),
        .dataCreateUnknown: RMIAllowed(statuses: [success, input, rtt]),
        .dataDestroy: RMIAllowed(statuses: [success, input, rtt]),
        .realmActivate: RMIAllowed(statuses: [success, input, realm]),
        .realmCreate: RMIAllowed(statuses: [success, input]),
        // ERROR_REALM: the realm still has RECs or live RTT entries.
        .realmDestroy: RMIAllowed(statuses: [success, input, realm]),
        .recCreate: RMIAllowed(statuses: [success, input, realm]),
        .recDestroy: RMIAllowed(statuses: [success, input, rec]),
        // ERROR_REALM index 0: realm NEW; index 1: realm SYSTEM_OFF.
        .recEnter: RMIAllowed(statuses: [success, input, realm, rec], realmIndexes: [0, 1]),
        .rttCreate: RMIAllowed(statuses: [success, input, rtt]),
        .rttDestroy: RMIAllowed(statuses: [success, input, rtt]),
        .rttMapUnprotected: RMIAllowed(statuses: [success, input, rtt]),
        .rttReadEntry: RMIAllowed(statuses: [success, input]),
        .rttUnmapUnprotected: RMIAllowed(statuses: [success, input, rtt]),
        .psciComplete: RMIAllowed(statuses: [success, input]),
        .rttFold: RMIAllowed(statuses: [success, input, rtt]),
        .recAuxCount: RMIAllowed(statuses: [success, input]),
        .rttInitRIPAS: RMIAllowed(statuses: [success, input, realm, rtt]),
        // ERROR_REC: the REC is not the realm's, or is running.
        .rttSetRIPAS: RMIAllowed(statuses: [success, input, rec, rtt]),
    ]

    /// The level argument, for commands whose ERROR_RTT index can be no deeper than it.
    static func levelArgument(_ id: RMIFunctionID, _ a: RMIArguments) -> UInt64? {
        switch id {
        case .rttCreate: a.x4
        case .rttDestroy, .rttFold, .rttMapUnprotected, .rttUnmapUnprotected: a.x3
        default: nil
        }
    }

    /// Why `r` is not a result the specification allows for `fid` with arguments `a`, or nil.
    static func rmiViolation(fid: UInt64, _ a: RMIArguments, _ r: RMIResult) -> String? {
        guard let entry = RMIDispatchTable.entry(for: fid), let id = RMIFunctionID(rawValue: fid & 0xFFFF_FFFF & ~(1 << 16)) else {
            // SMCCC: a function the implementation does not provide returns NOT_SUPPORTED (-1).
            return r == RMIResult(x0: UInt64.max) ? nil : "unassigned FID returned \(r)"
        }
        guard let code = RMIReturnCode(encoded: r.x0) else { return "x0 \(hex(r.x0)) is not an RmiCommandReturnCode" }
        let allowed = rmi[id]!
        let status = code.status.rawValue
        guard allowed.statuses.contains(status) else { return "\(id) returned status \(status), not one the command lists" }
        switch status {
        case realm where !allowed.realmIndexes.contains(code.index):
            return "\(id) ERROR_REALM index \(code.index)"
        case rtt:
            let level = Int8(bitPattern: code.index)
            if level < -1 || level > 3 { return "\(id) ERROR_RTT level \(level)" }
            if let requested = levelArgument(id, a), requested <= 3, Int64(level) > Int64(requested) {
                return "\(id) ERROR_RTT level \(level) deeper than the requested \(requested)"
            }
        case success, input, rec:
            if code.index != 0 { return "\(id) status \(status) with index \(code.index)" }
        default: break
        }
        let outputs = [r.x1, r.x2, r.x3, r.x4]
        if outputs[Int(entry.results)...].contains(where: { $0 != 0 }) { return "\(id) set result registers it has not: \(r)" }
        return nil
    }

    // MARK: RSI and PSCI, as the realm sees x0 when the call returns to it.

    static let rsiSuccess: UInt64 = 0, rsiInput: UInt64 = 1, rsiState: UInt64 = 2, rsiIncomplete: UInt64 = 3
    static let rsiUnknown: UInt64 = 4

    static let rsi: [UInt64: Set<UInt64>] = [
        0xC400_0190: [rsiSuccess, rsiInput],                 // VERSION: ERROR_INPUT when not served
        0xC400_0191: [rsiSuccess],                           // FEATURES
        0xC400_0192: [rsiSuccess, rsiInput],                 // MEASUREMENT_READ: slot
        0xC400_0193: [rsiSuccess, rsiInput],                 // MEASUREMENT_EXTEND: slot, size
        0xC400_0194: [rsiSuccess, rsiInput, rsiUnknown],     // ATTESTATION_TOKEN_INIT: ERROR_UNKNOWN without a key
        0xC400_0195: [rsiSuccess, rsiInput, rsiState, rsiIncomplete], // ATTESTATION_TOKEN_CONTINUE
        0xC400_0196: [rsiSuccess, rsiInput],                 // REALM_CONFIG: buffer IPA
        0xC400_0197: [rsiSuccess, rsiInput],                 // IPA_STATE_SET (REJECT is in x2)
        0xC400_0198: [rsiSuccess, rsiInput],                 // IPA_STATE_GET
        0xC400_0199: [rsiSuccess, rsiInput],                 // HOST_CALL
    ]

    static let rsiFunctions: [UInt64] = Array(rsi.keys).sorted()

    /// PSCI (DEN0022) return values: SUCCESS 0 down to INVALID_ADDRESS -9.
    static func isPSCIStatus(_ x0: UInt64) -> Bool { Int64(bitPattern: x0) <= 0 && Int64(bitPattern: x0) >= -9 }

    /// Why x0 is not a value the realm may see after the SMC `fid`, or nil. Functions of other
    /// owners and unassigned RSI numbers must answer SMCCC NOT_SUPPORTED.
    static func realmCallViolation(fid: UInt64, x0: UInt64) -> String? {
        // SMCCC 1.3: W0 holds the function; bit 16 is the caller's SVE hint, not part of it.
        let function = fid & 0xFFFF_FFFF & ~(1 << 16)
        if let allowed = rsi[function] {
            return allowed.contains(x0) ? nil : "RSI \(hex(function)) returned \(hex(x0))"
        }
        switch function {
        case 0x8000_0000, 0x8400_0000:                       // SMCCC_VERSION, PSCI_VERSION
            return Int64(bitPattern: x0) > 0 ? nil : "version call returned \(hex(x0))"
        case 0x8400_000A:                                    // PSCI_FEATURES: flags or NOT_SUPPORTED
            return Int64(bitPattern: x0) >= 0 || x0 == UInt64.max ? nil : "PSCI_FEATURES returned \(hex(x0))"
        case 0x8400_0004, 0xC400_0004:                       // AFFINITY_INFO: ON 0, OFF 1, ON_PENDING 2
            return isPSCIStatus(x0) || x0 <= 2 ? nil : "AFFINITY_INFO returned \(hex(x0))"
        case 0x8400_0001...0x8400_0014, 0xC400_0001...0xC400_0014, 0x8000_0001:
            return isPSCIStatus(x0) || function == 0x8000_0001 && Int64(bitPattern: x0) >= -1 ? nil
                : "PSCI/SMCCC \(hex(function)) returned \(hex(x0))"
        default:
            return x0 == UInt64.max ? nil : "unassigned realm SMC \(hex(function)) returned \(hex(x0))"
        }
    }
}
