import AArch64
import SHABlocks

// The boot CPU offers the crypto core the SHA block functions in assembly
// (Platform/aarch64/sha256_blocks_ce.S, sha512_blocks_ce.S) where ID_AA64ISAR0_EL1 says the CPU
// has the instructions; SHAAcceleration uses them only if they pass its self-test. Compiled into
// the monitor (both images) and into the S-EL2 image's TMM, which has its own copy of the crypto
// code. Called with FP/SIMD untrapped at this exception level (CPTR_EL3.TFP, CPTR_EL2.TFP clear),
// before the first hash that should be fast, and before any other CPU runs firmware code.
//
// Which image may hold which instructions: the EL3 image and the S-EL2 monitor are Armv8.0 code
// that the image checker decodes for a cortex-a57. SHA-256's instructions are Armv8.0 (the
// optional Cryptographic Extension), so they link sha256_blocks_ce; SHA-512's are Armv8.2
// (FEAT_SHA512), so only the S-EL2 TMM (Armv8.4) links sha512_blocks_ce (SHA512_INSTRUCTIONS).
// Elsewhere SHA-512 and SHA-384 stay portable: at EL3 they only hash small attestation messages.
// All CPUs of a system are assumed to have the same SHA2 field as the boot CPU.

enum SHAInstructions {
    /// `tag` starts each console line.
    static func enable(tag: StaticString) {
        #if SHA_PORTABLE
        reportPortable(tag, "SHA-256 and SHA-512: portable code (built with SHA=portable)")
        #else
        enableWhatTheCPUHas(tag: tag)
        #endif
    }

    private static func enableWhatTheCPUHas(tag: StaticString) {
        let level = CPUFeatures.sha2Instructions
        if level >= 1 {
            let counter = CycleCounter()
            let enabled = SHAAcceleration.enable(sha256: sha256_blocks_ce)
            report(tag, "SHA-256: FEAT_SHA256 instructions", enabled: enabled, selfTest: counter.stop(),
                   measure(SHA256()), measure(SHA256(blockFunction: nil)))
        } else {
            reportPortable(tag, "SHA-256: portable code (the CPU has no FEAT_SHA256)")
        }
        #if SHA512_INSTRUCTIONS
        if level >= 2 {
            let counter = CycleCounter()
            let enabled = SHAAcceleration.enable(sha512: sha512_blocks_ce)
            report(tag, "SHA-512: FEAT_SHA512 instructions", enabled: enabled, selfTest: counter.stop(),
                   measure(SHA512()), measure(SHA512(blockFunction: nil)))
        } else {
            reportPortable(tag, "SHA-512: portable code (the CPU has no FEAT_SHA512)")
        }
        #else
        reportPortable(tag, level >= 2 ? "SHA-512: portable code (FEAT_SHA512 is Armv8.2; this code is Armv8.0)"
                                       : "SHA-512: portable code (the CPU has no FEAT_SHA512)")
        #endif
    }

    /// The cycles (instructions under -icount shift=0) `hash` takes to absorb a 4 KiB message
    /// (whole blocks only, as DATA_CREATE hashes a granule), and the digest, so that the work is
    /// not optimised away and the two paths can be compared once more.
    private static func measure<H: HashFunction>(_ hash: H) -> (cycles: UInt64, digest: InlineArray<64, UInt8>) {
        var sample = InlineArray<4096, UInt8>(repeating: 0)
        for i in 0..<sample.count { sample[i] = UInt8(truncatingIfNeeded: i &* 167 &+ i >> 8) }
        var h = hash
        var cycles: UInt64 = 0
        withUnsafeBytes(of: &sample) { bytes in
            let counter = CycleCounter()
            h.update(bytes)
            cycles = counter.stop()
        }
        var digest = InlineArray<64, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &digest) { h.finalize(into: $0) }
        return (cycles, digest)
    }

    private static func report(_ tag: StaticString, _ what: StaticString, enabled: Bool, selfTest: UInt64,
                               _ accelerated: (cycles: UInt64, digest: InlineArray<64, UInt8>),
                               _ portable: (cycles: UInt64, digest: InlineArray<64, UInt8>)) {
        var line = LogLine(tag)
        line.append(" ")
        line.append(what)
        guard enabled else {
            line.append(" REFUSED: they disagree with the FIPS 180-4 examples or the portable code; using the portable code")
            console.print(line)
            return
        }
        var same = true
        for i in 0..<64 { same = same && accelerated.digest[i] == portable.digest[i] }
        line.append(", self-test passed in ")
        line.decimal(selfTest)
        line.append(same ? " cycles; 4 KiB in " : " cycles, BUT a 4 KiB sample hashed differently; ")
        line.decimal(accelerated.cycles)
        line.append(" cycles (portable code: ")
        line.decimal(portable.cycles)
        line.append(")")
        console.print(line)
    }

    private static func reportPortable(_ tag: StaticString, _ what: StaticString) {
        var line = LogLine(tag)
        line.append(" ")
        line.append(what)
        console.print(line)
    }
}
