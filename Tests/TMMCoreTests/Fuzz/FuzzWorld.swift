// One TMM on the fake machine as the fuzz targets drive it: every call goes through
// `perform`, which runs the oracles after it (Docs/fuzzing.md):
// - the result is one the specification lists for the command (SpecReturnCodes);
// - the invariant checker finds nothing;
// - a granule that changes owner carries nothing of its previous owner: it is zero when it
//   becomes DELEGATED or UNDELEGATED or DATA of unknown content, and holds the source page
//   when it becomes DATA by DATA_CREATE;
// - normal-world memory changes only where the command says it writes: REC_ENTER's
//   RmiRecExit, nothing else.
// The world remembers what earlier calls created so that later calls can name it.

#if canImport(Glibc)
import Glibc
#endif
@testable import TMMCore

/// Per-function reach and success counts over a run (printed at the end of a campaign).
struct FuzzStats {
    var calls: [UInt64: Int] = [:]
    var successes: [UInt64: Int] = [:]
    /// Realm SMCs (RSI, PSCI, SMCCC) the core answered, by function.
    var realmCalls: [UInt64: Int] = [:]
    var realmRuns = 0
    /// `mmio`: instruction words given to the decoder, and how many it decoded.
    var mmioDecodes = 0
    var mmioDecoded = 0

    mutating func add(_ other: FuzzStats) {
        calls.merge(other.calls, uniquingKeysWith: +)
        successes.merge(other.successes, uniquingKeysWith: +)
        realmCalls.merge(other.realmCalls, uniquingKeysWith: +)
        realmRuns += other.realmRuns
        mmioDecodes += other.mmioDecodes
        mmioDecoded += other.mmioDecoded
    }

    var report: String {
        var lines: [String] = []
        for id in SpecReturnCodes.rmi.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            lines.append("RMI \(hex(id.rawValue)) \(id): \(calls[id.rawValue, default: 0]) calls, \(successes[id.rawValue, default: 0]) succeeded")
        }
        for f in SpecReturnCodes.rsiFunctions {
            lines.append("RSI \(hex(f)): \(realmCalls[f, default: 0]) answered")
        }
        let psci = realmCalls.filter { $0.key & 0xFFFF_0000 == 0x8400_0000 || $0.key & 0xFFFF_FF00 == 0xC400_0000 }
        lines.append("PSCI/SMCCC: " + psci.keys.sorted().map { "\(hex($0))=\(psci[$0]!)" }.joined(separator: " "))
        lines.append("realm runs: \(realmRuns)")
        lines.append("MMIO instructions: \(mmioDecodes) decoded, \(mmioDecoded) loads or stores")
        return lines.joined(separator: "\n")
    }

    /// RMI commands and RSI functions never reached.
    var unreached: [String] {
        SpecReturnCodes.rmi.keys.filter { calls[$0.rawValue, default: 0] == 0 }.map { "RMI \($0)" }
            + SpecReturnCodes.rsiFunctions.filter { realmCalls[$0, default: 0] == 0 }.map { "RSI \(hex($0))" }
    }
}

/// An oracle failed: the message names the call and what broke.
struct FuzzFinding: Error, CustomStringConvertible {
    var description: String
}

final class FuzzWorld {
    let h: Harness
    var stats = FuzzStats()
    var realms: [(rd: UInt64, s2sz: UInt64, start: Int64)] = []
    var recs: [(rec: UInt64, rd: UInt64)] = []
    var rtts: [UInt64] = []
    var nextMPIDR: [UInt64: UInt64] = [:]
    /// Per REC: the SMC it made before it last exited to the host, answered when it runs again.
    var lastRealmCall: [UInt64: (fid: UInt64, pc: UInt64)] = [:]
    /// Calls made; an input's sequence is cut off at `callLimit` so that every input ends fast.
    var callCount = 0
    static let callLimit = 400
    /// Print every call and its result (TMM_FUZZ_TRACE=1 when replaying one input).
    nonisolated(unsafe) static var trace = false

    static let poolGranules = 64
    /// Normal-world pages the world uses: names to delegate, then fixed places for the
    /// command structures. The oracle watches all of them and the last page of DRAM.
    static let namePages = 0..<12
    static let realmParamsPage = Harness.ns(16)
    static let recParamsPage = Harness.ns(17)
    static let runPages = [Harness.ns(18), Harness.ns(20)]
    static let sourcePage = Harness.ns(19)
    static let unprotectedPages = (21..<24).map { Harness.ns($0) }
    static let watched: [UInt64] = (0..<24).map { Harness.ns($0) } + [Harness.ns(1023)]

    /// The platform attestation material: a RAK derived once (a P-384 key pair is slow to make).
    nonisolated(unsafe) static let attestation: (key: RealmAttestationKey, platformToken: [UInt8]) = {
        let secret = [UInt8](repeating: 0x5A, count: 48)
        let key = secret.withUnsafeBytes { RealmAttestationKey(derivingFrom: $0) }
        // Opaque to the realm token builder: a CBOR byte string is enough.
        return (key, [0x58, 0x20] + [UInt8](repeating: 0xC3, count: 32))
    }()

