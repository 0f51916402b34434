// The RSI_ATTESTATION_TOKEN_INIT / _CONTINUE state machine: chunked delivery reassembles the
// token, the argument and state rules of TF-RMM rel0 realm_attest.c hold, and INIT restarts.

import CCAVerify
import Testing
@testable import TMMCore

/// One REC's attestation state with the buffers the RSI layer would own.
private struct SessionHarness {
    var session = AttestationTokenSession()
    var storage = [UInt8](repeating: 0, count: AttestationTokenSession.storageSize)
    var granule = [UInt8](repeating: 0, count: 4096)
    let rak = ExampleToken.realmAttestationKey
    let platform = ExampleToken.platformToken(challenge: ExampleToken.boundPlatformChallenge)
    let inputs = ExampleToken.Inputs()

    mutating func initialize(challenge: [UInt8]? = nil) -> AttestationResult {
        let challenge = challenge ?? inputs.challenge
        let (rak, platform, inputs) = (rak, platform, inputs)
        return challenge.withUnsafeBytes { c in
            inputs.personalizationValue.withUnsafeBytes { rpv in
                inputs.measurements.withUnsafeBytes { m in
                    platform.withUnsafeBytes { p in
                        storage.withUnsafeMutableBytes { s in
                            session.start(
                                challenge: c, personalizationValue: rpv, hashAlgorithm: inputs.hashAlgorithm,
                                measurements: m, key: rak, platformToken: p, storage: s)
                        }
                    }
                }
            }
        }
    }

    mutating func next(offset: UInt64, size: UInt64) -> AttestationResult {
        let storage = storage
        return granule.withUnsafeMutableBytes { g in
            storage.withUnsafeBytes { session.deliver(offset: offset, size: size, into: g, from: $0) }
        }
    }
}

@Suite struct AttestationTokenSessionTests {
    @Test func continueBeforeInitIsAStateError() {
        var h = SessionHarness()
        #expect(h.next(offset: 0, size: 4096) == AttestationResult(.errorState))
    }

    @Test func chunkedDeliveryReassemblesTheToken() throws {
        let expected = ExampleToken.make()
        for chunk: UInt64 in [1, 7, 64, 1000, 4096] {
            var h = SessionHarness()
            let initResult = h.initialize()
            #expect(initResult == AttestationResult(.success, UInt64(expected.count)))
            var received: [UInt8] = []
            var calls = 0
            while true {
                // Alternate offsets inside the granule, as a realm reusing one page might.
                let offset = UInt64(calls % 2) * (4096 - chunk)
                let result = h.next(offset: offset, size: chunk)
                received += h.granule[Int(offset)..<(Int(offset) + Int(result.value))]
                calls += 1
                if result.status == .success { break }
                #expect(result.status == .incomplete)
                #expect(result.value == chunk)
                if calls > 10_000 { break }
            }
            #expect(received == expected, "chunk size \(chunk)")
            // Finished: the session is idle until the next INIT.
            #expect(h.next(offset: 0, size: 16) == AttestationResult(.errorState))
            #expect(try TokenVerifier.verify(received).realm.challenge == h.inputs.challenge)
        }
    }

    @Test func sizeZeroIsIncompleteAndWritesNothing() {
        var h = SessionHarness()
        _ = h.initialize()
        h.granule = [UInt8](repeating: 0xee, count: 4096)
        #expect(h.next(offset: 100, size: 0) == AttestationResult(.incomplete, 0))
        #expect(h.granule.allSatisfy { $0 == 0xee })
        #expect(h.session.isActive)
    }

    /// offset must lie in the granule, offset + size must not pass its end or wrap.
    @Test func badOffsetsAndSizesAreInputErrors() {
        var h = SessionHarness()
        _ = h.initialize()
        let remaining = h.session.remaining
        for (offset, size) in [(UInt64(4096), UInt64(0)), (4096, 1), (4095, 2), (0, 4097), (1, UInt64.max), (UInt64.max, 1)] {
            #expect(h.next(offset: offset, size: size) == AttestationResult(.errorInput), "offset \(offset) size \(size)")
        }
        // Refusals leave the session where it was.
        #expect(h.session.remaining == remaining)
        #expect(h.next(offset: 4095, size: 1).status == .incomplete)
        #expect(AttestationTokenSession.isChunkValid(offset: 0, size: 4096))
        #expect(AttestationTokenSession.isChunkValid(offset: 4095, size: 0))
        #expect(!AttestationTokenSession.isChunkValid(offset: 4096, size: 0))
    }

    /// A second INIT abandons the token under way and starts over with the new challenge.
    @Test func initRestarts() throws {
        var h = SessionHarness()
        _ = h.initialize()
        _ = h.next(offset: 0, size: 100)
        var challenge = h.inputs.challenge
        challenge[0] = 0x99
        let result = h.initialize(challenge: challenge)
        #expect(result.status == .success)
        var received: [UInt8] = []
        while true {
            let step = h.next(offset: 0, size: 4096)
            received += h.granule[0..<Int(step.value)]
            if step.status != .incomplete { break }
        }
        #expect(received.count == Int(result.value))
        #expect(try TokenVerifier.verify(received).realm.challenge == challenge)
    }

    @Test func failedInitLeavesNoToken() {
        var h = SessionHarness()
        _ = h.initialize()
        // A 32-byte challenge cannot come from registers, but the builder must still refuse it.
        let result = h.initialize(challenge: [UInt8](repeating: 1, count: 32))
        #expect(result == AttestationResult(.errorUnknown))
        #expect(h.next(offset: 0, size: 16) == AttestationResult(.errorState))
    }
}
