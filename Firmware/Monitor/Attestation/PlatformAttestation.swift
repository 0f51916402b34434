import AArch64
import AttestationStorage
import MonitorStorage
import PlatformDefinitions

// The platform's attestation root of trust, in the EL3 monitor (the part of a CCA platform
// that TF-A's RMMD and an RSE/HES play on Arm's reference designs).
//
// At cold boot, before the TMM runs, the monitor
//   1. runs the crypto known-answer self-test; if it fails it provides no attestation at all;
//   2. reads the provisioned device secret (DeviceSecret);
//   3. measures its own image and the TMM's (BootMeasurements) and prints the digests;
//   4. derives the platform attestation key (CPAK, stable: verifiers pin it) and this boot's
//      realm attestation key (RAK, from the secret and this boot's input: BootInput), of
//      which it computes only the private scalar: the TMM derives the public key itself;
//   5. keeps the CPAK, the RAK's scalar and the fixed platform claims in its own memory.
// Afterwards it serves the TMM, and only the TMM (EL3AttestationInterface):
//   getRealmKey        hands over the RAK's private scalar, into TMM memory only;
//   getPlatformToken   signs a platform token (ES384, CPAK) binding the challenge the TMM
//                      sends, the hash of the RAK's public key.
// The S-EL2 image reaches these through SMCs (AttestationSMC); in the EL3 image the TMM calls
// them directly. The normal world gets NOT_SUPPORTED for both function IDs.

/// The keys and claims of this boot; set once by the boot CPU before any other CPU or the
/// TMM runs, read-only afterwards.
private struct AttestationMaterial {
    var issuer: PlatformTokenIssuer
    /// The RAK's private scalar, 48 big-endian bytes: what ATTEST_GET_REALM_KEY hands over.
    var realmKey: InlineArray<48, UInt8>
}

nonisolated(unsafe) private var material: AttestationMaterial? = nil
/// Serialises use of the signing scratch buffer.
private let tokenLock = SpinLock()
/// The first platform token is shown on the secure console, with what it cost to sign.
nonisolated(unsafe) private var tokenShown = false

enum PlatformAttestation {
    /// Hashed into the implementation id, followed by the image's isolation qualifier
    /// (IsolationModel): names this implementation of the root of trust (the platform's name
    /// for it: Platform/<name>/PlatformIdentity.swift).
    static let implementationName: StaticString = platformRootOfTrustName
    /// The verification service claim: a placeholder on the reserved .example domain; a
    /// deployment names its verifier here.
    static let verificationService: StaticString = "https://veraison.example/.well-known/veraison/verification"
    /// The version claim of every component: the firmware's version (MonitorVersion).
    static let firmwareVersion: StaticString = "0.1"

    /// The configuration claim (PlatformConfiguration): format 1, the image variant, where the
    /// granule pool lies and the number of CPUs.
    private static func configuration() -> InlineArray<4, UInt8> {
        #if POOL_IN_DRAM
        let poolInDRAM = true
        #else
        let poolInDRAM = false
        #endif
        return PlatformConfiguration.bytes(model: ImageIsolation.model, poolInDRAM: poolInDRAM, cpus: presentCPUs)
    }

    /// Steps 1-5 above. Must run on the boot CPU before the normal world's device tree is
    /// copied into DRAM (BootInput reads QEMU's tree there).
    ///
    /// P-384 is the deepest code at EL3 (about 12 KiB of stack below its caller), so this
    /// function stays thin: each step is a function of its own that is not inlined, and none of
    /// the larger frames (log lines, the claims) is live while a key is derived or checked.
    /// The boot log reports the peak (StackWatermark).
    static func initializeAtColdBoot() {
        let watermark = StackWatermark(bottom: stackBottom, top: stackTop)
        let counter = CycleCounter()
        guard selfTestPasses() else {
            return disable("the crypto self-test failed: SHA-2, HMAC or ES384 gave a wrong answer on this CPU")
        }
        guard let secret = DeviceSecret.bytes else {
            return disable("no device secret is provisioned in this image (erased, or not 32 or 64 bytes)")
        }
        let keys = deriveKeys(from: secret)
        let (measured, measurements) = BootMeasurements.take()
        guard install(platformKey: keys.platform, realmKey: keys.realm, measured: measured, measurements) else {
            return disable("the platform claims are malformed")
        }
        let cycles = counter.stop()
        report(measured: measured, measurements, sources: keys.sources, cycles: cycles, stackPeak: watermark.peak)
    }

