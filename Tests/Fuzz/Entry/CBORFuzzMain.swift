// libFuzzer entry point of the `cbor` target (Tools/verify/Tests/CCAVerifyTests/Fuzz): the
// token verifier's CBOR decoder fed arbitrary bytes. Built by `make fuzz`.

import Glibc

nonisolated(unsafe) var accepted = 0
nonisolated(unsafe) var inputs = 0

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    atexit { print("== fuzz target cbor: \(inputs) inputs\nCBOR accepted: \(accepted)") }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    inputs += 1
    if let finding = CBORFuzzTarget.finding(bytes) { fatalError("FINDING [cbor]: \(finding)") }
    if (try? CBORDecoder.decode(bytes)) != nil { accepted += 1 }
    return 0
}
