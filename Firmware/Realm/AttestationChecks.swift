import RealmLayout
import RealmSupport

// RSI_ATTESTATION_TOKEN_INIT and _CONTINUE. The challenge is fresh per run: SHA-512 of the 64-bit
// seed the host leaves in the mailbox (the system test chooses it at random for each boot;
// `make run` uses the host's counter). The realm prints the challenge, collects the whole token
// into its own (protected) buffer, then copies it to the shared token area and tells the host
// with RSI_HOST_CALL, which prints it for a verifier.

enum AttestationChecks {
    static let tokenTag: InlineArray<3, UInt8> = [0xD9, 0x01, 0x8F]   // CBOR tag 399

    static func run(_ checks: inout RealmChecks, _ config: RealmConfiguration) {
        let buffer = realm_token_buffer()
        checks.expectEqual("RSI_ATTESTATION_TOKEN_CONTINUE before INIT: RSI_ERROR_STATE",
                           rsi(RSIFunction.attestationTokenContinue, buffer, 0, 0x1000).status, RSIStatus.errorState)

        let seed = Memory.load(AddressSpace.sharedAddress + UInt64(REALM_MBX_CHALLENGE_SEED))
        var challenge = InlineArray<8, UInt64>(repeating: 0)
        withUnsafeBytes(of: seed) { s in
            withUnsafeMutableBytes(of: &challenge) { c in SHA512.hash(s, into: c) }
        }
        var line = LogLine("attestation challenge: ")
        withUnsafeBytes(of: challenge) { line.hexBytes($0) }
        say(line)

        let initResult = rsiTokenInit(challenge)
        var bound = LogLine(": upper bound ")
        bound.decimal(initResult.x[1])
        checks.expect("RSI_ATTESTATION_TOKEN_INIT: RSI_SUCCESS with a token size bound that fits two pages",
                      initResult.status == RSIStatus.success && initResult.x[1] > 0 && initResult.x[1] <= 0x2000, bound)

        checks.expectEqual("RSI_ATTESTATION_TOKEN_CONTINUE(unaligned buffer): RSI_ERROR_INPUT",
                           rsi(RSIFunction.attestationTokenContinue, buffer + 8, 0, 8).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_ATTESTATION_TOKEN_CONTINUE(offset + size past the granule): RSI_ERROR_INPUT",
                           rsi(RSIFunction.attestationTokenContinue, buffer, 0xF00, 0x200).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_ATTESTATION_TOKEN_CONTINUE(unprotected buffer): RSI_ERROR_INPUT",
                           rsi(RSIFunction.attestationTokenContinue, AddressSpace.tokenIPA, 0, 0x1000).status,
                           RSIStatus.errorInput)
        checks.expectEqual("RSI_ATTESTATION_TOKEN_CONTINUE(buffer whose RIPAS is EMPTY): RSI_ERROR_INPUT",
                           rsi(RSIFunction.attestationTokenContinue, realm_scratch(), 0, 0x1000).status, RSIStatus.errorInput)

        // Collect: each call fills what it can of the current granule from `offset` on.
        var page: UInt64 = 0, offset: UInt64 = 0, total: UInt64 = 0, calls: UInt64 = 0
        var status = RSIStatus.incomplete
        while status == RSIStatus.incomplete && calls < 100_000 && page < 2 {
            let r = rsi(RSIFunction.attestationTokenContinue, buffer + page * 0x1000, offset, 0x1000 - offset)
            calls += 1
            status = r.status
            guard status == RSIStatus.success || status == RSIStatus.incomplete else { break }
            guard r.x[1] <= 0x1000 - offset else { status = RSIStatus.errorInput; break }
            total += r.x[1]
            offset += r.x[1]
            if offset == 0x1000 {
                page += 1
                offset = 0
            }
        }
        var collected = LogLine(": ")
        collected.decimal(total)
        collected.append(" bytes in ")
        collected.decimal(calls)
        collected.append(" calls")
        checks.expect("RSI_ATTESTATION_TOKEN_CONTINUE: the whole token, within the bound",
                      status == RSIStatus.success && total > 0 && total <= initResult.x[1], collected)
        var tagged = true
        for i in 0..<3 where Memory.load8(buffer + UInt64(i)) != tokenTag[i] { tagged = false }
        checks.expect("attestation token: a CBOR tag 399 (CCA token collection)", tagged)
        checks.expectEqual("RSI_ATTESTATION_TOKEN_CONTINUE after the last byte: RSI_ERROR_STATE",
                           rsi(RSIFunction.attestationTokenContinue, buffer, 0, 0x1000).status, RSIStatus.errorState)

        // Hand it to the host through the shared token area.
        guard status == RSIStatus.success, total <= UInt64(REALM_SHARED_TOKEN_SIZE) else { return }
        var copied: UInt64 = 0
        while copied < total {
            Memory.store(AddressSpace.tokenAddress + copied, Memory.load(buffer + copied))
            copied += 8
        }
        var length = InlineArray<4, UInt64>(repeating: 0)
        length[0] = total
        let handed = HostCallChecks.call(UInt64(REALM_HOST_CALL_TOKEN), length)
        checks.expect("attestation token: handed to the host through the shared pages (RSI_HOST_CALL)",
                      handed == RSIStatus.success && HostCallChecks.answer(0) == total)
    }
}
