// Hashes N 64-byte blocks with the firmware's portable SHA-256 (Firmware/Core compiled for this
// host as one optimised module, as the firmware compiles it), for instruction counts under
// callgrind: the difference between two block counts divided by the difference of N is the cost
// of one block (count.sh). Prints two digest bytes so the work cannot be dropped.
let blocks = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1 : 1
let message = [UInt8](repeating: 0xa5, count: 64 * blocks)
var digest = [UInt8](repeating: 0, count: 32)
message.withUnsafeBytes { bytes in digest.withUnsafeMutableBytes { SHA256.hash(bytes, into: $0) } }
print("SHA-256 of \(blocks) blocks: \(digest[0]) \(digest[31])")
