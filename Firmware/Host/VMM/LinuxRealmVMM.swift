import AArch64
import PlatformDefinitions

// Host mode 4: the VMM boots the Linux realm the run script described (LinuxBootManifest),
// runs it until it powers off, and destroys it. Every step says what it did on the console as
// a `[vmm]` line; a failure says why and ends the run (no trap, whatever the input).

enum LinuxRealmVMM {
    static let timeLimitSeconds: UInt64 = 1800

    static func run(deviceTree: UInt64) {
        let manifest: LinuxBootManifest
        switch LinuxBootManifest.read() {
        case .success(let m): manifest = m
        case .failure(let e): return fail(e)
        }
        guard let tree = FlattenedDeviceTree(address: deviceTree),
              let poolProperty = tree.property(path: "/firmware/tmm", name: "granule-pool"),
              let poolRange = FlattenedDeviceTree.addressSizePair(poolProperty, index: 0) else {
            return fail(LinuxRealmError("the firmware's device tree names no TMM granule pool"))
        }
        let features = RMIFeatures(RMI.features(0).x1)
        guard features.s2sz >= LinuxRealmParameters.ipaWidth else {
            return fail(LinuxRealmError("the TMM's stage 2 is narrower than the realm's 40-bit IPA space", features.s2sz))
        }
        var realm: LinuxRealm
        do throws(LinuxRealmError) {
            realm = try LinuxRealm(manifest: manifest)
        } catch {
            return fail(error)
        }
        let needed = realm.granulesNeeded(auxCount: LinuxRealmParameters.maxAux)
        guard needed <= poolRange.size >> 12 else {
            var e = LinuxRealmError("the granule pool is too small for this realm; lower MEM")
            e.line.append(": it needs up to ")
            e.line.decimal(needed)
            e.line.append(" granules, the pool has ")
            e.line.decimal(poolRange.size >> 12)
            return fail(e)
        }
        describe(realm, pool: poolRange)
        // What tmm-measure needs besides the files to predict the RIM: the realm parameters
        // the VMM derives from the platform.
        var parameters = LogLine("[vmm] RMI features: S2SZ ")
        parameters.decimal(features.s2sz)
        parameters.append(" NUM_BPS ")
        parameters.decimal(features.numBPs)
        parameters.append(" NUM_WPS ")
        parameters.decimal(features.numWPs)
        parameters.append("; realm: s2sz 40, num_bps/num_wps as reported, SHA-256, no RPV")
        console.print(parameters)

        var pool = GranulePool(base: poolRange.base, size: poolRange.size)
        let frequency = read_cntfrq_el0()
        let buildStart = read_cntpct_el0()
        do throws(VMMError) {
            try realm.create(pool: &pool, features: features)
            try realm.populate(pool: &pool)
            try realm.createRECs(pool: &pool)
            try realm.activate()
        } catch {
            return fail(LinuxRealmError(error))
        }
        var built = LogLine("[vmm] realm built and activated in ")
        built.decimal((read_cntpct_el0() - buildStart) * 1000 / frequency)
        built.append(" ms: ")
        built.decimal(realm.ramPages)
        built.append(" data granules, ")
        built.decimal(realm.ramBlocks + 1)
        built.append(" RTTs, ")
        built.decimal(UInt64(realm.vcpus))
        built.append(" RECs with ")
        built.decimal(realm.auxCount)
        built.append(" aux granules each; entering vCPU 0")
        console.print(built)
        probeGranules(realm, pool: poolRange)

        let runStart = read_cntpct_el0()
        let outcome = LinuxRunLoop.run(&realm, listRegisters: Int(features.numLRs) + 1, timeLimitSeconds: timeLimitSeconds)
        GuestBenchmark.report("realm")
        var ended = LogLine("\r\n[vmm] realm ")
        switch outcome {
        case .success(let stats):
            ended.append(stats.reset ? "asked for SYSTEM_RESET" : "powered off (PSCI SYSTEM_OFF)")
            ended.append(" after ")
            ended.decimal((read_cntpct_el0() - runStart) * 1000 / frequency)
            ended.append(" ms: ")
            ended.decimal(stats.exits)
            ended.append(" exits (")
            ended.decimal(stats.mmio)
            ended.append(" MMIO, ")
            ended.decimal(stats.interruptExits)
            ended.append(" IRQ/FIQ, ")
            ended.decimal(stats.wfi)
            ended.append(" WFI, ")
            ended.decimal(stats.sgis)
            ended.append(" SGI, ")
            ended.decimal(stats.psci)
            ended.append(" PSCI, ")
            ended.decimal(stats.ripasChanges)
            ended.append(" RIPAS changes), ")
            ended.decimal(stats.sharedPages)
            ended.append(" shared pages mapped, ")
            ended.decimal(stats.seaInjected)
            ended.append(" SEAs injected")
            console.print(ended)
        case .failure(let e):
            ended.append("run stopped: ")
            ended.append(e.line)
            console.print(ended)
        }

        let teardownStart = read_cntpct_el0()
        do throws(VMMError) {
            try realm.destroy()
            try realm.undelegateAll()
        } catch {
            return fail(LinuxRealmError(error))
        }
        var destroyed = LogLine("[vmm] realm destroyed (RECs, data, shared mappings, RTTs, RD) and every granule undelegated in ")
        destroyed.decimal((read_cntpct_el0() - teardownStart) * 1000 / frequency)
        destroyed.append(" ms")
        console.print(destroyed)
    }

