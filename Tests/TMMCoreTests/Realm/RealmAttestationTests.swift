// RSI_ATTESTATION_TOKEN_INIT / _CONTINUE from a running realm: the token the realm collects
// page by page verifies (CCAVerify) and carries the realm's own claims; every error input;
// the token kept in non-contiguous auxiliary granules and scrubbed with them.

import CCAVerify
import Crypto
import Testing
@testable import TMMCore

@Suite struct RealmAttestationTests {
    static let challenge: [UInt64] = (0..<8).map { 0x1111_1111_1111_1111 &* UInt64($0 + 1) }

    func attestedRealm(platformToken: [UInt8] = ExampleToken.platformToken(challenge: ExampleToken.boundPlatformChallenge)) -> RunningRealm {
        let r = RunningRealm { $0.rpv = (0..<64).map { UInt8(0x40 + $0) } }
        r.machine.attestation = (ExampleToken.realmAttestationKey, platformToken)
        return r
    }

    /// The largest platform token the TMM accepts: opaque bytes to the builder.
    static let largePlatformToken: [UInt8] = (0..<CCAToken.maxPlatformTokenSize).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }

    func initialize(_ r: RunningRealm) -> RealmCPUState {
        r.rsi(RSI.tokenInit, Self.challenge[0], Self.challenge[1], Self.challenge[2], Self.challenge[3],
              Self.challenge[4], Self.challenge[5], Self.challenge[6], Self.challenge[7])
    }

    @Test func tokenCollectedByTheRealmVerifies() throws {
        let r = attestedRealm()
        // A REM first, so the token shows it.
        #expect(r.rsi(RSI.measurementExtend, 1, 8, before: { $0.gprs[3] = 0xABCD }).gprs[0] == RSI.success)
        let start = initialize(r)
        #expect(start.gprs[0] == RSI.success)
        let length = Int(start.gprs[1])
        #expect(length > 0 && length < 4096)
        // The realm reads it into page 0x1000 in chunks of 1000 bytes at offset 24.
        var token: [UInt8] = []
        var calls = 0
        while true {
            let s = r.rsi(RSI.tokenContinue, 0x1000, 24, 1000)
            calls += 1
            token += r.machine.bytes(r.data[1] + 24, count: Int(s.gprs[1]))
            if s.gprs[0] == RSI.success { break }
            #expect(s.gprs[0] == RSI.incomplete && s.gprs[1] == 1000)
            if calls > 10 { break }
        }
        #expect(token.count == length)
        var policy = VerificationPolicy()
        policy.challenge = Self.challenge.flatMap { Reference.le($0) }
        policy.personalizationValue = (0..<64).map { UInt8(0x40 + $0) }
        policy.initialMeasurement = Array(r.h.rim(r.realm)[0..<32])
        policy.platformPublicKey = try P384.Signing.PublicKey(x963Representation: ExampleToken.platformPublicKeyBytes)
        let verified = try TokenVerifier.verify(token, policy: policy)
        #expect(verified.platformSignatureVerified)
        #expect(verified.realm.hashAlgorithm == "sha-256")
        #expect(verified.realm.extensibleMeasurements[0] == Reference.hash(Array(repeating: 0, count: 32) + Reference.le(0xABCD),
                                                                          algorithm: 0)[0..<32].map { $0 })
        // The token is delivered: CONTINUE has nothing more.
        #expect(r.rsi(RSI.tokenContinue, 0x1000, 0, 4096).gprs[0] == RSI.state)
        // The same bytes the contiguous builder makes (the signature is deterministic).
        #expect(token == contiguousToken(rpv: policy.personalizationValue!, measurements: r))
    }

    @Test func largestTokenSpansTheAuxiliaryGranules() {
        let r = attestedRealm(platformToken: Self.largePlatformToken)
        let length = Int(initialize(r).gprs[1])
        #expect(length > 4096 + 512 && length <= CCAToken.maxSize)
        var token: [UInt8] = []
        for _ in 0..<3 {
            let s = r.rsi(RSI.tokenContinue, 0x3000, 0, 4096)
            token += r.machine.bytes(r.data[3], count: Int(s.gprs[1]))
            if s.gprs[0] == RSI.success { break }
        }
        #expect(token == contiguousToken(rpv: (0..<64).map { UInt8(0x40 + $0) }, measurements: r, platform: Self.largePlatformToken))
        #expect(!r.machine.isZero(r.rec().aux[1]))
    }

    /// What AttestationTokenSession builds into one buffer for the same inputs.
    func contiguousToken(rpv: [UInt8], measurements r: RunningRealm,
                         platform: [UInt8] = ExampleToken.platformToken(challenge: ExampleToken.boundPlatformChallenge)) -> [UInt8] {
        let realm = r.machine.pointer(r.realm.rd)!.load(as: RealmDescriptor.self)
        var session = AttestationTokenSession()
        var storage = [UInt8](repeating: 0, count: CCAToken.maxSize)
        let challenge = Self.challenge.flatMap { Reference.le($0) }
        let length = withUnsafeBytes(of: realm.measurements) { m in
            challenge.withUnsafeBytes { c in
                rpv.withUnsafeBytes { p in
                    platform.withUnsafeBytes { pt in
                        storage.withUnsafeMutableBytes { s in
                            session.start(challenge: c, personalizationValue: p, hashAlgorithm: .sha256, measurements: m,
                                          key: ExampleToken.realmAttestationKey, platformToken: pt, storage: s).value
                        }
                    }
                }
            }
        }
        return Array(storage[0..<Int(length)])
    }

    @Test func continueErrors() {
        let r = attestedRealm()
        // Before INIT: the arguments are checked first, then the state.
        #expect(r.rsi(RSI.tokenContinue, 0x1000, 0, 4096).gprs[0] == RSI.state)
        #expect(r.rsi(RSI.tokenContinue, 0x1008, 0, 8).gprs[0] == RSI.input)
        #expect(initialize(r).gprs[0] == RSI.success)
        for (ipa, offset, size) in [(UInt64(0x1008), UInt64(0), UInt64(8)), (0x1000, 4096, 0), (0x1000, 4000, 97),
                                    (0x1000, 1, UInt64.max), (r.parSize, 0, 8), (1 << 40, 0, 8), (0x8000, 0, 8)] {
            #expect(r.rsi(RSI.tokenContinue, ipa, offset, size).gprs[0] == RSI.input, "\(hex(ipa)) \(offset) \(size)")
        }
        // Size 0 writes nothing and is INCOMPLETE.
        let s = r.rsi(RSI.tokenContinue, 0x1000, 4095, 0)
        #expect(s.gprs[0] == RSI.incomplete && s.gprs[1] == 0)
        // INIT again restarts the token from its first byte.
        #expect(r.rsi(RSI.tokenContinue, 0x1000, 0, 16).gprs[1] == 16)
        let first = r.machine.bytes(r.data[1], count: 16)
        #expect(initialize(r).gprs[0] == RSI.success)
        #expect(r.rsi(RSI.tokenContinue, 0x2000, 0, 16).gprs[1] == 16)
        #expect(r.machine.bytes(r.data[2], count: 16) == first)
    }

    @Test func continueIntoUnmappedRAMAsksTheHost() {
        let r = RunningRealm(ramRanges: [(0x10000, 0x11000)])
        r.machine.attestation = (ExampleToken.realmAttestationKey,
                                 ExampleToken.platformToken(challenge: ExampleToken.boundPlatformChallenge))
        #expect(initialize(r).gprs[0] == RSI.success)
        #expect(r.enter(script: [.smc(RSI.tokenContinue, 0x10000, 0, 4096)]).x0 == 0)
        #expect(r.exit.reason == 0 && r.exit.esr == 0x24 << 26 | 0x07 && r.exit.hpfar == 0x100)
        let page = r.h.delegated()
        #expect(r.h.call(.dataCreateUnknown, r.realm.rd, page, 0x10000).x0 == 0)
        #expect(r.enter(script: [Step(.synchronous(esr: 0x17 << 26, far: 0, hpfar: 0))]).x0 == 0)
        #expect(r.machine.runs.last!.state.gprs[0] == RSI.success && r.machine.runs.last!.state.gprs[1] > 0)
        #expect(r.machine.bytes(page, count: 3) == [0xD9, 0x01, 0x8F])   // tag 399
    }

    @Test func withoutAttestationMaterialInitFails() {
        let r = RunningRealm()
        #expect(initialize(r).gprs[0] == RSI.unknown)
        #expect(r.rsi(RSI.tokenContinue, 0x1000, 0, 4096).gprs[0] == RSI.state)
    }

    @Test func tokenLivesInTheAuxiliaryGranulesAndIsScrubbed() {
        let r = attestedRealm(platformToken: Self.largePlatformToken)
        #expect(initialize(r).gprs[0] == RSI.success)
        let aux = r.rec().aux
        #expect(r.machine.bytes(aux[0], count: 3) == [0xD9, 0x01, 0x8F])
        #expect(!r.machine.isZero(aux[1]) && !r.machine.isZero(aux[2]))
        #expect(r.h.call(.recDestroy, r.recs[0]).x0 == 0)
        for i in 0..<4 { #expect(r.machine.isZero(aux[i]) && r.h.state(aux[i]) == .delegated) }
        #expect(r.machine.isZero(r.recs[0]))
        #expect(r.h.checkInvariants().isEmpty)
    }

    @Test func recStateFitsItsGranule() {
        #expect(MemoryLayout<RECState>.size <= 4096)
        #expect(MemoryLayout<RealmCPUState>.size <= 1024)
        #expect(SegmentedTokenStorage.capacity >= CCAToken.maxSize)
        #expect(RealmDescriptor.recAuxCount >= 3)
    }
}
