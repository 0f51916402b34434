import AArch64
import RealmLayout

// REC_ENTER round trips from NS-EL2, counted with the cycle counter Benchmark.run enabled
// (instructions under -icount shift=0): the test realm in benchmark mode (REALM_MODE_BENCHMARK,
// Firmware/Realm/RealmBenchmark.swift) ends each run with one kind of exit, in this order:
//   HOST_CALL             RSI_HOST_CALL, answered at once;
//   RSI_VERSION           REALM_BENCH_RSI_CALLS RSI_VERSION calls the TMM answers without an
//                         exit, then a HOST_CALL: the difference to the plain HOST_CALL round
//                         trip, divided by the number of calls, is one RSI call;
//   emulated MMIO         a write to an unprotected, unmapped IPA (SYNC exit, data abort),
//                         completed with EMUL_MMIO at the next entry; skipped where the realm
//                         says its stray accesses do not reach the TMM (REALM_HOST_CALL_BENCH_NO_MMIO);
//   host interrupt        the host's EL2 physical timer already expired at entry: the realm is
//                         interrupted at once (IRQ exit).
// A firmware that does not run realms (every REC_ENTER ends in IRQ before the realm makes its
// first call) gets "n/a" lines instead.

enum RealmRoundTripBenchmark {
    static let rounds = Int(REALM_BENCH_ROUNDS)
    /// REC_ENTER calls before the host concludes that the realm does not run.
    static let notRunningThreshold = 256

    struct Samples {
        var values = InlineArray<16, UInt64>(repeating: 0)
        var count = 0

        var isFull: Bool { count == RealmRoundTripBenchmark.rounds }

        mutating func add(_ v: UInt64) {
            guard count < 16 else { return }
            values[count] = v
            count += 1
        }

        /// Sorted copy's minimum, median and maximum.
        var summary: (min: UInt64, median: UInt64, max: UInt64) {
            var s = values
            for i in 1..<max(count, 1) {
                let v = s[i]
                var j = i
                while j > 0 && s[j - 1] > v {
                    s[j] = s[j - 1]
                    j -= 1
                }
                s[j] = v
            }
            return count == 0 ? (0, 0, 0) : (s[0], s[count / 2], s[count - 1])
        }
    }

    static func run(deviceTree: UInt64) {
        guard let range = FlattenedDeviceTree(address: deviceTree)?
            .property(path: "/firmware/tmm", name: "granule-pool")
            .flatMap({ FlattenedDeviceTree.addressSizePair($0, index: 0) })
        else {
            console.print("[bench] FAIL REC_ENTER: no granule pool in the device tree")
            return
        }
        var pool = GranulePool(base: range.base, size: range.size)
        // Realm RAM in one level-3 RTT: aligned to its size. Without Secure EL2 (the EL3 image)
        // the realm is identity-placed (Docs/el3-realms.md).
        guard let dataBlock = pool.takeAligned(RealmVM.ramPages) else {
            console.print("[bench] FAIL REC_ENTER: the granule pool is too small for the test realm")
            return
        }
        var vm = RealmVM(vmid: 6, mode: UInt64(REALM_MODE_BENCHMARK), sharedPageIndex: 8,
                         identityRAM: RealmPlacement.identity ? dataBlock : nil)
        var data = GranulePool(base: dataBlock, size: RealmVM.ramPages << 12)
        do throws(VMMError) {
            try vm.create(pool: &pool, features: RMIFeatures(RMI.features(0).x1))
            try vm.populate(dataPool: &data)
            try vm.mapShared()
            try vm.createRECs(pool: &pool)
            try vm.activate()
        } catch {
            var line = LogLine("[bench] FAIL REC_ENTER: building the test realm")
            line.append(error.detail)
            console.print(line)
            return
        }
        measure(vm)
        do throws(VMMError) {
            try vm.destroy()
            try vm.undelegateAll()
        } catch {
            var line = LogLine("[bench] FAIL REC_ENTER: tearing the test realm down")
            line.append(error.detail)
            console.print(line)
        }
    }