    static func describe(_ realm: LinuxRealm, pool: (base: UInt64, size: UInt64)) {
        var line = LogLine("[vmm] Linux realm: ")
        line.decimal(realm.manifest.memorySize >> 20)
        line.append(" MiB RAM at IPA ")
        line.hex(realm.ramBase)
        line.append(", ")
        line.decimal(realm.manifest.vcpus)
        line.append(" vCPU(s), IPA width 40 (shared alias bit 39)")
        console.print(line)
        var layout = LogLine("[vmm] measured: device tree ")
        layout.decimal(realm.dtbSize)
        layout.append(realm.manifest.dtbSize > 0 ? " bytes (given) at " : " bytes (generated) at ")
        layout.hex(realm.dtbIPA)
        layout.append(", kernel Image ")
        layout.decimal(realm.manifest.kernelSize)
        layout.append(" bytes at ")
        layout.hex(realm.kernelIPA)
        layout.append(", initramfs ")
        layout.decimal(realm.manifest.initrdSize)
        layout.append(" bytes at ")
        layout.hex(realm.initrdIPA)
        console.print(layout)
        var poolLine = LogLine("[vmm] granule pool ")
        poolLine.hex(pool.base)
        poolLine.append("-")
        poolLine.hex(pool.base + pool.size - 1)
        if pool.base >= UInt64(PLAT_DRAM_BASE) && pool.base < UInt64(PLAT_DRAM_BASE) + UInt64(PLAT_DRAM_SIZE) {
            poolLine.append(": a DRAM carve-out that QEMU does NOT protect from the normal world")
        } else if pool.base >= UInt64(PLAT_SECURE_RAM_BASE)
                    && pool.base - UInt64(PLAT_SECURE_RAM_BASE) < UInt64(PLAT_SECURE_RAM_SIZE) {
            poolLine.append(": secure-only RAM, which the normal world cannot reach")
        }
        console.print(poolLine)
    }

    /// Reads every granule of the built realm from the normal world: each must fault where the
    /// pool is secure-only RAM. (A DRAM pool is not protected by QEMU: nothing to show there.)
    static func probeGranules(_ realm: borrowing LinuxRealm, pool: (base: UInt64, size: UInt64)) {
        guard SecureMemoryChecks.isSecureRAM(pool.base) else {
            console.print("[vmm] isolation: the pool is in DRAM, which QEMU does not protect: normal-world probes skipped")
            return
        }
        var probed: UInt64 = 0
        var faulted: UInt64 = 0
        var firstReadable: UInt64? = nil
        realm.forEachGranule { granule in
            probed += 1
            if SecureMemoryChecks.probeAccess(granule, write: false).faulted {
                faulted += 1
            } else if firstReadable == nil {
                firstReadable = granule
            }
        }
        var line = LogLine(faulted == probed && probed > 0 ? "[vmm] isolation: a normal-world read of each of the realm's "
                                                           : "[vmm] FAIL isolation: normal-world reads that faulted: ")
        if faulted == probed && probed > 0 {
            line.decimal(probed)
            line.append(" granules faults")
        } else {
            line.decimal(faulted)
            line.append(" of ")
            line.decimal(probed)
            if let firstReadable {
                line.append("; readable: ")
                line.hex(firstReadable)
            }
        }
        console.print(line)
    }

    static func fail(_ error: LinuxRealmError) {
        var line = LogLine("[vmm] FAIL ")
        line.append(error.line)
        console.print(line)
    }
}
