// libFuzzer entry point of the core's fuzz targets (built by `make fuzz` together with
// Firmware/Core, the fake machine and the shared drivers in Tests/TMMCoreTests/Fuzz, as one
// module). TMM_FUZZ_TARGET picks the target: rmi (default), realm or mmio. A finding stops the run
// with its description, so that libFuzzer saves the input as a crash reproducer; at exit the
// per-function reach counts are printed (Docs/fuzzing.md).

import Glibc

nonisolated(unsafe) var target = "rmi"
nonisolated(unsafe) var totals = FuzzStats()
nonisolated(unsafe) var inputs = 0

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    if let name = getenv("TMM_FUZZ_TARGET").map({ String(cString: $0) }) {
        guard FuzzTargets.names.contains(name) else { fatalError("TMM_FUZZ_TARGET must be one of \(FuzzTargets.names)") }
        target = name
    }
    FuzzWorld.trace = getenv("TMM_FUZZ_TRACE") != nil
    _ = FuzzWorld.attestation
    atexit {
        let report = "== fuzz target \(target): \(inputs) inputs, \(totals.calls.values.reduce(0, +)) RMI calls\n"
            + totals.report + "\nunreached: \(totals.unreached)\n"
        print(report)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let (stats, finding) = FuzzTargets.run(target, bytes)
    inputs += 1
    totals.add(stats)
    if let finding { fatalError("FINDING [\(target)]: \(finding)") }
    return 0
}
