// The `cbor` fuzz target: arbitrary bytes into the verifier's strict CBOR decoder. It must
// never trap; a refusal must point inside the input; and whatever it accepts must be exactly
// what the core's CBORWriter produces for the decoded value (the decoder admits only the
// preferred serialization with nothing left over, so decoding and re-encoding is the
// identity). Shared by the libFuzzer executable (Tests/Fuzz) and the corpus replay in
// `swift test`; in the fuzz build the decoder and the writer are compiled into one module.

#if canImport(CCAVerify)
@testable import CCAVerify
import TMMCore
#endif

enum CBORFuzzTarget {
    /// What is wrong with the decoder's answer for `bytes`, or nil.
    static func finding(_ bytes: [UInt8]) -> String? {
        let value: CBORValue
        do {
            value = try CBORDecoder.decode(bytes)
        } catch {
            return error.offset >= 0 && error.offset <= bytes.count ? nil
                : "refusal \"\(error.reason)\" at offset \(error.offset) of \(bytes.count) bytes"
        }
        var out = [UInt8](repeating: 0, count: bytes.count)
        let written = out.withUnsafeMutableBytes { buffer in
            var writer = CBORWriter(into: buffer)
            encode(value, into: &writer)
            return writer.count
        }
        guard written == bytes.count, out == bytes else {
            return "accepted \(bytes.count) bytes that re-encode to \(written) different bytes"
        }
        return nil
    }

    static func encode(_ value: CBORValue, into w: inout CBORWriter) {
        switch value {
        case .unsigned(let n): w.head(.unsigned, n)
        case .negative(let n): w.head(.negative, n)
        case .bytes(let b): b.withUnsafeBytes { w.bytes($0) }
        case .text(let s):
            let utf8 = Array(s.utf8)
            utf8.withUnsafeBytes { w.text(utf8: $0) }
        case .array(let items):
            w.arrayHead(count: items.count)
            for item in items { encode(item, into: &w) }
        case .map(let entries):
            w.mapHead(count: entries.count)
            for e in entries {
                encode(e.key, into: &w)
                encode(e.value, into: &w)
            }
        case .tag(let number, let item):
            w.tag(number)
            encode(item, into: &w)
        case .simple(let v): w.head(.simple, UInt64(v))
        }
    }
}
