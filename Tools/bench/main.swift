// tmm-bench: the firmware's SHA-256 and P-384 signing, compiled for this host, beside
// swift-crypto (BoringSSL) on the same machine. A benchmark, not a test: it asserts nothing.
//
//   swift run -c release tmm-bench            full run: min and median of several runs
//   swift run -c release tmm-bench sign N     key derivation then N firmware signatures, for
//       instruction counts; the difference between N = 2 and N = 1 is one signature:
//       strip -o /tmp/tmm-bench .build/release/tmm-bench   (valgrind cannot read Swift's DWARF)
//       valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/tmm-bench sign 1
//
// Every run does a fixed amount of work (fixed sizes and iteration counts), so runs are
// comparable across machines and the numbers can be re-measured by anyone.

import Crypto
import Foundation
import TMMCore

let runs = 7
let shaBufferSize = 1 << 20
let shaRepetitions = 16
let signatures = 40
let message = [UInt8]((0..<700).map { UInt8(truncatingIfNeeded: $0 &* 13) })  // about a realm token's payload

/// Seconds taken by `body`, once.
func time(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let elapsed = clock.measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Min and median of `runs` timings.
func measure(_ body: () -> Void) -> (min: Double, median: Double) {
    body()  // warm up
    let times = (0..<runs).map { _ in time(body) }.sorted()
    return (times[0], times[runs / 2])
}

var sink: UInt8 = 0

func firmwareKey() -> TMMCore.P384.PrivateKey {
    [UInt8](repeating: 0x5a, count: 32).withUnsafeBytes { secret in
        Array("bench".utf8).withUnsafeBytes { TMMCore.P384.PrivateKey(derivingFrom: secret, context: $0) }
    }
}

/// One signature by the firmware code; returns a byte of it so the work cannot be dropped.
func firmwareSign(_ key: TMMCore.P384.PrivateKey) -> UInt8 {
    let signature = message.withUnsafeBytes { key.signature(for: $0) }
    var raw = [UInt8](repeating: 0, count: 96)
    raw.withUnsafeMutableBytes { signature.writeRawRepresentation(to: $0) }
    return raw[0]
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "sign" {
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 1 : 1
    let key = firmwareKey()
    for _ in 0..<count { sink ^= firmwareSign(key) }
    print("key derivation and \(count) firmware P-384 signatures done (\(sink))")
    exit(0)
}

print("tmm-bench: \(runs) runs each; min / median")
print("SHA-256: \(shaRepetitions) x \(shaBufferSize) bytes per run")
let buffer = [UInt8](repeating: 0xa5, count: shaBufferSize)
let shaBytes = Double(shaBufferSize * shaRepetitions)
let ourSHA = measure {
    var digest = [UInt8](repeating: 0, count: 32)
    for _ in 0..<shaRepetitions {
        buffer.withUnsafeBytes { data in digest.withUnsafeMutableBytes { TMMCore.SHA256.hash(data, into: $0) } }
        sink ^= digest[0]
    }
}
let theirSHA = measure {
    for _ in 0..<shaRepetitions { sink ^= Array(Crypto.SHA256.hash(data: buffer))[0] }
}
func mbps(_ seconds: Double) -> String { String(format: "%8.1f MB/s", shaBytes / seconds / 1e6) }
print("  firmware code : \(mbps(ourSHA.min)) best, \(mbps(ourSHA.median)) median")
print("  swift-crypto  : \(mbps(theirSHA.min)) best, \(mbps(theirSHA.median)) median")
print(String(format: "  firmware/swift-crypto throughput (median): %.3f", theirSHA.median / ourSHA.median))

print("P-384 ECDSA sign (SHA-384, 700-byte message): \(signatures) signatures per run")
let key = firmwareKey()
let ourSign = measure { for _ in 0..<signatures { sink ^= firmwareSign(key) } }
let theirKey = Crypto.P384.Signing.PrivateKey()
let theirSign = measure {
    for _ in 0..<signatures { sink ^= Array((try! theirKey.signature(for: message)).rawRepresentation)[0] }
}
func perSignature(_ seconds: Double) -> String { String(format: "%9.1f us/signature", seconds / Double(signatures) * 1e6) }
print("  firmware code : \(perSignature(ourSign.min)) best, \(perSignature(ourSign.median)) median")
print("  swift-crypto  : \(perSignature(theirSign.min)) best, \(perSignature(theirSign.median)) median")
print(String(format: "  firmware/swift-crypto time per signature (median): %.1f", ourSign.median / theirSign.median))
print("(checksum \(sink))")
