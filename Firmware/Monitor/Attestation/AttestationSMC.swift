import AttestationStorage
import MonitorStorage

// The attestation SMCs of the S-EL2 image (EL3AttestationInterface for the register ABI):
// the TMM at Secure EL2 asks for the RAK and the platform token with a buffer in its own
// memory. The dispatcher sends both function IDs here only when they come from the secure
// world; from the normal world they are unknown functions (NOT_SUPPORTED), like any other.
// The EL3 image has no such SMC: its TMM calls PlatformAttestation directly.

#if !TMM_AT_EL3
enum AttestationSMC {
    /// SPSR_EL3.M[3:2]: the exception level the SMC came from.
    private static func callerEL(_ context: UnsafeMutablePointer<world_context>) -> UInt64 {
        context.pointee.spsr_el3 >> 2 & 3
    }

    static func handle(fid: UInt32, context: UnsafeMutablePointer<world_context>) -> UnsafeMutablePointer<world_context> {
        // The TMM runs at Secure EL2; realms run below it and must never reach the RAK, even
        // if an SMC of theirs were not trapped to the TMM.
        guard callerEL(context) == 2 else {
            context.pointee.x.0 = SMCCC.returnValue(SMCCC.notSupported)
            return context
        }
        let address = context.pointee.x.1, size = context.pointee.x.2, argument = context.pointee.x.3
        var result: (status: EL3AttestationStatus, length: UInt64) = (.ok, 0)
        result.status = EL3Attestation.validateBuffer(
            address: address, size: size, region: (tmm_writable_start(), tmm_writable_end()))
        if result.status == .ok, let base = UnsafeMutableRawPointer(bitPattern: UInt(address)) {
            let buffer = UnsafeMutableRawBufferPointer(start: base, count: Int(size))
            result = UInt64(fid) == EL3AttestationFunction.getRealmKey
                ? PlatformAttestation.getRealmKey(into: buffer, curve: argument)
                : PlatformAttestation.getPlatformToken(buffer: buffer, challengeSize: argument)
        }
        context.pointee.x.0 = result.status.register
        context.pointee.x.1 = result.length
        context.pointee.x.2 = 0       // bytes of the token still to fetch: none
        return context
    }
}
#endif
