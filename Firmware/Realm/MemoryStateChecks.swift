import RealmLayout
import RealmSupport

// RSI_IPA_STATE_GET and RSI_IPA_STATE_SET. The realm gives two of its scratch pages up (RAM to
// EMPTY, which the host accepts and applies with RTT_SET_RIPAS) and asks for RAM where the host
// has no memory for it (which the host rejects).

enum MemoryStateChecks {
    static var ramBase: UInt64 { AddressSpace.ramBase }
    static var ramEnd: UInt64 { AddressSpace.ramEnd }

    static func run(_ checks: inout RealmChecks, _ config: RealmConfiguration) {
        let ram = rsi(RSIFunction.ipaStateGet, ramBase, ramEnd)
        checks.expect("RSI_IPA_STATE_GET(realm RAM): RAM up to the end of the range",
                      ram.status == RSIStatus.success && ram.x[1] == ramEnd && ram.x[2] == RIPAS.ram)
        let empty = rsi(RSIFunction.ipaStateGet, neverRAMIPA, neverRAMIPA + 0x1000)
        checks.expect("RSI_IPA_STATE_GET(beyond realm RAM): EMPTY",
                      empty.status == RSIStatus.success && empty.x[1] == neverRAMIPA + 0x1000 && empty.x[2] == RIPAS.empty)
        checks.expectEqual("RSI_IPA_STATE_GET(unaligned base): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateGet, ramBase + 8, ramEnd).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_IPA_STATE_GET(end not above base): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateGet, ramBase, ramBase).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_IPA_STATE_GET(unprotected IPA): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateGet, config.unprotectedBase, config.unprotectedBase + 0x1000).status,
                           RSIStatus.errorInput)

        // RAM -> EMPTY, accepted: the request may be served in parts; the realm goes on from
        // where the last answer left off.
        let base = realm_scratch(), top = realm_scratch() + 0x2000
        var next = base
        var accepted = true
        var calls = 0
        while next < top && calls < 16 {
            let r = rsi(RSIFunction.ipaStateSet, next, top, RIPAS.empty, 0)
            calls += 1
            guard r.status == RSIStatus.success, r.x[2] == RIPASResponse.accept, r.x[1] > next, r.x[1] <= top else {
                accepted = false
                break
            }
            next = r.x[1]
        }
        var detail = LogLine(": ")
        detail.decimal(UInt64(calls))
        detail.append(" call(s)")
        checks.expect("RSI_IPA_STATE_SET(scratch pages, EMPTY): the host accepts, whole range", accepted && next == top, detail)
        let now = rsi(RSIFunction.ipaStateGet, base, top)
        checks.expect("RSI_IPA_STATE_GET(scratch pages): EMPTY after the change",
                      now.status == RSIStatus.success && now.x[1] == top && now.x[2] == RIPAS.empty)

        // EMPTY -> RAM where the host has nothing to back it: rejected, nothing changes.
        let rejected = rsi(RSIFunction.ipaStateSet, ramEnd, ramEnd + 0x1000, RIPAS.ram, 0)
        checks.expect("RSI_IPA_STATE_SET(beyond realm RAM, RAM): the host rejects, nothing changed",
                      rejected.status == RSIStatus.success && rejected.x[2] == RIPASResponse.reject && rejected.x[1] == ramEnd)
        let still = rsi(RSIFunction.ipaStateGet, ramEnd, ramEnd + 0x1000)
        checks.expect("RSI_IPA_STATE_GET: still EMPTY after the rejected change",
                      still.status == RSIStatus.success && still.x[2] == RIPAS.empty)

        checks.expectEqual("RSI_IPA_STATE_SET(unaligned base): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateSet, base + 8, top, RIPAS.empty, 0).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_IPA_STATE_SET(top not above base): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateSet, base, base, RIPAS.empty, 0).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_IPA_STATE_SET(top beyond the protected range): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateSet, base, config.unprotectedBase + 0x1000, RIPAS.empty, 0).status,
                           RSIStatus.errorInput)
        checks.expectEqual("RSI_IPA_STATE_SET(RIPAS DESTROYED): RSI_ERROR_INPUT",
                           rsi(RSIFunction.ipaStateSet, base, top, RIPAS.destroyed, 0).status, RSIStatus.errorInput)
    }
}
