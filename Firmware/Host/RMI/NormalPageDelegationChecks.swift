import AArch64
import HostStorage

// A realm built and run out of the host's own DRAM pages, the way Linux KVM builds one from
// __get_free_page: every granule (RD, RTTs, REC, aux, DATA) is an ordinary page of the host's
// memory, taken from a buffer in its .bss every third page in a shuffled order, and given to
// GRANULE_DELEGATE as it is (Docs/delegation.md). Only the two starting-level RTTs are one
// contiguous, aligned block, as a kernel allocates them. The realm's code
//   ldr x1, [x2]     x2 = IPA 0x1000, a DATA page holding a value the host chose
//   str x1, [x3]     x3 = the first unprotected IPA, mapped nowhere: an MMIO exit
//   b .
// shows it ran from those pages: the exit carries the value (RecExit.gprs[0]). Afterwards each
// host page still holds what the host wrote before delegating it, and nothing of the realm's.

enum NormalPageDelegationChecks {
    private static let code: InlineArray<3, UInt32> = [0xF940_0041, 0xF900_0061, 0x1400_0000]
    private static let secret: UInt64 = 0x5EC2_E7DA_7A00_0001
    private static let hostPattern: UInt64 = 0x4057_4057_4057_0000
    private static let unprotectedIPA: UInt64 = 1 << 39

    /// Pages 0 and 1: the starting tables. The others: every third page from page 3 on, in an
    /// order that jumps about (7 is coprime to the 15 candidates).
    private static func scatteredPage(_ i: Int) -> UInt64 {
        UInt64(UInt(bitPattern: host_kernel_page(UInt64(3 + 3 * ((i * 7) % 15)))))
    }

    private static func fill(_ page: UInt64, with seed: UInt64) {
        let p = UnsafeMutableRawPointer(bitPattern: UInt(page))!
        for i in 0..<512 { p.storeBytes(of: seed | UInt64(i), toByteOffset: 8 * i, as: UInt64.self) }
    }

    private static func holds(_ page: UInt64, _ seed: UInt64) -> Bool {
        let p = UnsafeMutableRawPointer(bitPattern: UInt(page))!
        for i in 0..<512 where p.load(fromByteOffset: 8 * i, as: UInt64.self) != seed | UInt64(i) { return false }
        return true
    }

