// The firmware CBOR encoder against RFC 8949 appendix A, byte for byte, and its overflow
// behaviour: it reports, it never writes past the buffer.

import Testing
@testable import TMMCore

private func encode(capacity: Int = 256, _ body: (inout CBORWriter) -> Void) -> String {
    var out = [UInt8](repeating: 0, count: capacity)
    let length = out.withUnsafeMutableBytes { buffer -> Int in
        var writer = CBORWriter(into: buffer)
        body(&writer)
        return (try? writer.finish()) ?? -1
    }
    return length < 0 ? "overflow" : hexString(out[..<length])
}

@Suite struct CBORWriterTests {
    @Test(arguments: [
        (Int64(0), "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
        (1000, "1903e8"), (1_000_000, "1a000f4240"), (1_000_000_000_000, "1b000000e8d4a51000"),
        (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
        (Int64.max, "1b7fffffffffffffff"), (Int64.min, "3b7fffffffffffffff"),
    ])
    func integers(value: Int64, expected: String) {
        #expect(encode { $0.int(value) } == expected)
    }

    @Test func largestUnsignedAndNegative() {
        #expect(encode { $0.unsigned(UInt64.max) } == "1bffffffffffffffff")
        // -18446744073709551616 is major type 1 with the largest argument.
        #expect(encode { $0.head(.negative, UInt64.max) } == "3bffffffffffffffff")
    }

    @Test func strings() {
        #expect(encode { $0.bytes(UnsafeRawBufferPointer(start: nil, count: 0)) } == "40")
        #expect(encode { w in [UInt8]([1, 2, 3, 4]).withUnsafeBytes { w.bytes($0) } } == "4401020304")
        #expect(encode { $0.text("") } == "60")
        #expect(encode { $0.text("a") } == "6161")
        #expect(encode { $0.text("IETF") } == "6449455446")
        #expect(encode { $0.text("\"\\") } == "62225c")
        #expect(encode { $0.text("\u{00fc}") } == "62c3bc")
        #expect(encode { $0.text("\u{6c34}") } == "63e6b0b4")
    }

    @Test func containers() {
        #expect(encode { $0.arrayHead(count: 0) } == "80")
        #expect(encode { w in w.arrayHead(count: 3); w.int(1); w.int(2); w.int(3) } == "83010203")
        #expect(encode { w in
            w.arrayHead(count: 3); w.int(1)
            w.arrayHead(count: 2); w.int(2); w.int(3)
            w.arrayHead(count: 2); w.int(4); w.int(5)
        } == "8301820203820405")
        #expect(encode { w in w.arrayHead(count: 25); for i in 1...25 { w.int(Int64(i)) } }
            == "98190102030405060708090a0b0c0d0e0f101112131415161718181819")
        #expect(encode { $0.mapHead(count: 0) } == "a0")
        #expect(encode { w in w.mapHead(count: 2); w.int(1); w.int(2); w.int(3); w.int(4) } == "a201020304")
        #expect(encode { w in
            w.mapHead(count: 2); w.text("a"); w.int(1); w.text("b"); w.arrayHead(count: 2); w.int(2); w.int(3)
        } == "a26161016162820203")
    }

    @Test func tags() {
        #expect(encode { w in w.tag(1); w.int(1_363_896_240) } == "c11a514b67b0")
        #expect(encode { w in w.tag(24); [UInt8]([0x64, 0x49, 0x45, 0x54, 0x46]).withUnsafeBytes { w.bytes($0) } }
            == "d818456449455446")
        #expect(encode { w in w.tag(32); w.text("http://www.example.com") }
            == "d82076687474703a2f2f7777772e6578616d706c652e636f6d")
        #expect(encode { $0.tag(CCAToken.tag) } == "d9018f")
    }

    @Test func headSizesMatchEncodings() {
        for value: UInt64 in [0, 23, 24, 255, 256, 65535, 65536, 0xffff_ffff, 0x1_0000_0000] {
            #expect(encode { $0.unsigned(value) }.count / 2 == CBORWriter.headSize(value))
        }
    }

    /// Too small a buffer: the writer stops storing, keeps counting and reports the need.
    @Test func overflowIsReportedNotWritten() {
        var storage = [UInt8](repeating: 0xee, count: 8)
        let result = storage.withUnsafeMutableBytes { all -> Result<Int, AttestationError> in
            var writer = CBORWriter(into: UnsafeMutableRawBufferPointer(rebasing: all[0..<4]))
            writer.text("IETF")
            do throws(AttestationError) { return .success(try writer.finish()) } catch { return .failure(error) }
        }
        #expect(result == .failure(.bufferTooSmall(needed: 5)))
        #expect(Array(storage[4...]) == [0xee, 0xee, 0xee, 0xee])
    }

    @Test func measuringWriterCounts() {
        var writer = CBORWriter.measuring()
        writer.arrayHead(count: 2)
        writer.text("Signature1")
        writer.unsigned(1000)
        #expect(writer.count == 1 + 11 + 3)
        #expect(writer.overflowed)
    }
}
