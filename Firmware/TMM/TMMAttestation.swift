import AArch64
import AttestationStorage
import PlatformDefinitions
#if TMM_AT_EL3
import MonitorStorage
#endif

// The TMM's attestation material for this boot, obtained from the EL3 monitor once at cold
// boot (EL3AttestationInterface): the realm attestation key (RAK), whose private scalar EL3
// hands over and whose public key the TMM computes here, and the platform token whose
// challenge binds it. Both are per boot: the RAK changes with every boot, so the token is
// fetched anew each time, never stored across boots.
//
// The RSI layer reaches them through the platform: FirmwareHardware.withAttestationMaterial
// passes `key` and `platformToken` to RSI_ATTESTATION_TOKEN_INIT (RSIAttestation.swift), which
// answers RSI_ERROR_UNKNOWN when `key` is nil (no attestation this boot) and otherwise builds
// the token in the REC's auxiliary granules (AttestationTokenSession, SegmentedTokenStorage).
//
// `key` and `platformToken` are set by the boot CPU before any other CPU runs TMM code and
// never change afterwards, so they are read without a lock. The platform token lives in the
// TMM's .bss (tmm_platform_token, 4 KiB); the RAK in a Swift global of the TMM.

nonisolated(unsafe) private var realmAttestationKey: RealmAttestationKey? = nil
nonisolated(unsafe) private var platformTokenLength = 0

enum TMMAttestation {
    /// This boot's RAK, or nil when EL3 provided no attestation (the RSI layer then answers
    /// RSI_ATTESTATION_TOKEN_INIT with RSI_ERROR_UNKNOWN).
    static var key: RealmAttestationKey? { realmAttestationKey }

    /// This boot's platform token (a COSE_Sign1 signed by EL3), empty when unavailable.
    static var platformToken: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: tmm_platform_token_buffer(), count: platformTokenLength)
    }

    /// Storage one REC needs to build a CCA token this boot: the collection around this
    /// platform token and the largest realm token. About 1.8 KiB, so half a granule.
    static var tokenStorageSize: Int {
        CCAToken.collectionOverhead + platformTokenLength + CCAToken.maxRealmTokenSize
    }

    /// Fetches the RAK and the platform token from EL3; on failure the TMM runs on without
    /// attestation and says why. Reports what that cost, in cycles and in stack.
    static func initializeAtColdBoot(exceptionLevel: Int) {
        let watermark = StackWatermark(bottom: bootStack.top - bootStack.size, top: bootStack.top)
        let counter = CycleCounter()
        guard fetchMaterial(exceptionLevel: exceptionLevel) else { return }
        let cycles = counter.stop()
        var ready = LogLine("[TMM] platform token from EL3: ")
        ready.decimal(UInt64(platformTokenLength))
        ready.append(" bytes; CCA token storage per REC: ")
        ready.decimal(UInt64(tokenStorageSize))
        ready.append(" bytes")
        console.print(ready)
        var cost = LogLine("[TMM] attestation set-up in ")
        cost.decimal(cycles)
        cost.append(" cycles; stack peak ")
        cost.decimal(watermark.peak)
        cost.append(" of ")
        cost.decimal(bootStack.size)
        cost.append(" bytes")
        console.print(cost)
    }

    /// The stack the cold boot runs on: the boot CPU's (linear index 0, monitor_reset.S), the
    /// TMM's own at Secure EL2, the monitor's in the EL3 image.
    private static var bootStack: (top: UInt64, size: UInt64) {
        #if TMM_AT_EL3
        (monitor_stacks_end(), UInt64(PLAT_MONITOR_STACK_SIZE))
        #else
        (tmm_stacks_end(), UInt64(PLAT_TMM_STACK_SIZE))
        #endif
    }

    @inline(never)
    private static func fetchMaterial(exceptionLevel: Int) -> Bool {
        // The S-EL2 TMM runs its own copy of the crypto code (built for Armv8.4), so it checks
        // that copy before signing with it; in the EL3 image the monitor already checked it.
        if exceptionLevel == 2 && !CryptoSelfTest.run() {
            unavailable("the crypto self-test failed: SHA-2, HMAC or ES384 gave a wrong answer")
            return false
        }
        guard let key = fetchRealmKey() else { return false }

        var challenge = InlineArray<32, UInt8>(repeating: 0)
        key.withEncodedPublicKey { encoded in
            withUnsafeMutableBytes(of: &challenge) {
                _ = CCAToken.platformChallenge(
                    forRealmPublicKey: encoded, algorithm: CCAToken.bindingHashAlgorithm, into: $0)
            }
        }
        var line = LogLine("[TMM] RAK from EL3 (P-384); binding hash sha-256(COSE_Key) ")
        withUnsafeBytes(of: challenge) { line.hexBytes($0) }
        console.print(line)

        let buffer = UnsafeMutableRawBufferPointer(
            start: tmm_platform_token_buffer(), count: Int(ATTESTATION_PLATFORM_TOKEN_MAX))
        for i in 0..<32 { buffer[i] = challenge[i] }
        let (status, length) = el3GetPlatformToken(buffer: buffer, challengeSize: 32)
        guard status == 0, length > 0, length <= UInt64(buffer.count) else {
            unavailable("ATTEST_GET_PLAT_TOKEN failed", status: status)
            return false
        }
        platformTokenLength = Int(length)
        realmAttestationKey = key
        return true
    }

    /// The RAK through a buffer on this stack (TMM memory, 8-byte aligned), wiped after use.
    @inline(never)
    private static func fetchRealmKey() -> RealmAttestationKey? {
        var scalar = InlineArray<6, UInt64>(repeating: 0)
        let key: P384.PrivateKey? = withUnsafeMutableBytes(of: &scalar) { buffer in
            let (status, length) = el3GetRealmKey(buffer: buffer)
            guard status == 0, length == UInt64(EL3Attestation.realmKeySize) else {
                unavailable("ATTEST_GET_REALM_KEY failed", status: status)
                return nil
            }
            guard let key = P384.PrivateKey(rawScalar: UnsafeRawBufferPointer(rebasing: buffer[0..<Int(length)])) else {
                unavailable("EL3 returned a RAK that is not a P-384 private key")
                return nil
            }
            return key
        }
        for i in 0..<6 { scalar[i] = 0 }
        guard let key else { return nil }
        return RealmAttestationKey(privateKey: key)
    }

    private static func unavailable(_ reason: StaticString, status: Int64 = 0) {
        var line = LogLine("[TMM] attestation UNAVAILABLE: ")
        line.append(reason)
        if status != 0 {
            line.append(" (status ")
            line.decimal(signed: status)
            line.append(")")
        }
        console.print(line)
    }
}

