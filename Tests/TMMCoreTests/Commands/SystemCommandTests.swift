// RMI_VERSION, RMI_FEATURES and the dispatcher (DEN0137 B4.3.19, B4.3.9, B4.1).

import Testing
@testable import TMMCore

@Suite struct SystemCommandTests {
    @Test func versionNegotiation() {
        let h = Harness()
        // Supported: SUCCESS, lower = higher = 1.0 (0x10000: major in [30:16]).
        #expect(h.call(.version, 0x1_0000) == RMIResult(x0: 0, x1: 0x1_0000, x2: 0x1_0000))
        // Any other revision: RMI_ERROR_INPUT, still reporting what is implemented.
        for requested: UInt64 in [0, 0x1_0001, 0x2_0000, 0x38_0000, UInt64.max] {
            #expect(h.call(.version, requested) == RMIResult(x0: Status.input, x1: 0x1_0000, x2: 0x1_0000))
        }
    }

    @Test func featureRegister0() {
        let caps = PlatformCapabilities(maxIPAWidth: 44, breakpoints: 6, watchpoints: 4, gicListRegisters: 4,
                                        vmidWidth: 16)
        let h = Harness(capabilities: caps)
        let r = h.call(.features, 0)
        #expect(r.x0 == 0 && r.x2 == 0 && r.x3 == 0 && r.x4 == 0)
        let f = r.x1
        // RmiFeatureRegister0, 1.0-rel0 layout.
        #expect(f & 0xFF == 44)                  // S2SZ
        #expect(f >> 8 & 1 == 0)                 // LPA2 unsupported
        #expect(f >> 9 & 1 == 0)                 // SVE_EN
        // NUM_BPS, NUM_WPS: the number available minus one (6 breakpoints, 4 watchpoints).
        #expect(f >> 14 & 0x3F == 5)
        #expect(f >> 20 & 0x3F == 3)
        // No PMU is given to realms: PMU_EN 0 and PMU_NUM_CTRS 0.
        #expect(f >> 26 & 1 == 0)                // PMU_EN
        #expect(f >> 27 & 0x1F == 0)             // PMU_NUM_CTRS
        #expect(f >> 32 & 1 == 1)                // HASH_SHA_256
        #expect(f >> 33 & 1 == 1)                // HASH_SHA_512
        #expect(f >> 34 & 0xF == 3)              // GICV3_NUM_LRS (4 list registers, minus one)
        #expect(f >> 38 & 0xF == 15)             // MAX_RECS_ORDER: up to 2^15 - 1 RECs per realm
        // [63:42] reserved in 1.0-rel0: there is no field for a GPT (or anything else) to set.
        #expect(f >> 42 == 0)
        // The exact value, so that no field can change unnoticed.
        #expect(f == 44 | 5 << 14 | 3 << 20 | 1 << 32 | 1 << 33 | 3 << 34 | 15 << 38)
        // Other indexes read as zero.
        #expect(h.call(.features, 1) == RMIResult(x0: 0, x1: 0))
        #expect(h.call(.features, UInt64.max) == RMIResult(x0: 0, x1: 0))
    }

    @Test func featuresCapIPAWidthAt48() {
        var caps = Harness.defaultCapabilities
        caps.maxIPAWidth = 52
        #expect(Harness(capabilities: caps).call(.features, 0).x1 & 0xFF == 48)
    }

    @Test func unusedAndOutOfRangeFunctionIDs() {
        let h = Harness()
        // 0x156, 0x160, 0x163 have no command; 0x16A...0x18F are reserved for RMI. Every FID
        // without an RMI 1.0 command gets SMCCC NOT_SUPPORTED (SMC_UNKNOWN, -1) and nothing else.
        let notSupported = RMIResult(x0: 0xFFFF_FFFF_FFFF_FFFF)
        for fid: UInt64 in [0xC400_0156, 0xC400_0160, 0xC400_0163, 0xC400_016A, 0xC400_018F, 0xC400_0190,
                            0xC400_014F, 0x8400_0150, 0, UInt64.max, 0xC400_0156 | 1 << 32, 0xC401_0156] {
            #expect(h.tmm.handle(fid: fid, arguments: RMIArguments(1, 2, 3, 4, 5, 6)) == notSupported,
                    "FID \(hex(fid))")
        }
        #expect(h.checkInvariants().isEmpty)
    }

    @Test func sveHintBitAndUpperHalfAreIgnored() {
        let h = Harness()
        // SMCCC 1.3: bit 16 of the FID is the "no live SVE state" hint.
        #expect(h.tmm.handle(fid: 0xC401_0150, arguments: RMIArguments(0x1_0000)) == RMIResult(x0: 0, x1: 0x1_0000, x2: 0x1_0000))
        // The function identifier is W0.
        #expect(h.tmm.handle(fid: 0xFFFF_FFFF_C400_0150, arguments: RMIArguments(0x1_0000)).x0 == 0)
    }

    @Test func unusedResultRegistersAreZeroed() {
        // The dispatcher clears every register beyond the command's result count.
        let full = RMIResult(x0: 1, x1: 9, x2: 9, x3: 9, x4: 9)
        #expect(full.keeping(0) == RMIResult(x0: 1))
        #expect(full.keeping(2) == RMIResult(x0: 1, x1: 9, x2: 9))
        #expect(full.keeping(4) == full)
    }

    @Test func dispatchTableMatchesFunctionIDs() {
        // Every RMI 1.0 FID has an entry; the table's argument counts are those of the spec.
        let expected: [(RMIFunctionID, UInt8, UInt8)] = [
            (.version, 1, 2), (.granuleDelegate, 1, 0), (.granuleUndelegate, 1, 0), (.dataCreate, 5, 0),
            (.dataCreateUnknown, 3, 0), (.dataDestroy, 2, 2), (.realmActivate, 1, 0), (.realmCreate, 2, 0),
            (.realmDestroy, 1, 0), (.recCreate, 3, 0), (.recDestroy, 1, 0), (.recEnter, 2, 0), (.rttCreate, 4, 0),
            (.rttDestroy, 3, 2), (.rttMapUnprotected, 4, 0), (.rttReadEntry, 3, 4), (.rttUnmapUnprotected, 3, 1),
            (.psciComplete, 3, 0), (.features, 1, 1), (.rttFold, 3, 1), (.recAuxCount, 1, 1),
            (.rttInitRIPAS, 3, 1), (.rttSetRIPAS, 4, 1),
        ]
        for (fid, args, results) in expected {
            let e = RMIDispatchTable.entry(for: fid.rawValue)
            #expect(e?.arguments == args && e?.results == results, "\(fid)")
        }
    }
}