    /// This CPU's EL3 stack (monitor_reset.S: set_monitor_stack).
    private static var stackTop: UInt64 { monitor_stacks_end() - read_tpidr_el3() * UInt64(PLAT_MONITOR_STACK_SIZE) }
    private static var stackBottom: UInt64 { stackTop - UInt64(PLAT_MONITOR_STACK_SIZE) }

    @inline(never)
    private static func selfTestPasses() -> Bool { CryptoSelfTest.run() }

    /// The platform key from the secret; the RAK's scalar from the secret and this boot's input.
    @inline(never)
    private static func deriveKeys(from secret: UnsafeRawBufferPointer)
        -> (platform: P384.PrivateKey, realm: InlineArray<48, UInt8>, sources: BootInput.Sources)
    {
        let platformKey = AttestationKeyDerivation.platformKey(deviceSecret: secret, model: ImageIsolation.model)
        var input = BootInput.gather()
        var realm = InlineArray<48, UInt8>(repeating: 0)
        withUnsafeBytes(of: input.bytes) { bootInput in
            withUnsafeMutableBytes(of: &realm) {
                AttestationKeyDerivation.writeRealmAttestationScalar(deviceSecret: secret, bootInput: bootInput, into: $0)
            }
        }
        input.wipe()
        return (platformKey, realm, input.sources)
    }

