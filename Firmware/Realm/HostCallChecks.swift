import RealmLayout
import RealmSupport

// RSI_HOST_CALL (RsiHostCall: imm u16 @0x0, gprs[31] @0x8, 0x100 bytes, 256-byte aligned) and
// the page the realm shares with the host through an unprotected IPA.

enum HostCallChecks {
    static var structure: UInt64 { realm_host_call_page() }

    /// Calls the host with `imm` and `gprs` (the rest zero); returns x0 and leaves the host's
    /// answer in the structure.
    static func call(_ imm: UInt64, _ gprs: InlineArray<4, UInt64>) -> UInt64 {
        Memory.fill(structure, bytes: 0x100, 0)
        Memory.store(structure, imm)
        for i in 0..<4 { Memory.store(structure + 8 + 8 * UInt64(i), gprs[i]) }
        return rsi(RSIFunction.hostCall, structure).status
    }

    static func answer(_ index: Int) -> UInt64 { Memory.load(structure + 8 + 8 * UInt64(index)) }

    static func run(_ checks: inout RealmChecks) {
        Memory.fill(structure, bytes: 0x100, 0)
        Memory.store(structure, UInt64(REALM_HOST_CALL_ECHO))
        for i in 0..<31 { Memory.store(structure + 8 + 8 * UInt64(i), UInt64(REALM_HOST_CALL_ECHO_PATTERN) | UInt64(i)) }
        let status = rsi(RSIFunction.hostCall, structure).status
        checks.expectEqual("RSI_HOST_CALL(echo): RSI_SUCCESS", status, RSIStatus.success)
        var echoed = true
        for i in 0..<31 where answer(i) != ~(UInt64(REALM_HOST_CALL_ECHO_PATTERN) | UInt64(i)) { echoed = false }
        checks.expect("RSI_HOST_CALL(echo): the host's answer in all 31 registers", echoed)

        checks.expectEqual("RSI_HOST_CALL(unaligned structure): RSI_ERROR_INPUT",
                           rsi(RSIFunction.hostCall, structure + 8).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_HOST_CALL(unprotected IPA): RSI_ERROR_INPUT",
                           rsi(RSIFunction.hostCall, AddressSpace.sharedIPA).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_HOST_CALL(IPA whose RIPAS is EMPTY): RSI_ERROR_INPUT",
                           rsi(RSIFunction.hostCall, neverRAMIPA).status, RSIStatus.errorInput)
    }

    /// The realm's own tally, for the host to record.
    static func report(_ checks: RealmChecks) {
        var values = InlineArray<4, UInt64>(repeating: 0)
        values[0] = checks.passed
        values[1] = checks.failed
        _ = call(UInt64(REALM_HOST_CALL_RESULT), values)
    }
}

enum SharedMemoryChecks {
    static var mailbox: UInt64 { AddressSpace.sharedAddress }

    static func messageByte(_ i: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: i &* 7 &+ 3) }

    static func run(_ checks: inout RealmChecks) {
        let magic = Memory.load(mailbox + UInt64(REALM_MBX_HOST_MAGIC))
        var detail = LogLine(": ")
        detail.hex(magic)
        checks.expect("shared page: the host's mailbox is visible at the unprotected IPA",
                      magic == UInt64(REALM_MBX_HOST_MAGIC_VALUE), detail)
        var message = true
        for i in 0..<UInt64(REALM_MBX_MESSAGE_BYTES) where Memory.load8(mailbox + UInt64(REALM_MBX_HOST_MESSAGE) + i) != messageByte(i) {
            message = false
        }
        checks.expect("shared page: the realm reads the host's message", message)

        // Reply: each byte of the message XOR 0xA5, then the magic word.
        var offset: UInt64 = 0
        while offset < UInt64(REALM_MBX_MESSAGE_BYTES) {
            var word: UInt64 = 0
            for b: UInt64 in 0..<8 { word |= UInt64(messageByte(offset + b) ^ 0xA5) << (8 * b) }
            Memory.store(mailbox + UInt64(REALM_MBX_REALM_REPLY) + offset, word)
            offset += 8
        }
        Memory.store(mailbox + UInt64(REALM_MBX_REALM_MAGIC), UInt64(REALM_MBX_REALM_MAGIC_VALUE))
        let status = HostCallChecks.call(UInt64(REALM_HOST_CALL_SHARED), InlineArray(repeating: 0))
        checks.expect("shared page: the host reads the realm's reply (RSI_HOST_CALL answer 1)",
                      status == RSIStatus.success && HostCallChecks.answer(0) == 1)
    }
}