    /// The realm runs where its DATA can be host pages (the S-EL2 image; Docs/el3-realms.md).
    static func run(_ checks: inout CheckRecorder) {
        let startTables = UInt64(UInt(bitPattern: host_kernel_page(0)))
        // RD, L2, L3, code, value, REC, 4 aux: scattered pages 0...9.
        let rd = scatteredPage(0), rttL2 = scatteredPage(1), rttL3 = scatteredPage(2)
        let codePage = scatteredPage(3), valuePage = scatteredPage(4), rec = scatteredPage(5)
        var granules = InlineArray<12, UInt64>(repeating: 0)
        granules[0] = startTables
        granules[1] = startTables + 0x1000
        for i in 0..<10 { granules[2 + i] = scatteredPage(i) }

        var ok = true
        for i in granules.indices {
            fill(granules[i], with: hostPattern | UInt64(i) << 12)
            ok = ok && RMI.granuleDelegate(granules[i]).succeeded
        }
        checks.expect("normal pages: GRANULE_DELEGATE of 12 of the host's own DRAM pages, scattered", ok)
        checks.expectEqual("normal pages: GRANULE_DELEGATE of a page delegated already: RMI_ERROR_INPUT",
                           RMI.granuleDelegate(rd).x0, RMIStatusCode.errorInput)
        var untouched = true
        for i in granules.indices { untouched = untouched && holds(granules[i], hostPattern | UInt64(i) << 12) }
        checks.expect("normal pages: a delegated page still reads as what the host wrote", untouched)

        let params = NonSecurePage(index: 4)
        params.writeRealmParams(ipaWidth: 40, features: RMIFeatures(RMI.features(0).x1), rpv: nil, vmid: 3,
                                startTables: startTables, startLevel: 1, startTableCount: 2)
        checks.expectEqual("normal pages: a realm parameter page that is delegated: RMI_ERROR_INPUT",
                           RMI.realmCreate(rd: rd, params: rd).x0, RMIStatusCode.errorInput)
        checks.expectEqual("normal pages: REALM_CREATE with an RD and starting RTTs of host pages",
                           RMI.realmCreate(rd: rd, params: params.address).x0, RMIStatusCode.success)
        ok = RMI.rttCreate(rd: rd, rtt: rttL2, ipa: 0, level: 2).succeeded
        ok = ok && RMI.rttCreate(rd: rd, rtt: rttL3, ipa: 0, level: 3).succeeded
        ok = ok && RMI.rttInitRIPAS(rd: rd, base: 0, top: 0x2000).succeeded
        let source = NonSecurePage(index: 5)
        source.clear()
        for i in code.indices {
            UnsafeMutableRawPointer(bitPattern: UInt(source.address))!.storeBytes(of: code[i], toByteOffset: 4 * i, as: UInt32.self)
        }
        // Without stage 2 (the EL3 image) a DATA granule's IPA must be the address of the secure
        // granule behind it, which a host page's name does not tell (Docs/el3-realms.md).
        let identity = RealmPlacement.identity
        if identity {
            checks.expect("normal pages: RTT_CREATE x2, RTT_INIT_RIPAS with RTTs of host pages", ok)
            checks.expectEqual("normal pages: DATA_CREATE into a host page without stage 2 (identity placement): RMI_ERROR_INPUT",
                               RMI.dataCreate(rd: rd, data: codePage, ipa: 0, source: source.address, flags: 1).x0,
                               RMIStatusCode.errorInput)
        } else {
            ok = ok && RMI.dataCreate(rd: rd, data: codePage, ipa: 0, source: source.address, flags: 1).succeeded
            source.clear()
            source.store64(secret, at: 0)
            ok = ok && RMI.dataCreate(rd: rd, data: valuePage, ipa: 0x1000, source: source.address, flags: 1).succeeded
            checks.expect("normal pages: RTT_CREATE x2, RTT_INIT_RIPAS, DATA_CREATE x2 into host pages", ok)

            let entry = RMI.rttReadEntry(rd: rd, ipa: 0x1000, level: 3)
            checks.expect("normal pages: RTT_READ_ENTRY reports the host's page as the DATA address",
                          entry.succeeded && entry.x1 == 3 && entry.x3 == valuePage)
        }
        let table = RMI.rttReadEntry(rd: rd, ipa: 0, level: 2)
        checks.expect("normal pages: RTT_READ_ENTRY reports the host's page as the next-level RTT",
                      table.succeeded && table.x2 == 2 && table.x3 == rttL3)

        let recParams = NonSecurePage(index: 6)
        recParams.writeRecParams(runnable: true, mpidr: 0, pc: 0, auxBase: 0, auxCount: 4)
        for i in 0..<4 { recParams.store64(scatteredPage(6 + i), at: 0x808 + 8 * i) }
        recParams.store64(0x1000, at: 0x310)            // x2
        recParams.store64(unprotectedIPA, at: 0x318)    // x3
        ok = RMI.recCreate(rd: rd, rec: rec, params: recParams.address).succeeded
        ok = ok && RMI.realmActivate(rd: rd).succeeded
        checks.expect("normal pages: REC_CREATE with a REC and aux granules of host pages, REALM_ACTIVATE", ok)

        if identity {
            console.print("[host] SKIP normal pages: the realm run (no DATA in host pages without stage 2: identity placement)")
        } else {
            let run = NonSecurePage(index: 7)
            run.clear()
            let entered = RMI.recEnter(rec: rec, run: run.address)
            var detail = LogLine(": exit ")
            detail.decimal(run.load64(at: RecRun.exitReason))
            detail.append(" ESR ")
            detail.hex(run.load64(at: RecRun.exitESR))
            detail.append(" value ")
            detail.hex(run.load64(at: RecRun.exitGPRs))
            checks.expect("normal pages: the realm runs from them and reads its DATA (MMIO exit carries the value)",
                          entered.succeeded && run.load64(at: RecRun.exitReason) == RecRun.sync
                          && run.load64(at: RecRun.exitESR) >> 26 == 0x24 && run.load64(at: RecRun.exitGPRs) == secret,
                          detail)
        }

        var torn = RMI.recDestroy(rec: rec).succeeded
        if identity {
            let l3 = RMI.rttDestroy(rd: rd, ipa: 0, level: 3)
            let l2 = RMI.rttDestroy(rd: rd, ipa: 0, level: 2)
            checks.expect("normal pages: RTT_DESTROY reports the host's pages",
                          l3.succeeded && l3.x1 == rttL3 && l2.succeeded && l2.x1 == rttL2)
        } else {
            let code = RMI.dataDestroy(rd: rd, ipa: 0)
            let value = RMI.dataDestroy(rd: rd, ipa: 0x1000)
            let l3 = RMI.rttDestroy(rd: rd, ipa: 0, level: 3)
            let l2 = RMI.rttDestroy(rd: rd, ipa: 0, level: 2)
            checks.expect("normal pages: DATA_DESTROY and RTT_DESTROY report the host's pages",
                          code.succeeded && code.x1 == codePage && value.succeeded && value.x1 == valuePage
                          && l3.succeeded && l3.x1 == rttL3 && l2.succeeded && l2.x1 == rttL2)
        }
        torn = torn && RMI.realmDestroy(rd: rd).succeeded
        for i in granules.indices { torn = torn && RMI.granuleUndelegate(granules[i]).succeeded }
        checks.expect("normal pages: the realm is torn down and every page undelegated", torn)
        untouched = true
        for i in granules.indices { untouched = untouched && holds(granules[i], hostPattern | UInt64(i) << 12) }
        checks.expect("normal pages: no page holds anything of the realm's; each holds what the host wrote", untouched)
    }
}
