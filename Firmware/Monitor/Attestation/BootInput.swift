import AArch64
import PlatformDefinitions

// This boot's input to the realm attestation key (AttestationKeyDerivation): what makes the
// RAK new on every boot. EL3 on QEMU has no entropy source it can rely on everywhere, so the
// monitor takes what the platform offers and records which sources it found:
//
//   RNDR      FEAT_RNG's random number register, when the CPU implements it (QEMU -cpu max
//             does, from the host's random source; cortex-a72 does not).
//   seed      the 32-byte rng-seed QEMU writes into its device tree's /secure-chosen node on
//             every boot and reset, for secure firmware. The tree lies in normal-world DRAM,
//             but nothing has run in the normal world yet; the monitor wipes the seed from it
//             once read. It plays the part of a seed a real boot loader would pass in.
//   counter   CNTPCT_EL0 at this point of the boot: a few bits of timing jitter at best, and
//             under QEMU -icount none at all. Always mixed in; never enough alone.
//
// Without RNDR or the seed, two boots may give the same RAK. The RAK stays secret even then
// (the device secret goes into it), but is no longer fresh per boot. A real platform draws
// the input from a TRNG (RNDR or the SoC's TRNG) and refuses to boot without one.

struct BootInput {
    /// Which sources contributed, as bits (a plain mask: OptionSet's array-literal witnesses
    /// would need a heap).
    struct Sources {
        var rawValue: UInt8 = 0
        static let rndr: UInt8 = 1 << 0
        static let secureSeed: UInt8 = 1 << 1
        static let counter: UInt8 = 1 << 2

        func contains(_ source: UInt8) -> Bool { rawValue & source != 0 }
        mutating func insert(_ source: UInt8) { rawValue |= source }
    }

    // Layout: sources byte, 32 bytes of seed, 32 bytes of RNDR output, 8 bytes of counter.
    private static let seedOffset = 1
    private static let rndrOffset = 33
    private static let counterOffset = 65
    static let size = 73

    private(set) var bytes = InlineArray<73, UInt8>(repeating: 0)
    private(set) var sources = Sources()

    /// Gathers the input. Must run before the monitor copies the normal world's device tree
    /// over QEMU's.
    static func gather() -> BootInput {
        var input = BootInput()
        if input.readSecureSeed() { input.sources.insert(Sources.secureSeed) }
        if input.readRNDR() { input.sources.insert(Sources.rndr) }
        input.bytes.storeLittleEndian(read_cntpct_el0(), at: counterOffset)
        input.sources.insert(Sources.counter)
        input.bytes[0] = input.sources.rawValue
        return input
    }

    /// Wipes the input once the RAK is derived.
    mutating func wipe() {
        for i in 0..<Self.size { bytes[i] = 0 }
    }

    /// FEAT_RNG: ID_AA64ISAR0_EL1.RNDR, bits [63:60]. Four 64-bit values; RNDR may fail
    /// transiently (PSTATE.Z), so each is retried a few times.
    private mutating func readRNDR() -> Bool {
        guard read_id_aa64isar0_el1() >> 60 & 0xF != 0 else { return false }
        for word in 0..<4 {
            var value: UInt64 = 0
            var attempts = 0
            while read_rndr(&value) == 0 {
                attempts += 1
                if attempts == 16 { return false }
            }
            bytes.storeLittleEndian(value, at: Self.rndrOffset + 8 * word)
        }
        return true
    }

    /// QEMU's /secure-chosen/rng-seed, wiped from the tree once copied.
    private mutating func readSecureSeed() -> Bool {
        guard let tree = FlattenedDeviceTree(address: UInt64(PLAT_QEMU_DTB_BASE)),
              let seed = tree.property(path: "/secure-chosen", name: "rng-seed"), seed.count >= 32
        else { return false }
        for i in 0..<32 { bytes[Self.seedOffset + i] = seed[i] }
        UnsafeMutableRawBufferPointer(mutating: seed).initializeMemory(as: UInt8.self, repeating: 0)
        return true
    }
}
