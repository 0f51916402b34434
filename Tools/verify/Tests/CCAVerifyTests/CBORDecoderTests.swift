// The strict decoder: RFC 8949 appendix A items decode, and every construct a token must not
// contain is refused with a reason.

import Testing
@testable import CCAVerify

private func decode(_ hex: String) -> Result<CBORValue, CBORDecodingError> {
    Result { () throws(CBORDecodingError) in try CBORDecoder.decode(testHexBytes(hex)) }
}

func testHexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}

@Suite struct CBORDecoderTests {
    @Test func appendixAItems() throws {
        #expect(try decode("00").get() == .unsigned(0))
        #expect(try decode("1bffffffffffffffff").get() == .unsigned(UInt64.max))
        #expect(try decode("3903e7").get() == .negative(999))
        #expect(try decode("4401020304").get() == .bytes([1, 2, 3, 4]))
        #expect(try decode("62c3bc").get() == .text("\u{00fc}"))
        #expect(try decode("8301820203820405").get() == .array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]), .array([.unsigned(4), .unsigned(5)])]))
        #expect(try decode("a26161016162820203").get() == .map([
            CBORMapEntry(key: .text("a"), value: .unsigned(1)),
            CBORMapEntry(key: .text("b"), value: .array([.unsigned(2), .unsigned(3)])),
        ]))
        #expect(try decode("c11a514b67b0").get() == .tag(1, .unsigned(1_363_896_240)))
        #expect(try decode("f5").get() == .simple(21))
    }

    @Test(arguments: [
        ("5f42010243030405ff", "indefinite length"),      // indefinite byte string
        ("9fff", "indefinite length"),                     // indefinite array
        ("bf6161f5ff", "indefinite length"),               // indefinite map
        ("1817", "non-shortest"),                          // 23 in two bytes
        ("190017", "non-shortest"),
        ("1a0000ffff", "non-shortest"),
        ("1b00000000ffffffff", "non-shortest"),
        ("1c", "reserved"),
        ("fb3ff199999999999a", "floating point"),
        ("f93c00", "floating point"),
        ("f0", "unassigned simple"),
        ("0000", "trailing"),
        ("a201020103", "duplicate map key"),
        ("62c328", "UTF-8"),
        ("45010203", "runs past the end"),
        ("83", "runs past the end"),
        ("", "truncated"),
        ("19", "truncated"),
        ("ff", "unexpected break"),
    ])
    func refusals(hex: String, reason: String) {
        guard case .failure(let error) = decode(hex) else {
            Issue.record("\(hex) was accepted")
            return
        }
        #expect(error.reason.contains(reason), "\(hex): \(error)")
    }

    @Test func nestingIsBounded() {
        #expect(throws: CBORDecodingError.self) { try CBORDecoder.decode([UInt8](repeating: 0x81, count: 40) + [0]) }
        #expect((try? CBORDecoder.decode([UInt8](repeating: 0x81, count: 10) + [0])) != nil)
    }
}
