// The fixed RMI sequence of issue 13, run once on BenchHardware with every command counted by
// callgrind (count.py runs it and prints the table). The core is reached as the firmware
// reaches it (Firmware/TMM/TMMService.swift tmmHandleRMI): through a pointer to the one TMM
// value, with the FID and arguments opaque to the optimiser. Every result is checked after
// counting stops; a failure ends the run with a message, so a table is only printed for a
// sequence that did what it says.

import RMICount

nonisolated(unsafe) var rmiCore: UnsafeMutablePointer<TMM<BenchHardware>>? = nil

@inline(never)
func handleRMI(_ fid: UInt64, _ a: RMIArguments) -> RMIResult {
    guard let core = rmiCore else { return RMIResult(x0: 1) }
    return core.pointee.handle(fid: fid, arguments: a)
}

/// Runs one command under the counter, labelled `label`; stops the program unless x0 is
/// `expect` (RMI_SUCCESS by default).
@discardableResult
func counted(_ label: StaticString, _ fid: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0,
             _ x4: UInt64 = 0, _ x5: UInt64 = 0, expect: UInt64 = 0) -> RMIResult {
    let args = RMIArguments(rmi_count_opaque(x1), rmi_count_opaque(x2), rmi_count_opaque(x3),
                            rmi_count_opaque(x4), rmi_count_opaque(x5), 0)
    let f = rmi_count_opaque(fid)
    let name = UnsafeRawPointer(label.utf8Start).assumingMemoryBound(to: CChar.self)
    rmi_count_begin()
    let r = handleRMI(f, args)
    rmi_count_end(name)
    if r.x0 != expect {
        print("rmi-count: \(label) returned x0 = \(r.x0), expected \(expect): the sequence is broken")
        exit(1)
    }
    return r
}

@_silgen_name("exit")
func exit(_ status: Int32) -> Never

@main
enum RMISequence {
    static let poolBase: UInt64 = 0x1000_0000
    static let poolSize: UInt64 = 4 << 20
    // The fake machine's own addresses, no platform's.
    static let nsBase: UInt64 = 0x2_0000_0000
    static let nsSize: UInt64 = 4 << 20

