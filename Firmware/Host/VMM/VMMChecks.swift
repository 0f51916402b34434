import AArch64
import PlatformDefinitions
import RealmLayout

// The host as a small VMM: it builds a confidential VM from the test realm's image, runs its
// two RECs and serves their exits, shows from the outside what the realm cannot be given or
// read, builds a second realm on the first one's former memory, and tears both down. Every
// step is a `[host] PASS/FAIL vmm...` check; what the realm checks from the inside arrives on
// the same console as `[realm]` lines.

enum VMMChecks {
    /// The 64-bit seed of the realm's attestation challenge: QEMU's loader may put one here
    /// (`-device loader,addr=PLAT_HOST_CHALLENGE_SEED_ADDR,data=SEED,data-len=8`); without it, the counter.
    static let challengeSeedAddress = UInt64(PLAT_HOST_CHALLENGE_SEED_ADDR)
    static let exitBudget: UInt64 = 200_000

    static func messageByte(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 7 &+ 3) }

    static func run(_ checks: inout CheckRecorder, pool poolRange: (base: UInt64, size: UInt64)?, runRealms: Bool) {
        guard let poolRange else {
            checks.expect("vmm: the device tree names the granule pool", false)
            return
        }
        var pool = GranulePool(base: poolRange.base, size: poolRange.size)
        let features = RMIFeatures(RMI.features(0).x1)
        // On a CPU without Secure EL2 (the EL3 image) there is no stage 2: realms are
        // identity-placed, their RAM IPA the address of the granules behind it (Docs/el3-realms.md).
        let identity = RealmPlacement.identity
        // Identity-placed, a shared page's IPA is its address with the top IPA bit set: the test
        // realm's 40-bit IPA space cannot reach normal-world DRAM above 2^39 (sbsa-ref: 1 TiB).
        if identity && NonSecurePage(index: 8).address >= RealmVM.unprotectedBase {
            var line = LogLine("[host] SKIP vmm: the test realm (identity placement: its shared pages at ")
            line.hex(NonSecurePage(index: 8).address)
            line.append(" lie above its 40-bit IPA space)")
            console.print(line)
            return
        }
        // Realm RAM in one level-3 RTT: aligned to its size.
        guard let dataBlock = pool.takeAligned(RealmVM.ramPages) else {
            checks.expect("vmm: the granule pool holds the realm's RAM", false)
            return
        }
        var first = RealmVM(vmid: 1, mode: UInt64(REALM_MODE_FULL), sharedPageIndex: 8,
                            identityRAM: identity ? dataBlock : nil)
        var line = LogLine("[host] vmm: test realm image ")
        line.decimal(RealmVM.imagePages)
        line.append(" pages at IPA ")
        line.hex(first.ramBase)
        line.append(", RAM ")
        line.decimal(RealmVM.ramPages)
        line.append(" pages, 2 RECs")
        if identity { line.append("; identity-placed (no stage 2 on this CPU)") }
        console.print(line)

        // The first realm: built, probed from the normal world, run.
        var firstData = GranulePool(base: dataBlock, size: RealmVM.ramPages << 12)
        guard build(&checks, &first, pool: &pool, dataPool: &firstData, features: features, second: false) else { return }
        probeDelegated(&checks, first, pool: poolRange)
        let firstRun = runRealm(&checks, first, second: false, requested: runRealms)

        // The second realm beside the first: the first one's granules cannot be given to it.
        var second = RealmVM(vmid: 2, mode: UInt64(REALM_MODE_SECOND_REALM), sharedPageIndex: 11,
                             identityRAM: identity ? first.dataBase : nil)
        do throws(VMMError) {
            try second.create(pool: &pool, features: features)
            checks.expect("vmm: a second realm (VMID 2) created beside the first", true)
        } catch {
            checks.expect("vmm: a second realm (VMID 2) created beside the first", false, error.detail)
            return
        }
        refuseFirstRealmGranules(&checks, first: first, second: second)

        // The first realm goes; the second is built on its former data granules and runs.
        teardown(&checks, first, second: false)
        var reused = GranulePool(base: first.dataBase, size: RealmVM.ramPages << 12)
        guard build(&checks, &second, pool: &pool, dataPool: &reused, features: features, second: true) else { return }
        if !firstRun.notRunning {
            _ = runRealm(&checks, second, second: true, requested: runRealms)
        }
        teardown(&checks, second, second: true)

        checks.expect("vmm: after both realms every pool granule delegates and undelegates again",
                      pool.everyGranuleDelegatesAndUndelegates())
    }

    /// Builds `vm` (the first realm from `pool` alone; the second has its RD and RTTs already).
    static func build(_ checks: inout CheckRecorder, _ vm: inout RealmVM, pool: inout GranulePool,
                      dataPool: inout GranulePool, features: RMIFeatures, second: Bool) -> Bool {
        do throws(VMMError) {
            if !second {
                try vm.create(pool: &pool, features: features)
                checks.expect("vmm: GRANULE_DELEGATE, REALM_CREATE (IPA width 40, SHA-256, RPV, VMID 1), RTT_CREATE x4", true)
            }
            try vm.populate(dataPool: &dataPool)
            var detail = LogLine(": ")
            detail.decimal(RealmVM.imagePages)
            detail.append(" measured, ")
            detail.decimal(RealmVM.ramPages - RealmVM.imagePages)
            detail.append(" unknown")
            if second {
                checks.expect("vmm: second realm: RAM on the first realm's former data granules", true, detail)
            } else {
                checks.expect("vmm: RTT_INIT_RIPAS of realm RAM, DATA_CREATE of the image from normal-world pages, DATA_CREATE_UNKNOWN of the rest",
                              true, detail)
            }
            try vm.mapShared()
            try vm.createRECs(pool: &pool)
            try vm.activate()
            if second {
                checks.expect("vmm: second realm: shared pages, two RECs, REALM_ACTIVATE", true)
            } else {
                checks.expect("vmm: RTT_MAP_UNPROTECTED of the shared pages, REC_CREATE x2 with REC_AUX_COUNT aux granules, REALM_ACTIVATE",
                              true)
            }
            return true
        } catch {
            if second {
                checks.expect("vmm: second realm built", false, error.detail)
            } else {
                checks.expect("vmm: first realm built", false, error.detail)
            }
            return false
        }
    }

    /// Runs a realm and records what its exits showed.
    static func runRealm(_ checks: inout CheckRecorder, _ vm: RealmVM, second: Bool, requested: Bool) -> RunReport {
        prepareShared(vm)
        let run = NonSecurePage(index: 6)
        if !second {
            // REC_ENTER's own checks (DEN0137 B4.3.12), before the realm runs.
            run.clear()
            run.store64(1, at: RecRun.enterGICHCR)
            checks.expectEqual("vmm: REC_ENTER with gicv3_hcr.En set (the TMM's to set): RMI_ERROR_REC",
                               RMI.recEnter(rec: vm.recs[0], run: run.address).x0, RMIStatusCode.errorREC)
            run.clear()
            checks.expectEqual("vmm: REC_ENTER of REC 1 before the realm's CPU_ON (not runnable): RMI_ERROR_REC",
                               RMI.recEnter(rec: vm.recs[1], run: run.address).x0, RMIStatusCode.errorREC)
        }

        guard requested else {
            console.print("[host] vmm: realm run not requested in this host mode; the realm is still built and destroyed")
            var skipped = RunReport()
            skipped.notRunning = true
            return skipped
        }
        let report = RECRunner.run(vm, budget: exitBudget)
        if report.notRunning {
            var line = LogLine("[host] SKIP realm execution: ")
            line.decimal(report.exits)
            line.append(" REC_ENTER calls all ended in RMI_EXIT_IRQ before the realm ran; this firmware does not run realms")
            console.print(line)
            return report
        }
        var summary = LogLine(": ")
        summary.decimal(report.exits)
        summary.append(" exits (")
        summary.decimal(report.mmioWrites + report.mmioReads)
        summary.append(" MMIO, ")
        summary.decimal(report.irqExits)
        summary.append(" IRQ, ")
        summary.decimal(report.fiqExits)
        summary.append(" FIQ)")
        if let failure = report.failure {
            summary.append(": ")
            summary.append(failure)
        }
        if second {
            checks.expect("vmm: second realm runs to PSCI SYSTEM_OFF", report.systemOff && report.failure == nil, summary)
            checks.expect("vmm: second realm reports its own checks, none failed",
                          report.realmReported && report.realmPassed > 0 && report.realmFailed == 0, realmTally(report))
            return report
        }
        checks.expect("vmm: realm runs to PSCI SYSTEM_OFF within the exit budget", report.systemOff && report.failure == nil, summary)
        var lines = LogLine(": ")
        lines.decimal(report.realmLines)
        lines.append(" lines")
        // On the EL3 image the realm's MMIO reaches the host only where the CPU takes the
        // unbacked access's external abort to EL3; QEMU 7.2 takes it at the realm's EL1, and the
        // realm prints through RSI_HOST_CALL instead (Docs/el3-realms.md). Said, never passed.
        let mmioReachesHost = !vm.identityPlaced || report.consoleHostCalls == 0
        if mmioReachesHost {
            checks.expect("vmm: realm console through the emulated PL011 (MMIO exits, EMUL_MMIO)",
                          report.realmLines > 20 && report.mmioReads > 0, lines)
        } else {
            console.print("[host] N/A vmm: realm MMIO (emulated PL011, INJECT_SEA): the CPU took the realm's external abort at EL1, not EL3")
            checks.expect("vmm: realm console through RSI_HOST_CALL (identity-placed realm whose MMIO aborts at EL1)",
                          report.realmLines > 20 && report.mmioReads == 0, lines)
        }
        checks.expect("vmm: RSI_HOST_CALL: the realm's 31 registers arrived, the host's answer returned", report.echoAnswered)
        checks.expect("vmm: shared page: the realm's reply is in the host's page", report.sharedReplySeen)
        var ripas = LogLine(": ")
        ripas.decimal(report.ripasSetCalls)
        ripas.append(" RTT_SET_RIPAS call(s)")
        checks.expect("vmm: RIPAS_CHANGE to EMPTY applied with RTT_SET_RIPAS and accepted", report.ripasAccepted == 1, ripas)
        checks.expectEqual("vmm: RIPAS_CHANGE to RAM beyond realm RAM rejected (RIPAS_RESPONSE)", report.ripasRejected, 1)
        checks.expect("vmm: second vCPU: CPU_ON completed with PSCI_COMPLETE, REC 1 ran and called CPU_OFF",
                      report.cpuOnCompleted >= 1 && report.secondEntered && report.secondTurnedOff)
        checks.expect("vmm: PSCI AFFINITY_INFO exits completed with PSCI_COMPLETE", report.affinityCompleted >= 2)
        checks.expectEqual("vmm: virtual timer: INTID 27 injected once through a list register (RecExit.cntv_ctl asserted)",
                           report.timerInjected, 1)
        var lr = LogLine(": LR after EOI ")
        lr.hex(report.timerLRAfterEOI)
        checks.expect("vmm: virtual timer: the list register came back inactive after the realm's EOI", report.timerCompleted, lr)
        var sgi = LogLine(": ESR ")
        sgi.hex(report.sgiESR)
        sgi.append(", gprs[0] ")
        sgi.hex(report.sgiValue)
        let request = SGIRequest(value: report.sgiValue)
        checks.expect("vmm: realm SGI: an ICC_SGI1R_EL1 write exits SYNC with its syndrome (EC 0x18) and the value in gprs[0]",
                      report.sgiExits == 1 && request.intid == UInt64(REALM_TEST_SGI) && report.sgiToSelf == 1, sgi)
        var sgiLR = LogLine(": LR after EOI ")
        sgiLR.hex(report.sgiLRAfterEOI)
        checks.expect("vmm: realm SGI: delivered to REC 0 through a list register, which came back inactive after the realm's EOI",
                      report.sgiInjected == 1 && report.sgiCompleted == 1, sgiLR)
        var sea = LogLine(": IPA ")
        sea.hex(report.seaIPA)
        if mmioReachesHost {
            checks.expect("vmm: unemulated unprotected MMIO answered with INJECT_SEA",
                          report.seaInjected == 1 && report.seaIPA == vm.unemulatedIPA, sea)
        }
        checks.expect("vmm: attestation token handed over through the shared pages and printed", report.tokenBytes > 0)
        checks.expect("vmm: realm reports its own checks, none failed",
                      report.realmReported && report.realmPassed > 0 && report.realmFailed == 0, realmTally(report))
        if report.systemOff {
            checks.expectEqual("vmm: REC_ENTER after the realm's SYSTEM_OFF: RMI_ERROR_REALM",
                               RMI.recEnter(rec: vm.recs[0], run: run.address).status, RMIStatusCode.errorRealm)
        }
        return report
    }

    static func realmTally(_ report: RunReport) -> LogLine {
        var line = LogLine(": ")
        line.decimal(report.realmPassed)
        line.append(" passed, ")
        line.decimal(report.realmFailed)
        line.append(" failed")
        return line
    }

    /// The mailbox the realm reads, and an empty token area.
    static func prepareShared(_ vm: RealmVM) {
        for i in 0..<UInt64(REALM_SHARED_PAGES) { vm.sharedPage(i).clear() }
        let mailbox = vm.sharedPage(0)
        mailbox.store64(UInt64(REALM_MBX_HOST_MAGIC_VALUE), at: Int(REALM_MBX_HOST_MAGIC))
        var seed = UnsafePointer<UInt64>(bitPattern: UInt(challengeSeedAddress))!.pointee
        if seed == 0 { seed = read_cntpct_el0() | 1 }
        mailbox.store64(seed, at: Int(REALM_MBX_CHALLENGE_SEED))
        for i in 0..<Int(REALM_MBX_MESSAGE_BYTES) { mailbox.store8(messageByte(i), at: Int(REALM_MBX_HOST_MESSAGE) + i) }
        if vm.mode == UInt64(REALM_MODE_FULL) {
            var line = LogLine("[host] vmm: attestation challenge seed ")
            line.hex(seed, digits: 16)
            line.append(" (challenge = SHA-512 of its 8 little-endian bytes)")
            console.print(line)
        }
    }

    /// The normal world cannot read or write a delegated granule (the pool is secure-only RAM).
    static func probeDelegated(_ checks: inout CheckRecorder, _ vm: RealmVM, pool: (base: UInt64, size: UInt64)) {
        guard SecureMemoryChecks.isSecureRAM(pool.base) else {
            console.print("[host] vmm: the pool is in DRAM, which QEMU does not protect: normal-world probes of realm granules skipped")
            return
        }
        let rdRead = probe(vm.rd, write: false)
        checks.expect("vmm isolation: normal-world read of the realm's RD faults", rdRead.faulted, rdRead.detail)
        let dataRead = probe(vm.dataBase, write: false)
        checks.expect("vmm isolation: normal-world read of the realm's first DATA granule faults", dataRead.faulted, dataRead.detail)
        let dataWrite = probe(vm.dataBase, write: true)
        checks.expect("vmm isolation: normal-world write of the realm's first DATA granule faults", dataWrite.faulted, dataWrite.detail)
        var probed: UInt64 = 0
        var faulted: UInt64 = 0
        var firstReadable: UInt64? = nil
        vm.forEachGranule { granule in
            probed += 1
            if probe(granule, write: false).faulted {
                faulted += 1
            } else if firstReadable == nil {
                firstReadable = granule
            }
        }
        var line = LogLine(": ")
        line.decimal(faulted)
        line.append(" of ")
        line.decimal(probed)
        if let firstReadable {
            line.append("; readable: ")
            line.hex(firstReadable)
        }
        checks.expect("vmm isolation: normal-world reads of every granule of the realm fault (RD, RTTs, DATA, RECs, aux)",
                      probed > 0 && faulted == probed, line)
    }

    static func probe(_ address: UInt64, write: Bool) -> (faulted: Bool, detail: LogLine) {
        let access = SecureMemoryChecks.probeAccess(address, write: write)
        var detail = LogLine(": ")
        if faultTaken {
            detail.append("ESR_EL2 ")
            detail.hex(faultSyndrome, digits: 8)
        } else {
            detail.append(write ? "the write went through" : "read ")
            if !write { detail.hex(access.value) }
        }
        return (access.faulted, detail)
    }

    /// The second realm cannot be given any of the first realm's granules.
    static func refuseFirstRealmGranules(_ checks: inout CheckRecorder, first: RealmVM, second: RealmVM) {
        let data = first.dataBase
        checks.expectEqual("vmm isolation: DATA_CREATE into the second realm with the first realm's DATA granule: RMI_ERROR_INPUT",
                           RMI.dataCreate(rd: second.rd, data: data, ipa: second.ramBase, source: RealmVM.imageSource, flags: 1).x0,
                           RMIStatusCode.errorInput)
        checks.expectEqual("vmm isolation: DATA_CREATE_UNKNOWN into the second realm with the first realm's RD: RMI_ERROR_INPUT",
                           RMI.dataCreateUnknown(rd: second.rd, data: first.rd, ipa: second.ramBase).x0, RMIStatusCode.errorInput)
        checks.expectEqual("vmm isolation: RTT_CREATE in the second realm with the first realm's RTT: RMI_ERROR_INPUT",
                           RMI.rttCreate(rd: second.rd, rtt: first.rtts[1], ipa: second.ramBase & ~0x1F_FFFF + 0x20_0000, level: 3).x0,
                           RMIStatusCode.errorInput)
        checks.expectEqual("vmm isolation: RTT_MAP_UNPROTECTED of the first realm's DATA granule: RMI_ERROR_INPUT",
                           RMI.rttMapUnprotected(rd: second.rd, ipa: RealmVM.unprotectedBase + 0x10000, level: 3,
                                                 descriptor: data | RMI.sharedMemoryAttributes).x0,
                           RMIStatusCode.errorInput)
        let params = NonSecurePage(index: 5)
        params.clear()
        checks.expectEqual("vmm isolation: REC_CREATE in the second realm on the first realm's REC granule: RMI_ERROR_INPUT",
                           RMI.recCreate(rd: second.rd, rec: first.recs[0], params: params.address).x0, RMIStatusCode.errorInput)
        checks.expectEqual("vmm isolation: REALM_CREATE on the first realm's RD: RMI_ERROR_INPUT",
                           RMI.realmCreate(rd: first.rd, params: NonSecurePage(index: 4).address).x0, RMIStatusCode.errorInput)
    }

    static func teardown(_ checks: inout CheckRecorder, _ vm: RealmVM, second: Bool) {
        var failure: LogLine? = nil
        do throws(VMMError) {
            try vm.destroy()
        } catch {
            failure = error.detail
        }
        if second {
            checks.expect("vmm: second realm torn down in the specification's order", failure == nil, failure ?? LogLine())
        } else {
            checks.expect("vmm: teardown: REC_DESTROY, DATA_DESTROY, RTT_UNMAP_UNPROTECTED, RTT_DESTROY leaves first, REALM_DESTROY",
                          failure == nil, failure ?? LogLine())
        }
        failure = nil
        do throws(VMMError) {
            try vm.undelegateAll()
        } catch {
            failure = error.detail
        }
        if second {
            checks.expect("vmm: every granule of the second realm undelegated", failure == nil, failure ?? LogLine())
        } else {
            checks.expect("vmm: every granule of the realm undelegated", failure == nil, failure ?? LogLine())
        }
        if failure == nil {
            console.print(second ? "[host] vmm: second realm destroyed" : "[host] vmm: realm destroyed, its memory back in the normal world")
        }
    }
}
