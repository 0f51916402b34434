// Building blocks for scripted realm execution: the exits a realm causes, as the hardware
// would report them (ESR_EL2 encodings from the Arm ARM), and a reader for RmiRecExit.

@testable import TMMCore

typealias Step = FakeMachine.RealmStep

extension FakeMachine.RealmStep {
    static let il: UInt64 = 1 << 25

    /// The realm executes SMC #0 with x0 = fid and x1... = args (ELR_EL2 = the SMC).
    static func smc(_ fid: UInt64, _ args: UInt64...) -> Step {
        Step(.synchronous(esr: 0x17 << 26 | il, far: 0, hpfar: 0)) { s in
            s.gprs[0] = fid
            for (i, a) in args.enumerated() { s.gprs[1 + i] = a }
        }
    }

    /// HVC #0: ELR_EL2 is the next instruction.
    static func hvc(at pc: UInt64) -> Step {
        Step(.synchronous(esr: 0x16 << 26 | il, far: 0, hpfar: 0)) { $0.pc = pc &+ 4 }
    }

    static func wfx(wfe: Bool = false) -> Step { Step(.synchronous(esr: 0x01 << 26 | il | (wfe ? 1 : 0) | 0x1E0_0000, far: 0, hpfar: 0)) }

    /// A data abort at `ipa` (virtual address `va`) with the given syndrome bits.
    static func dataAbort(ipa: UInt64, va: UInt64, iss: UInt64) -> Step {
        Step(.synchronous(esr: 0x24 << 26 | il | iss, far: va, hpfar: (ipa >> 12) << 4))
    }

    /// ISS of an emulatable access: ISV, SAS, SSE, SRT, SF, WnR, DFSC translation level 3.
    static func accessISS(srt: UInt64, sas: UInt64, sse: Bool = false, sf: Bool = true, write: Bool) -> UInt64 {
        1 << 24 | sas << 22 | (sse ? 1 << 21 : 0) | srt << 16 | (sf ? 1 << 15 : 0) | (write ? 1 << 6 : 0) | 0x07
    }

    static func instructionAbort(ipa: UInt64, va: UInt64, fsc: UInt64 = 0x07) -> Step {
        Step(.synchronous(esr: 0x20 << 26 | il | fsc, far: va, hpfar: (ipa >> 12) << 4))
    }

    /// MRS/MSR of (op0, op1, CRn, CRm, op2) with register rt.
    static func sysreg(_ op0: UInt8, _ op1: UInt8, _ crn: UInt8, _ crm: UInt8, _ op2: UInt8, rt: Int, read: Bool,
                       edit: @escaping (inout RealmCPUState) -> Void = { _ in }) -> Step {
        Step(.synchronous(esr: SystemRegisterAccess.syndrome(op0: op0, op1: op1, crn: crn, crm: crm, op2: op2, rt: rt, read: read),
                          far: 0, hpfar: 0), edit: edit)
    }

    static func icc(_ crn: UInt8, _ crm: UInt8, _ op2: UInt8, rt: Int, read: Bool, value: UInt64 = 0) -> Step {
        sysreg(3, 0, crn, crm, op2, rt: rt, read: read) { if !read && rt < 31 { $0.gprs[rt] = value } }   // Rt 31: XZR
    }

    static var irq: Step { Step(.irq) }
}

/// RmiRecExit as the host reads it from the run granule.
struct ExitView {
    let machine: FakeMachine
    let run: UInt64

