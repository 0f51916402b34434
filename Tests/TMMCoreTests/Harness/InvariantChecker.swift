// Checks, between RMI calls, that the granule table agrees with the structures that refer to
// granules (DEN0137 A2.2 and the invariants in GranuleDescriptor.swift):
// - no granule lock is held;
// - every DELEGATED granule is zero and unreferenced; UNDELEGATED granules are unreferenced;
// - every RTT, DATA, REC_AUX granule is reachable from exactly one realm, through exactly one
//   reference; every RTT's refcount is its number of live entries; an RD's refcount is its
//   number of RECs; no REC is marked running;
// - assigned_ns entries point at normal-world memory; the VMID bitmap holds exactly the VMIDs
//   of existing realms;
// - a REC waits only for requests its realm could have made (PSCI CPU_ON/AFFINITY_INFO, a
//   RIPAS change inside the protected range, a host call at an aligned protected IPA).
// It reads memory independently of the core's own helpers where it can (entry encodings are
// decoded with the core's RTTEntry, whose encoding the RTT tests check separately).

@testable import TMMCore

struct InvariantChecker {
    let harness: Harness
    private var machine: FakeMachine { harness.machine }

    func violations() -> [String] {
        var problems: [String] = []
        var references: [UInt64: Int] = [:]
        var expectedState: [UInt64: GranuleState] = [:]
        var expectedRefcount: [UInt64: UInt32] = [:]
        var recsPerRealm: [UInt64: UInt32] = [:]
        var vmidsInUse: Set<UInt64> = []

        func reference(_ pa: UInt64, as state: GranuleState, from what: String) {
            references[pa, default: 0] += 1
            if references[pa]! > 1 { problems.append("\(hex(pa)) referenced twice (\(what))") }
            expectedState[pa] = state
        }

        var all: [(UInt64, GranuleDescriptor)] = []
        for i in 0..<harness.tmm.granules.count {
            let pa = harness.tmm.granules.pool.granuleAddress(at: i)!.value
            all.append((pa, harness.tmm.granules.descriptor(at: i)))
        }
        for (pa, d) in all where d.state == .rd {
            let realm = machine.pointer(pa)!.load(as: RealmDescriptor.self)
            vmidsInUse.insert(UInt64(realm.vmid))
            for t in 0..<Int(realm.rootTableCount) {
                let root = realm.rttBase + UInt64(t) * 4096
                reference(root, as: .rtt, from: "root of \(hex(pa))")
                walkTable(root, level: Int(realm.startLevel), realm: realm, reference: reference, problems: &problems,
                          refcounts: &expectedRefcount)
            }
        }
        for (pa, d) in all where d.state == .rec {
            let rec = machine.pointer(pa)!.load(as: RECState.self)
            recsPerRealm[rec.owner, default: 0] += 1
            if harness.secureState(rec.owner) != .rd { problems.append("REC \(hex(pa)) owner \(hex(rec.owner)) is not an RD") }
            for i in 0..<Int(rec.auxCount) { reference(rec.aux[i], as: .recAux, from: "aux of \(hex(pa))") }
            if d.refcount != 0 { problems.append("REC \(hex(pa)) left running") }
            // Requests waiting for the host are ones the realm could legitimately have made.
            if rec.psci.pending && ![0x8400_0003, 0xC400_0003, 0x8400_0004, 0xC400_0004].contains(rec.psci.function) {
                problems.append("REC \(hex(pa)) waits for PSCI_COMPLETE of \(hex(rec.psci.function))")
            }
            if harness.secureState(rec.owner) == .rd {
                let par = machine.pointer(rec.owner)!.load(as: RealmDescriptor.self).ipaSize >> 1
                let c = rec.ripasChange
                if c.isPending && !(c.base < c.top && c.top <= par && c.base <= c.next && c.next <= c.top) {
                    problems.append("REC \(hex(pa)) RIPAS request \(hex(c.base))-\(hex(c.top)) next \(hex(c.next))")
                }
                if rec.hostCall.pending && (rec.hostCall.ipa >= par || rec.hostCall.ipa & 0xFF != 0) {
                    problems.append("REC \(hex(pa)) host call at \(hex(rec.hostCall.ipa))")
                }
            }
            if rec.gic.listRegisterCount < 1 || rec.gic.listRegisterCount > 16 {
                problems.append("REC \(hex(pa)) has \(rec.gic.listRegisterCount) list registers")
            }
        }
        for (pa, d) in all {
            if d.isLocked { problems.append("\(hex(pa)) locked") }
            guard let state = d.state else {
                problems.append("\(hex(pa)) has a corrupt state")
                continue
            }
            switch state {
            case .undelegated, .delegated:
                if d.refcount != 0 { problems.append("\(hex(pa)) \(state) refcount \(d.refcount)") }
                if state == .delegated && !machine.isZero(pa) { problems.append("DELEGATED \(hex(pa)) not zero") }
                if references[pa] != nil { problems.append("\(state) \(hex(pa)) is referenced") }
            case .rd:
                if d.refcount != recsPerRealm[pa, default: 0] {
                    problems.append("RD \(hex(pa)) refcount \(d.refcount), RECs \(recsPerRealm[pa, default: 0])")
                }
            case .rec:
                break
            case .rtt, .data, .recAux:
                if references[pa] == nil { problems.append("\(state) \(hex(pa)) unreachable") }
                if let e = expectedState[pa], e != state { problems.append("\(hex(pa)) is \(state), referenced as \(e)") }
                if state == .rtt, d.refcount != expectedRefcount[pa, default: 0] {
                    problems.append("RTT \(hex(pa)) refcount \(d.refcount), live entries \(expectedRefcount[pa, default: 0])")
                }
                if state == .data && d.refcount != 0 { problems.append("DATA \(hex(pa)) refcount \(d.refcount)") }
            }
        }
        for (pa, s) in expectedState where harness.secureState(pa) != s {
            problems.append("\(hex(pa)) referenced as \(s) but is \(String(describing: harness.secureState(pa)))")
        }
        problems += bindingViolations(all)
        for v in 0..<UInt64(1 << harness.capabilities.vmidWidth) where harness.tmm.vmids.isInUse(v) != vmidsInUse.contains(v) {
            problems.append("VMID \(v) bitmap disagrees with the realms")
        }
        return problems
    }