    /// `identityPlacement`: the EL3 image's platform (no stage 2, PlatformCapabilities), under
    /// which DATA and unprotected mappings placed anywhere but at their own address are refused.
    init(attestation: Bool, identityPlacement: Bool = false) {
        var capabilities = Harness.defaultCapabilities
        capabilities.identityPlacement = identityPlacement
        h = Harness(capabilities: capabilities, poolAGranules: Self.poolGranules)
        if attestation { h.machine.attestation = Self.attestation }
        h.machine.fill(Self.sourcePage, with: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) })
        for p in Self.unprotectedPages { h.machine.fill(p, with: [UInt8](repeating: 0x6B, count: 4096)) }
    }

    var machine: FakeMachine { h.machine }

    // MARK: names

    /// Granule names a command may be given: pool granules, the first granules past each pool
    /// range, delegatable normal-world pages.
    static let poolNames: [UInt64] = (0..<poolGranules).map { Harness.pool($0) } + (0..<16).map { Harness.poolB($0) }
    static let nsNames: [UInt64] = namePages.map { Harness.ns($0) }
    static let outside: [UInt64] = [Harness.pool(poolGranules), Harness.poolB(16), Harness.pool(0) - 4096,
                                    FakeMachine.tmmMemory.base, Harness.ns(1024), Harness.ns(1023)]
    static let candidates = poolNames + nsNames

    func names(in state: GranuleState) -> [UInt64] { Self.candidates.filter { h.state($0) == state } }

    // MARK: calls

    /// Runs one RMI call and every oracle after it; throws the first finding.
    @discardableResult
    func perform(_ fid: UInt64, _ a: RMIArguments) throws(FuzzFinding) -> RMIResult {
        callCount += 1
        let before = granuleStates()
        let watchedBefore = Self.watched.map { page(at: $0) }
        let runsBefore = machine.runs.count
        let r = h.tmm.handle(fid: fid, arguments: a)
        let id = RMIFunctionID(rawValue: fid & 0xFFFF_FFFF & ~(1 << 16))
        let what = "\(id.map { "\($0)" } ?? hex(fid)) \(a) -> \(r)"
        if Self.trace { print(what) }
        if let id {
            stats.calls[id.rawValue, default: 0] += 1
            if r.x0 == 0 { stats.successes[id.rawValue, default: 0] += 1 }
        }
        if let v = SpecReturnCodes.rmiViolation(fid: fid, a, r) { throw FuzzFinding(description: "\(what): \(v)") }
        let problems = h.checkInvariants()
        if !problems.isEmpty { throw FuzzFinding(description: "\(what): invariants: \(problems.prefix(5))") }
        if let v = ownershipViolation(before: before, id: id, a, r) { throw FuzzFinding(description: "\(what): \(v)") }
        for (i, page) in Self.watched.enumerated() where !samePage(page, watchedBefore[i]) {
            let now = self.page(at: page)
            let changed = (0..<4096).filter { now[$0] != watchedBefore[i][$0] }
            let isExitRecord = id == .recEnter && page == a.x2 && changed.allSatisfy { $0 >= 0x800 }
            if !isExitRecord {
                throw FuzzFinding(description: "\(what): normal-world page \(hex(page)) changed at offsets \(changed.prefix(8))")
            }
        }
        if id == .recEnter {
            stats.realmRuns += machine.runs.count - runsBefore
            if r.x0 == 0 {
                let reason = machine.read64(a.x2 + 0x800)
                if reason > 6 { throw FuzzFinding(description: "\(what): exit reason \(reason)") }
            }
        }
        if r.x0 == 0, let id { learn(id, a) }
        return r
    }

    func perform(_ id: RMIFunctionID, _ a: UInt64 = 0, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0,
                 _ e: UInt64 = 0) throws(FuzzFinding) -> RMIResult {
        try perform(id.rawValue, RMIArguments(a, b, c, d, e, 0))
    }

    /// A copy of the 4 KiB at `pa` (one memcpy: the oracle copies pages around every call).
    func page(at pa: UInt64) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: machine.pointer(pa)!, count: 4096))
    }

    func samePage(_ pa: UInt64, _ copy: [UInt8]) -> Bool {
        copy.withUnsafeBytes { memcmp(machine.pointer(pa)!, $0.baseAddress!, 4096) == 0 }
    }

    private func granuleStates() -> [GranuleState?] {
        (0..<h.tmm.granules.count).map { h.tmm.granules.descriptor(at: $0).state }
    }

    private func ownershipViolation(before: [GranuleState?], id: RMIFunctionID?, _ a: RMIArguments, _ r: RMIResult) -> String? {
        let after = granuleStates()
        for i in 0..<after.count where after[i] != before[i] {
            let pa = h.tmm.granules.pool.granuleAddress(at: i)!.value
            let state = after[i].map { "\($0)" } ?? "corrupt"
            switch after[i] {
            case .delegated?, .undelegated?:
                if !machine.isZero(pa) { return "granule \(hex(pa)) became \(state) with content left" }
            case .data? where id == .dataCreateUnknown:
                if !machine.isZero(pa) { return "DATA_CREATE_UNKNOWN granule \(hex(pa)) is not zero" }
            case .data? where id == .dataCreate:
                if page(at: pa) != page(at: a.x4) {
                    return "DATA granule \(hex(pa)) differs from its source \(hex(a.x4))"
                }
            default:
                break
            }
        }
        return nil
    }

    private func learn(_ id: RMIFunctionID, _ a: RMIArguments) {
        switch id {
        case .realmCreate:
            realms.append((a.x1, machine.read64(a.x2 + 8), Int64(bitPattern: machine.read64(a.x2 + 0x810))))
            rtts.append(machine.read64(a.x2 + 0x808))
        case .realmDestroy:
            realms.removeAll { $0.rd == a.x1 }
            recs.removeAll { $0.rd == a.x1 }
        case .recCreate:
            recs.append((a.x2, a.x1))
            nextMPIDR[a.x1, default: 0] += 1
        case .recDestroy:
            recs.removeAll { $0.rec == a.x1 }
        case .rttCreate:
            rtts.append(a.x2)
        default:
            break
        }
    }
}
