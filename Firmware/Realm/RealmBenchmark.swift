import RealmLayout
import RealmSupport

// Benchmark mode (REALM_MODE_BENCHMARK): exits of each kind the host times, with nothing else
// in between (no console, no checks), in the order realm_layout.h gives. The host counts every
// REC_ENTER round trip; these loops only decide what ends each one.

enum RealmBenchmark {
    static func run() -> Never {
        let rounds = Int(REALM_BENCH_ROUNDS)
        // HOST_CALL exits.
        for _ in 0..<rounds { _ = HostCallChecks.call(UInt64(REALM_HOST_CALL_BENCH), InlineArray(repeating: 0)) }
        // RSI calls the TMM answers itself, REALM_BENCH_RSI_CALLS per HOST_CALL exit: the host
        // takes the difference to the plain HOST_CALL round trip.
        for _ in 0..<rounds {
            var version: UInt64 = 0
            for _ in 0..<Int(REALM_BENCH_RSI_CALLS) { version |= rsi(RSIFunction.version, 0x1_0000).x[1] }
            var words = InlineArray<4, UInt64>(repeating: 0)
            words[0] = version
            _ = HostCallChecks.call(UInt64(REALM_HOST_CALL_BENCH_RSI), words)
        }
        // Emulated MMIO exits: writes to an unprotected IPA the host answers with EMUL_MMIO.
        if AddressSpace.consoleByHostCall {
            // Stray accesses end at this realm's own EL1 here, not in an MMIO exit.
            _ = HostCallChecks.call(UInt64(REALM_HOST_CALL_BENCH_NO_MMIO), InlineArray(repeating: 0))
        } else {
            _ = HostCallChecks.call(UInt64(REALM_HOST_CALL_BENCH_MMIO), InlineArray(repeating: 0))
            for i in 0..<rounds { Memory.store(AddressSpace.unemulatedAddress, UInt64(i)) }
        }
        // The host's interrupt exits: the realm runs on without exiting by itself.
        _ = HostCallChecks.call(UInt64(REALM_HOST_CALL_BENCH_SPIN), InlineArray(repeating: 0))
        var spins: UInt64 = 0
        while true { spins = spins &+ Memory.load(AddressSpace.sharedAddress) }
    }
}