// MARK: Reaching EL3

#if TMM_AT_EL3
// The TMM is part of the monitor: a function call, with TMM buffers that need no checking.
private func el3GetRealmKey(buffer: UnsafeMutableRawBufferPointer) -> (Int64, UInt64) {
    let result = PlatformAttestation.getRealmKey(into: buffer, curve: EL3Attestation.curveP384)
    return (result.status.rawValue, result.length)
}

private func el3GetPlatformToken(buffer: UnsafeMutableRawBufferPointer, challengeSize: UInt64) -> (Int64, UInt64) {
    let result = PlatformAttestation.getPlatformToken(buffer: buffer, challengeSize: challengeSize)
    return (result.status.rawValue, result.length)
}
#else
// An SMC to the monitor with the buffer's physical address: the TMM's stage 1 is an identity
// map, so its virtual addresses are physical ones.
private func el3Call(_ fid: UInt64, _ buffer: UnsafeMutableRawBufferPointer, _ argument: UInt64) -> (Int64, UInt64) {
    var regs = smc_regs()
    regs.x.0 = fid
    regs.x.1 = UInt64(UInt(bitPattern: buffer.baseAddress))
    regs.x.2 = UInt64(buffer.count)
    regs.x.3 = argument
    smc_call(&regs)
    return (Int64(bitPattern: regs.x.0), regs.x.1)
}

private func el3GetRealmKey(buffer: UnsafeMutableRawBufferPointer) -> (Int64, UInt64) {
    el3Call(EL3AttestationFunction.getRealmKey, buffer, EL3Attestation.curveP384)
}

private func el3GetPlatformToken(buffer: UnsafeMutableRawBufferPointer, challengeSize: UInt64) -> (Int64, UInt64) {
    el3Call(EL3AttestationFunction.getPlatformToken, buffer, challengeSize)
}
#endif