    func u64(_ offset: UInt64) -> UInt64 { machine.read64(run + 0x800 + offset) }
    var reason: UInt64 { u64(0) }
    var esr: UInt64 { u64(0x100) }
    var far: UInt64 { u64(0x108) }
    var hpfar: UInt64 { u64(0x110) }
    func gpr(_ i: Int) -> UInt64 { u64(0x200 + UInt64(i) * 8) }
    var gicHCR: UInt64 { u64(0x300) }
    func lr(_ i: Int) -> UInt64 { u64(0x308 + UInt64(i) * 8) }
    var misr: UInt64 { u64(0x388) }
    var vmcr: UInt64 { u64(0x390) }
    var cntpCTL: UInt64 { u64(0x400) }
    var cntpCVAL: UInt64 { u64(0x408) }
    var cntvCTL: UInt64 { u64(0x410) }
    var cntvCVAL: UInt64 { u64(0x418) }
    var ripasBase: UInt64 { u64(0x500) }
    var ripasTop: UInt64 { u64(0x508) }
    var ripasValue: UInt8 { machine.bytes(run + 0x800 + 0x510, count: 1)[0] }
    var imm: UInt64 { u64(0x600) }
    var pmuOverflow: UInt64 { u64(0x700) }

    /// Offsets (8-byte words, relative to RmiRecExit) that hold a non-zero value, except those
    /// listed: the test names every field the exit defines, and nothing else may be set.
    func nonZeroWords(except allowed: Set<UInt64>) -> [UInt64] {
        stride(from: UInt64(0), to: 0x800, by: 8).filter { !allowed.contains($0) && u64($0) != 0 }
    }
}

/// A realm with `recs` RECs (REC 0 runnable, the others not), protected RAM at IPA 0 ...
/// `dataPages` pages (DATA granules, RIPAS RAM), activated.
struct RunningRealm {
    let h: Harness
    let realm: TestRealm
    var recs: [UInt64]
    var data: [UInt64]
    let run: UInt64

    /// `ramRanges` get RIPAS RAM with RTT_INIT_RIPAS but no memory (the host maps it later).
    init(recs count: Int = 1, dataPages: Int = 4, ramRanges: [(UInt64, UInt64)] = [],
         capabilities: PlatformCapabilities = Harness.defaultCapabilities,
         configure: (inout RealmParams) -> Void = { _ in }) {
        h = Harness(capabilities: capabilities)
        realm = h.createRealm(configure)
        h.createTables(realm, ipa: 0, downTo: 3)
        for (base, top) in ramRanges { precondition(h.call(.rttInitRIPAS, realm.rd, base, top).x0 == 0) }
        data = []
        let src = h.freshNS()
        for i in 0..<dataPages {
            let d = h.delegated()
            precondition(h.call(.dataCreate, realm.rd, d, UInt64(i) * 4096, src, 0).x0 == 0)
            data.append(d)
        }
        recs = []
        for i in 0..<count {
            let (rec, r, _) = h.createREC(realm) { p in
                p.mpidr = UInt64(i)
                p.flags = i == 0 ? 1 : 0
            }
            precondition(r.x0 == 0)
            recs.append(rec)
        }
        precondition(h.call(.realmActivate, realm.rd).x0 == 0)
        run = h.freshNS()
    }

    var machine: FakeMachine { h.machine }
    var exit: ExitView { ExitView(machine: h.machine, run: run) }
    var parSize: UInt64 { realm.parSize }

    /// Writes RmiRecEnter and calls REC_ENTER on REC `index` with the given script.
    @discardableResult
    func enter(_ index: Int = 0, flags: UInt64 = 0, gprs: [UInt64] = [], hcr: UInt64 = 0, lrs: [UInt64] = [],
               script: [Step] = []) -> RMIResult {
        machine.fill(run, with: Array(repeating: 0xEE, count: 4096))   // stale host data everywhere
        machine.write64(run, flags)
        for i in 0..<31 { machine.write64(run + 0x200 + UInt64(i) * 8, i < gprs.count ? gprs[i] : 0) }
        machine.write64(run + 0x300, hcr)
        for i in 0..<16 { machine.write64(run + 0x308 + UInt64(i) * 8, i < lrs.count ? lrs[i] : 0) }
        machine.realmScript = script
        return h.call(.recEnter, recs[index], run)
    }

    /// The REC's state as the TMM keeps it.
    func rec(_ index: Int = 0) -> RECState { machine.pointer(recs[index])!.load(as: RECState.self) }
    /// The state the hardware was last asked to run.
    var lastRun: FakeMachine.Run { machine.runs.last! }
}
