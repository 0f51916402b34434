// One TMM instance on its own fake machine, with helpers that play the host's part. Every test
// makes its own, so tests run in parallel without sharing anything.

@testable import TMMCore

/// Return codes as the specification writes them (DEN0137 RmiStatusCode): status in [7:0],
/// index in [15:8].
enum Status {
    static let success: UInt64 = 0
    static let input: UInt64 = 1
    static func realm(_ index: UInt64 = 0) -> UInt64 { 2 | index << 8 }
    static let rec: UInt64 = 3
    static func rtt(_ level: UInt64) -> UInt64 { 4 | level << 8 }
}

struct RealmParams {
    var flags: UInt64 = 0
    var s2sz: UInt64 = 40
    var sveVL: UInt64 = 0
    var numBPs: UInt64 = 2
    var numWPs: UInt64 = 2
    var pmuNumCounters: UInt64 = 0
    var hashAlgorithm: UInt8 = 0
    var rpv: [UInt8] = Array(repeating: 0, count: 64)
    var vmid: UInt64 = 1
    var rttBase: UInt64 = 0
    var rttLevelStart: Int64 = 1
    var rttNumStart: UInt64 = 2
}

struct RECParams {
    var flags: UInt64 = 1
    var mpidr: UInt64 = 0
    var pc: UInt64 = 0x8000_0000
    var gprs: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]
    var numAux: UInt64 = 4
    var aux: [UInt64] = []
}

/// The handle of a realm the harness created.
struct TestRealm {
    var rd: UInt64
    var params: RealmParams
    var parSize: UInt64 { 1 << (params.s2sz - 1) }
}

final class Harness {
    static let defaultCapabilities = PlatformCapabilities(
        maxIPAWidth: 48, breakpoints: 6, watchpoints: 4, gicListRegisters: 4, vmidWidth: 8)

    let machine: FakeMachine
    let tmm: TMM<FakeHardware>
    let capabilities: PlatformCapabilities
    /// Next free pool granule handed out by `freshGranule()`, counting down from the top of
    /// pool A (the bottom 2 MiB stay free for block tests).
    private var nextFree: Int
    private var nextNS: Int = 0

    /// `poolAGranules` limits how much of pool A the TMM is given (small pools make random
    /// tests collide more and check faster).
    init(capabilities: PlatformCapabilities = Harness.defaultCapabilities, poolAGranules: Int = 1024) {
        var pool = MemoryRanges()
        pool.append(base: FakeMachine.poolA.base, size: UInt64(poolAGranules) * 4096)
        pool.append(base: FakeMachine.poolB.base, size: FakeMachine.poolB.size)
        var ns = MemoryRanges()
        ns.append(base: FakeMachine.normalWorld.base, size: FakeMachine.normalWorld.size)
        let bytes = TMM<FakeHardware>.requiredStorageBytes(pool: pool, vmidWidth: capabilities.vmidWidth)
        machine = FakeMachine(storageBytes: bytes)
        self.capabilities = capabilities
        nextFree = poolAGranules - 1
        let config = TMMConfiguration(securePool: pool, normalWorldMemory: ns, capabilities: capabilities,
                                      storage: machine.storage, storageBytes: bytes)
        tmm = TMM(configuration: config, hardware: FakeHardware(machine: machine))!
    }

    // MARK: calls

    @discardableResult
    func call(_ fid: RMIFunctionID, _ a: UInt64 = 0, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0,
              _ e: UInt64 = 0, _ f: UInt64 = 0) -> RMIResult {
        tmm.handle(fid: fid.rawValue, arguments: RMIArguments(a, b, c, d, e, f))
    }

    // MARK: addresses

    /// Pool granule `i` of range A (0...1023).
    static func pool(_ i: Int) -> UInt64 { FakeMachine.poolA.base + UInt64(i) * 4096 }
    static func poolB(_ i: Int) -> UInt64 { FakeMachine.poolB.base + UInt64(i) * 4096 }
    static func ns(_ i: Int) -> UInt64 { FakeMachine.normalWorld.base + UInt64(i) * 4096 }

    /// A pool granule no other helper call has handed out (from the top of pool A).
    func freshGranule() -> UInt64 {
        defer { nextFree -= 1 }
        return Self.pool(nextFree)
    }

    func freshNS() -> UInt64 {
        defer { nextNS += 1 }
        return Self.ns(nextNS)
    }

    func delegated() -> UInt64 {
        let g = freshGranule()
        precondition(call(.granuleDelegate, g).x0 == Status.success)
        return g
    }

    // MARK: host structures

    func writeRealmParams(_ p: RealmParams, at pa: UInt64) {
        machine.fill(pa, with: Array(repeating: 0, count: 4096))
        machine.write64(pa + 0x000, p.flags)
        machine.write64(pa + 0x008, p.s2sz)
        machine.write64(pa + 0x010, p.sveVL)
        machine.write64(pa + 0x018, p.numBPs)
        machine.write64(pa + 0x020, p.numWPs)
        machine.write64(pa + 0x028, p.pmuNumCounters)
        machine.fill(pa + 0x030, with: [p.hashAlgorithm])
        machine.fill(pa + 0x400, with: p.rpv)
        machine.write64(pa + 0x800, p.vmid)
        machine.write64(pa + 0x808, p.rttBase)
        machine.write64(pa + 0x810, UInt64(bitPattern: p.rttLevelStart))
        machine.write64(pa + 0x818, p.rttNumStart)
    }