    /// Assembles the fixed claims around the platform key and stores the material.
    @inline(never)
    private static func install(platformKey: P384.PrivateKey, realmKey: InlineArray<48, UInt8>, measured: Int,
                                _ measurements: InlineArray<2, ImageMeasurement>) -> Bool
    {
        var implementationID = InlineArray<32, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &implementationID) {
            ImageIsolation.model.writeImplementationID(platformName: implementationName, into: $0)
        }
        let configuration = configuration()
        let created = withUnsafeBytes(of: implementationID) { implementation in
            withUnsafeBytes(of: configuration) {
                PlatformTokenIssuer(key: platformKey, implementationID: implementation, configuration: $0)
            }
        }
        guard var issuer = created else { return false }
        issuer.verificationService = verificationService
        for i in 0..<measured {
            _ = withUnsafeBytes(of: measurements[i].digest) {
                issuer.addComponent(name: measurements[i].name, version: firmwareVersion, digest: $0)
            }
        }
        material = AttestationMaterial(issuer: issuer, realmKey: realmKey)
        return true
    }

    @inline(never)
    private static func report(measured: Int, _ measurements: InlineArray<2, ImageMeasurement>,
                               sources: BootInput.Sources, cycles: UInt64, stackPeak: UInt64)
    {
        console.print("[EL3] attestation: crypto self-test passed (SHA-256, SHA-384, HMAC-SHA-384, ES384)")
        var line = LogLine("[EL3] attestation: device secret, ")
        line.decimal(DeviceSecret.location.size)
        line.append(" bytes in secure flash at ")
        line.hex(DeviceSecret.location.base)
        line.append(" (QEMU test provisioning)")
        console.print(line)
        for i in 0..<measured {
            var entry = LogLine("[EL3] measurement ")
            entry.append(measurements[i].name)
            entry.append(" sha-256 ")
            withUnsafeBytes(of: measurements[i].digest) { entry.hexBytes($0) }
            console.print(entry)
        }
        if let material { showPublicKey(material.issuer.publicKey) }
        var input = LogLine("[EL3] attestation: per-boot RAK input from")
        if sources.contains(BootInput.Sources.rndr) { input.append(" RNDR") }
        if sources.contains(BootInput.Sources.secureSeed) { input.append(" QEMU-secure-seed") }
        if sources.contains(BootInput.Sources.counter) { input.append(" CNTPCT") }
        if !sources.contains(BootInput.Sources.rndr) && !sources.contains(BootInput.Sources.secureSeed) {
            input.append(" (counter only: the RAK may repeat across boots)")
        }
        console.print(input)
        var ready = LogLine("[EL3] attestation ready: self-test, keys and claims in ")
        ready.decimal(cycles)
        ready.append(" cycles; EL3 stack peak ")
        ready.decimal(stackPeak)
        ready.append(" of ")
        ready.decimal(UInt64(PLAT_MONITOR_STACK_SIZE))
        ready.append(" bytes")
        console.print(ready)
    }

    private static func disable(_ reason: StaticString) {
        var line = LogLine("[EL3] attestation UNAVAILABLE: ")
        line.append(reason)
        console.print(line)
        console.print("[EL3] attestation UNAVAILABLE: ATTEST_GET_REALM_KEY and ATTEST_GET_PLAT_TOKEN answer E_RMM_UNK")
    }

    private static func showPublicKey(_ key: P384.PublicKey) {
        var point = InlineArray<97, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &point) { key.writeUncompressed(to: $0) }
        console.print("[EL3] platform attestation public key (SEC 1 uncompressed point, 97 bytes):")
        withUnsafeBytes(of: point) { console.printHexLines(prefix: "[EL3] | ", $0) }
    }

    // MARK: Services for the TMM

    /// ATTEST_GET_REALM_KEY: writes this boot's RAK private scalar (48 bytes, big-endian) to
    /// `buffer`, which the caller has checked lies in TMM memory.
    static func getRealmKey(into buffer: UnsafeMutableRawBufferPointer, curve: UInt64)
        -> (status: EL3AttestationStatus, length: UInt64)
    {
        guard curve == EL3Attestation.curveP384 else { return (.invalid, 0) }
        guard let material else { return (.unknown, 0) }
        guard buffer.count >= EL3Attestation.realmKeySize else { return (.noMemory, UInt64(EL3Attestation.realmKeySize)) }
        for i in 0..<EL3Attestation.realmKeySize { buffer[i] = material.realmKey[i] }
        return (.ok, UInt64(EL3Attestation.realmKeySize))
    }

    /// ATTEST_GET_PLAT_TOKEN: `buffer` holds the challenge (`challengeSize` bytes) and receives
    /// the platform token. The token is signed in the monitor's own scratch buffer, so the
    /// platform key only ever signs claims the monitor wrote, then copied out whole.
    static func getPlatformToken(buffer: UnsafeMutableRawBufferPointer, challengeSize: UInt64)
        -> (status: EL3AttestationStatus, length: UInt64)
    {
        guard EL3Attestation.isValidChallengeSize(challengeSize), UInt64(buffer.count) >= challengeSize else {
            return (.invalid, 0)
        }
        guard let material else { return (.unknown, 0) }
        var challengeBytes = InlineArray<64, UInt8>(repeating: 0)
        let size = Int(challengeSize)
        for i in 0..<size { challengeBytes[i] = buffer[i] }

        tokenLock.acquire()
        defer { tokenLock.release() }
        let scratch = UnsafeMutableRawBufferPointer(
            start: monitor_token_scratch(), count: Int(ATTESTATION_PLATFORM_TOKEN_MAX))
        let watermark = StackWatermark(bottom: stackBottom, top: stackTop)
        let counter = CycleCounter()
        let signed = sign(issuer: material.issuer, challenge: challengeBytes, size: size, into: scratch)
        let cycles = counter.stop()
        guard case .success(let length) = signed else { return (.unknown, 0) }
        guard length <= buffer.count else { return (.noMemory, UInt64(length)) }
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
        if !tokenShown {
            tokenShown = true
            show(token: UnsafeRawBufferPointer(rebasing: scratch[0..<length]), cycles: cycles, stackPeak: watermark.peak)
        }
        return (.ok, UInt64(length))
    }

    @inline(never)
    private static func sign(issuer: PlatformTokenIssuer, challenge: InlineArray<64, UInt8>, size: Int,
                             into scratch: UnsafeMutableRawBufferPointer) -> Result<Int, AttestationError>
    {
        withUnsafeBytes(of: challenge) { bytes -> Result<Int, AttestationError> in
            do throws(AttestationError) {
                return .success(try issuer.issue(challenge: UnsafeRawBufferPointer(rebasing: bytes[0..<size]), into: scratch))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The first platform token of the boot on the secure console, for the system tests to
    /// verify on the host (the normal world never sees it from here).
    @inline(never)
    private static func show(token: UnsafeRawBufferPointer, cycles: UInt64, stackPeak: UInt64) {
        var cost = LogLine("[EL3] platform token signed (ES384) in ")
        cost.decimal(cycles)
        cost.append(" cycles (instructions under -icount shift=0); EL3 stack peak ")
        cost.decimal(stackPeak)
        cost.append(" of ")
        cost.decimal(UInt64(PLAT_MONITOR_STACK_SIZE))
        cost.append(" bytes")
        console.print(cost)
        var header = LogLine("[EL3] platform token (COSE_Sign1, ")
        header.decimal(UInt64(token.count))
        header.append(" bytes) BEGIN")
        console.print(header)
        console.printHexLines(prefix: "[EL3] | ", token)
        console.print("[EL3] platform token END")
    }
}