    private static func measure(_ vm: RealmVM) {
        let run = NonSecurePage(index: 6)
        run.clear()
        enableHostPPIs(1 << 26)
        let frequency = read_cntfrq_el0()
        var hostCall = Samples(), rsiBatch = Samples(), mmio = Samples(), irq = Samples()
        var spinning = false, mmioPhase = false, mmioUnavailable = false, realmCalled = false
        var flags: UInt64 = 0
        var entries = 0
        while !irq.isFull {
            if !realmCalled && entries >= notRunningThreshold {
                notApplicable("HOST_CALL exit")
                notApplicable("emulated MMIO exit")
                notApplicable("host interrupt exit")
                notApplicable("RSI_VERSION answered in the TMM (per call)")
                return
            }
            guard entries < 16 * notRunningThreshold else {
                console.print("[bench] FAIL REC_ENTER: the realm did not reach every benchmark step")
                return
            }
            entries += 1
            run.store64(flags, at: RecRun.enterFlags)
            flags = 0
            // The host's EL2 physical timer: already expired for the interrupt exits; otherwise
            // it only bounds a run that goes wrong.
            write_cnthp_cval_el2(spinning ? 0 : read_cntpct_el0() + frequency / 10)
            write_cnthp_ctl_el2(1)
            isb()
            let start = read_pmccntr_el0()
            let entered = RMI.recEnter(rec: vm.recs[0], run: run.address)
            isb()
            let cycles = read_pmccntr_el0() &- start
            write_cnthp_ctl_el2(0)
            isb()
            guard entered.succeeded else {
                var line = LogLine("[bench] FAIL REC_ENTER returned ")
                line.hex(entered.x0)
                console.print(line)
                return
            }
            switch run.load64(at: RecRun.exitReason) {
            case RecRun.hostCall:
                realmCalled = true
                switch run.load64(at: RecRun.exitImmediate) {
                case UInt64(REALM_HOST_CALL_BENCH): hostCall.add(cycles)
                case UInt64(REALM_HOST_CALL_BENCH_RSI): rsiBatch.add(cycles)
                case UInt64(REALM_HOST_CALL_BENCH_MMIO): mmioPhase = true
                case UInt64(REALM_HOST_CALL_BENCH_NO_MMIO): mmioUnavailable = true
                case UInt64(REALM_HOST_CALL_BENCH_SPIN): spinning = true
                default: break
                }
            case RecRun.sync where mmioPhase && run.load64(at: RecRun.exitESR) >> 26 & 0x3F == 0x24:
                mmio.add(cycles)
                flags = RecRun.emulatedMMIO
            case RecRun.irq:
                if spinning { irq.add(cycles) }
            default:
                var line = LogLine("[bench] FAIL REC_ENTER: unexpected exit, reason ")
                line.decimal(run.load64(at: RecRun.exitReason))
                line.append(", ESR ")
                line.hex(run.load64(at: RecRun.exitESR))
                console.print(line)
                return
            }
        }
        report("HOST_CALL exit", hostCall)
        if mmioUnavailable {
            // The realm's stray access never reaches the TMM on this CPU (QEMU 7.2 takes the
            // external abort at the realm's EL1 despite SCR_EL3.EA: Docs/el3-realms.md).
            console.print("[bench] REC_ENTER round trip, emulated MMIO exit: n/a (the external abort is not routed to EL3 here)")
        } else {
            report("emulated MMIO exit", mmio)
        }
        report("host interrupt exit", irq)
        // One RSI call: the batch's round trip less the plain HOST_CALL's, per call (medians).
        let batch = rsiBatch.summary.median, plain = hostCall.summary.median
        var line = LogLine("[bench] REC_ENTER round trip, RSI_VERSION answered in the TMM (per call): ")
        line.decimal(batch > plain ? (batch - plain) / UInt64(REALM_BENCH_RSI_CALLS) : 0)
        line.append(" (HOST_CALL round trip with ")
        line.decimal(UInt64(REALM_BENCH_RSI_CALLS))
        line.append(" calls before it: median ")
        line.decimal(batch)
        line.append(")")
        console.print(line)
    }

    private static func notApplicable(_ name: StaticString) {
        var line = LogLine("[bench] REC_ENTER round trip, ")
        line.append(name)
        line.append(": n/a (this image runs no realm)")
        console.print(line)
    }

    private static func report(_ name: StaticString, _ samples: Samples) {
        let s = samples.summary
        var line = LogLine("[bench] REC_ENTER round trip, ")
        line.append(name)
        line.append(": min ")
        line.decimal(s.min)
        line.append(" median ")
        line.decimal(s.median)
        line.append(" max ")
        line.decimal(s.max)
        line.append(" (n=")
        line.decimal(UInt64(samples.count))
        line.append(")")
        console.print(line)
    }
}
