// The interface through which the TMM obtains its attestation material from the EL3 monitor,
// modelled on TF-A's RMMD (include/services/rmmd_svc.h, services/std_svc/rmmd/rmmd_attest.c)
// and the TF-RMM side of it (lib/rmm_el3_ifc): two SMC64 calls from the TMM only.
//
//   ATTEST_GET_REALM_KEY  (0xC40001B2)  x1 = buffer PA, x2 = buffer size, x3 = curve (0: P-384)
//       -> x0 = status, x1 = key size (48): the RAK's raw private scalar, big-endian.
//   ATTEST_GET_PLAT_TOKEN (0xC40001B3)  x1 = buffer PA, x2 = buffer size,
//                                       x3 = challenge size (32, 48 or 64)
//       The buffer holds the challenge on entry (the hash of the RAK's public key).
//       -> x0 = status, x1 = token size, x2 = bytes still to fetch (always 0: the whole
//          token is returned in one call).
//
// Unlike TF-A, whose buffer must lie in the single page EL3 shares with the RMM, this monitor
// accepts any buffer inside the TMM's own writable memory. The checks here are the part of
// the monitor's validation that does not depend on the platform, so host tests cover them.

/// Function IDs (the RMM<->EL3 range of TF-A's RMMD, 0x1B0-0x1CF).
public enum EL3AttestationFunction {
    public static let getRealmKey: UInt64 = 0xC400_01B2
    public static let getPlatformToken: UInt64 = 0xC400_01B3
}

/// Return codes in x0, as TF-A's RMMD defines them (E_RMM_*).
public enum EL3AttestationStatus: Int64, Sendable {
    case ok = 0
    /// Attestation is unavailable (self-test failed, no device secret) or failed internally.
    case unknown = -1
    /// The buffer does not start inside the TMM's writable memory, or is misaligned.
    case badAddress = -2
    case badPAS = -3
    /// The buffer is too small for the result; x1 then says how many bytes are needed.
    case noMemory = -4
    /// An argument is invalid: curve, challenge size, a buffer running past its region.
    case invalid = -5
    case again = -6

    /// The 64-bit register value.
    public var register: UInt64 { UInt64(bitPattern: rawValue) }
}

public enum EL3Attestation {
    /// ATTEST_KEY_CURVE_ECC_SECP384R1.
    public static let curveP384: UInt64 = 0
    /// Bytes of the RAK as handed over: its private scalar.
    public static let realmKeySize = P384.byteCount
    /// Buffer alignment the monitor requires: its copies are then whole doublewords, and a
    /// buffer straddling objects by accident is more likely to be refused.
    public static let bufferAlignment: UInt64 = 8

    /// A platform token challenge is a SHA-256, SHA-384 or SHA-512 digest.
    public static func isValidChallengeSize(_ size: UInt64) -> Bool {
        size == 32 || size == 48 || size == 64
    }

    /// Checks a buffer the TMM names against the region it must lie in, [base, end).
    /// BAD_ADDR when it does not start in the region or is misaligned; INVAL when it is empty
    /// or runs past the region's end (or past the top of the address space).
    public static func validateBuffer(address: UInt64, size: UInt64, region: (base: UInt64, end: UInt64))
        -> EL3AttestationStatus
    {
        guard address >= region.base, address < region.end, address % bufferAlignment == 0 else { return .badAddress }
        let (end, overflow) = address.addingReportingOverflow(size)
        guard size > 0, !overflow, end <= region.end else { return .invalid }
        return .ok
    }
}