    static func main() {
        let pool = BenchRegion(base: poolBase, size: poolSize)
        let ns = BenchRegion(base: nsBase, size: nsSize)
        var poolRanges = MemoryRanges()
        poolRanges.append(base: poolBase, size: poolSize)
        var nsRanges = MemoryRanges()
        nsRanges.append(base: nsBase, size: nsSize)
        let caps = PlatformCapabilities(maxIPAWidth: 48, breakpoints: 6, watchpoints: 4, gicListRegisters: 4, vmidWidth: 8)
        let bytes = TMM<BenchHardware>.requiredStorageBytes(pool: poolRanges, vmidWidth: caps.vmidWidth)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        let config = TMMConfiguration(securePool: poolRanges, normalWorldMemory: nsRanges, capabilities: caps,
                                      storage: storage, storageBytes: bytes)
        guard let tmm = TMM(configuration: config, hardware: BenchHardware(pool: pool, normalWorld: ns)) else {
            print("rmi-count: the TMM refused its configuration")
            exit(1)
        }
        let home = UnsafeMutablePointer<TMM<BenchHardware>>.allocate(capacity: 1)
        home.initialize(to: tmm)
        rmiCore = home

        // What the counter costs by itself: subtracted from every command by count.py.
        let empty: StaticString = "(empty)"
        for _ in 0..<3 {
            let name = UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
            rmi_count_begin()
            rmi_count_end(name)
        }

        func granule(_ i: Int) -> UInt64 { poolBase + UInt64(i) << 12 }
        func host(_ i: Int) -> UInt64 { nsBase + UInt64(i) << 12 }
        func store(_ pa: UInt64, _ offset: Int, _ value: UInt64) {
            ns.pointer(pa).storeBytes(of: value, toByteOffset: offset, as: UInt64.self)
        }

        // Granules: 0-1 the concatenated level-1 starting tables (aligned to two granules),
        // 2 the RD, 3-4 RTTs at levels 2 and 3, 5-9 DATA, 10 the REC, 11-14 its aux granules.
        let rootRTT = granule(0), rd = granule(2), rtt2 = granule(3), rtt3 = granule(4)
        let data = (5...9).map(granule), rec = granule(10), aux = (11...14).map(granule)
        // Host pages: realm parameters, REC parameters, RmiRecRun, DATA_CREATE's source.
        let realmParams = host(0), recParams = host(1), run = host(2), source = host(3)
        store(realmParams, 0x008, 40)          // s2sz: IPA width 40
        store(realmParams, 0x018, 2)           // num_bps
        store(realmParams, 0x020, 2)           // num_wps
        store(realmParams, 0x030, 0)           // hash_algo: SHA-256
        store(realmParams, 0x800, 1)           // vmid
        store(realmParams, 0x808, rootRTT)     // rtt_base
        store(realmParams, 0x810, 1)           // rtt_level_start
        store(realmParams, 0x818, 2)           // rtt_num_start
        store(recParams, 0x000, 1)             // flags: RUNNABLE
        store(recParams, 0x200, 0x8000_0000)   // pc
        for i in 0..<8 { store(recParams, 0x300 + 8 * i, UInt64(i + 1)) }
        store(recParams, 0x800, 4)             // num_aux
        for (i, a) in aux.enumerated() { store(recParams, 0x808 + 8 * i, a) }
        for i in 0..<512 { store(source, 8 * i, 0x0123_4567_89AB_CDEF &* UInt64(i + 1)) }

        counted("VERSION", RMIFunctionID.version.rawValue, 0x1_0000)
        let delegated = [rootRTT, granule(1), rd, rtt2, rtt3] + data + [rec] + aux
        for g in delegated { counted("GRANULE_DELEGATE", RMIFunctionID.granuleDelegate.rawValue, g) }
        counted("REALM_CREATE", RMIFunctionID.realmCreate.rawValue, rd, realmParams)
        counted("RTT_CREATE", RMIFunctionID.rttCreate.rawValue, rd, rtt2, 0, 2)
        counted("RTT_CREATE", RMIFunctionID.rttCreate.rawValue, rd, rtt3, 0, 3)
        counted("RTT_INIT_RIPAS", RMIFunctionID.rttInitRIPAS.rawValue, rd, 0, 0x5000)
        for i in 0..<4 { counted("DATA_CREATE", RMIFunctionID.dataCreate.rawValue, rd, data[i], UInt64(i) << 12, source, 1) }
        counted("DATA_CREATE_UNKNOWN", RMIFunctionID.dataCreateUnknown.rawValue, rd, data[4], 0x4000)
        counted("REC_CREATE", RMIFunctionID.recCreate.rawValue, rd, rec, recParams)
        counted("REALM_ACTIVATE", RMIFunctionID.realmActivate.rawValue, rd)
        for _ in 0..<3 {
            counted("REC_ENTER", RMIFunctionID.recEnter.rawValue, rec, run)
            guard ns.pointer(run).load(fromByteOffset: 0x800, as: UInt64.self) == 1 else {
                print("rmi-count: REC_ENTER did not report an IRQ exit")
                exit(1)
            }
        }
        for i in 0..<5 { counted("DATA_DESTROY", RMIFunctionID.dataDestroy.rawValue, rd, UInt64(i) << 12) }
        counted("RTT_DESTROY", RMIFunctionID.rttDestroy.rawValue, rd, 0, 3)
        counted("RTT_DESTROY", RMIFunctionID.rttDestroy.rawValue, rd, 0, 2)
        counted("REC_DESTROY", RMIFunctionID.recDestroy.rawValue, rec)
        counted("REALM_DESTROY", RMIFunctionID.realmDestroy.rawValue, rd)
        for g in delegated { counted("GRANULE_UNDELEGATE", RMIFunctionID.granuleUndelegate.rawValue, g) }
        print("rmi-count: sequence complete")
    }
}