    /// Normal-world bindings (GranuleBindings.swift): a bound pool granule is delegated or in
    /// use, never UNDELEGATED; its name is a normal-world granule outside the pool that the
    /// index finds again; no name is bound twice; the index holds exactly the bound granules;
    /// the free set is exactly the UNDELEGATED unbound granules.
    private func bindingViolations(_ all: [(UInt64, GranuleDescriptor)]) -> [String] {
        var problems: [String] = []
        let b = harness.tmm.bindings
        var names: Set<UInt32> = []
        var bound = 0
        b.withLock {
            for (i, (pa, d)) in all.enumerated() {
                let key = b.name(of: i)
                if key != 0 {
                    bound += 1
                    if !names.insert(key).inserted { problems.append("name \(key) bound twice") }
                    if d.state == .undelegated { problems.append("UNDELEGATED \(hex(pa)) is bound") }
                    if let name = b.address(ofKey: key) {
                        let ns = FakeMachine.normalWorld
                        if name.value < ns.base || name.value >= ns.base + ns.size { problems.append("\(hex(pa)) bound to \(hex(name.value))") }
                    } else {
                        problems.append("\(hex(pa)) bound to key \(key), no address")
                    }
                    if b.lookupLocked(key) != i { problems.append("index does not find \(hex(pa))'s name") }
                }
                let free = d.state == .undelegated && key == 0
                if b.isFreeLocked(i) != free { problems.append("free bit of \(hex(pa)) is \(!free)") }
            }
        }
        if b.boundCount() != bound { problems.append("index holds \(b.boundCount()) names, \(bound) granules bound") }
        return problems
    }

    private func walkTable(_ pa: UInt64, level: Int, realm: RealmDescriptor,
                           reference: (UInt64, GranuleState, String) -> Void,
                           problems: inout [String], refcounts: inout [UInt64: UInt32]) {
        let entries = RTTTable(base: machine.pointer(pa)!)
        var live: UInt32 = 0
        for i in 0..<512 {
            let e = entries[i]
            switch e.kind(level: level) {
            case .malformed:
                problems.append("malformed entry \(i) in RTT \(hex(pa)) level \(level): \(hex(e.raw))")
            case .unassigned, .unassignedNS:
                break
            case .table(let child):
                live += 1
                reference(child, .rtt, "table entry of \(hex(pa))")
                if level < 3 {
                    walkTable(child, level: level + 1, realm: realm, reference: reference, problems: &problems, refcounts: &refcounts)
                }
            case .assigned(_, let out):
                live += 1
                let size: UInt64 = 1 << (12 + 9 * UInt64(3 - level))
                for g in stride(from: out, to: out + size, by: 4096) { reference(g, .data, "mapping in \(hex(pa))") }
            case .assignedNS:
                live += 1
                let out = e.outputAddress
                if out >= FakeMachine.poolA.base && out < FakeMachine.poolA.base + FakeMachine.poolA.size
                    || out >= FakeMachine.poolB.base && out < FakeMachine.poolB.base + FakeMachine.poolB.size {
                    problems.append("assigned_ns in \(hex(pa)) maps pool memory")
                }
            }
        }
        refcounts[pa] = live
    }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