    func writeRECParams(_ p: RECParams, at pa: UInt64) {
        machine.fill(pa, with: Array(repeating: 0, count: 4096))
        machine.write64(pa + 0x000, p.flags)
        machine.write64(pa + 0x100, p.mpidr)
        machine.write64(pa + 0x200, p.pc)
        for (i, g) in p.gprs.enumerated() { machine.write64(pa + 0x300 + UInt64(i) * 8, g) }
        machine.write64(pa + 0x800, p.numAux)
        for (i, a) in p.aux.enumerated() { machine.write64(pa + 0x808 + UInt64(i) * 8, a) }
    }

    // MARK: common setups

    /// Delegates the RD and starting-level RTTs and creates a realm; `configure` may change
    /// the parameters first (rttBase is filled in when left 0).
    func createRealm(_ configure: (inout RealmParams) -> Void = { _ in }) -> TestRealm {
        var p = RealmParams()
        configure(&p)
        if p.rttBase == 0 {
            // Consecutive granules, counting down: the last `count` delegated form the block, whose
            // base (the lowest) must be aligned to the block's size when tables are concatenated.
            let count = max(Int(p.rttNumStart), 1)
            var base = delegated()
            for _ in 1..<count { base = delegated() }
            while base % (UInt64(count) * 4096) != 0 { base = delegated() }
            p.rttBase = base
        }
        let rd = delegated()
        let params = freshNS()
        writeRealmParams(p, at: params)
        let r = call(.realmCreate, rd, params)
        precondition(r.x0 == Status.success, "realm create failed: \(r)")
        return TestRealm(rd: rd, params: p)
    }

    /// Creates the RTTs from the starting level + 1 down to `level` that cover `ipa`.
    func createTables(_ realm: TestRealm, ipa: UInt64, downTo level: Int) {
        var l = Int(realm.params.rttLevelStart) + 1
        while l <= level {
            let size: UInt64 = 1 << (12 + 9 * UInt64(4 - l))
            let r = call(.rttCreate, realm.rd, delegated(), ipa & ~(size - 1), UInt64(l))
            precondition(r.x0 == Status.success || r.x0 == Status.rtt(UInt64(l - 1)), "rtt create: \(r)")
            l += 1
        }
    }

    func readEntry(_ realm: TestRealm, _ ipa: UInt64, level: Int) -> RMIResult {
        call(.rttReadEntry, realm.rd, ipa, UInt64(level))
    }

    func createREC(_ realm: TestRealm, rec name: UInt64? = nil, _ configure: (inout RECParams) -> Void = { _ in })
        -> (rec: UInt64, result: RMIResult, params: RECParams) {
        var p = RECParams()
        p.aux = (0..<4).map { _ in delegated() }
        configure(&p)
        let rec = name ?? delegated()
        let pa = freshNS()
        writeRECParams(p, at: pa)
        return (rec, call(.recCreate, realm.rd, rec, pa), p)
    }

    // MARK: inspection

    /// The secure address of the granule the host address `name` names now: a pool granule
    /// named by its own address when it is not bound, or the pool granule a delegated
    /// normal-world address is bound to.
    func secure(_ name: UInt64) -> UInt64? {
        guard let c = tmm.candidate(name), tmm.bindings.name(of: c.index) == c.key else { return nil }
        return tmm.granules.pool.granuleAddress(at: c.index)!.value
    }

    /// The state of the granule `name` names (nil: it names none).
    func state(_ name: UInt64) -> GranuleState? {
        guard let pa = secure(name) else { return nil }
        return secureState(pa)
    }

    /// The state of the pool granule at secure address `pa`, bound or not.
    func secureState(_ pa: UInt64) -> GranuleState? {
        guard let i = tmm.granules.index(of: PhysicalAddress(pa)) else { return nil }
        return tmm.granules.descriptor(at: i).state
    }

    func refcount(_ name: UInt64) -> UInt32 {
        tmm.granules.descriptor(at: tmm.granules.index(of: PhysicalAddress(secure(name)!))!).refcount
    }

    /// The memory of the granule `name` names.
    func pointer(_ name: UInt64) -> UnsafeMutableRawPointer? {
        secure(name).flatMap { machine.pointer($0) }
    }

    /// A normal-world granule the host delegated (bound to a free pool granule), as a kernel
    /// page handed to GRANULE_DELEGATE. Its own content is a pattern the tests check stays.
    func delegatedNS() -> UInt64 {
        let g = freshNS()
        machine.fill(g, with: Array(repeating: 0xA5, count: 4096))
        precondition(call(.granuleDelegate, g).x0 == Status.success)
        return g
    }

    func rim(_ realm: TestRealm) -> [UInt8] { machine.bytes(secure(realm.rd)! + rimOffset, count: 64) }

    /// Offset of slot 0 in the RD (the test reads the RD's memory as the TMM stores it).
    var rimOffset: UInt64 { UInt64(MemoryLayout<RealmDescriptor>.offset(of: \RealmDescriptor.measurements)!) }

    func checkInvariants() -> [String] { InvariantChecker(harness: self).violations() }
}
