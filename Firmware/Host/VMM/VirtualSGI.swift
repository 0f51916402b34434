import RealmLayout

// The host's half of a realm's SGIs. The TMM does not generate SGIs for a realm: a write to
// ICC_SGI1R_EL1 ends the run with a SYNC exit whose ESR is the trap's syndrome (EC 0x18) and
// whose gprs[0] is the value written, like a hardware virtual CPU interface trapping the write
// to a hypervisor. The host works out which RECs the write names and delivers the SGI to each
// as a virtual interrupt (a pending Group 1 list register) at that REC's next REC_ENTER.

/// ICC_SGI1R_EL1 as the realm wrote it (Arm IHI 0069): TargetList [15:0], Aff1 [23:16],
/// INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48].
struct SGIRequest {
    let value: UInt64

    var intid: UInt64 { value >> 24 & 0xF }
    /// IRM: every PE but the writer, whatever the affinity fields say.
    var toAllButSelf: Bool { value & 1 << 40 != 0 }

    /// Whether the PE with affinity `mpidr` (MPIDR layout: Aff0 [7:0], Aff1 [15:8], Aff2
    /// [23:16], Aff3 [39:32]) receives it when the PE with affinity `sender` wrote it.
    func targets(_ mpidr: UInt64, sender: UInt64) -> Bool {
        if toAllButSelf { return mpidr != sender }
        guard mpidr >> 8 & 0xFF == value >> 16 & 0xFF,
              mpidr >> 16 & 0xFF == value >> 32 & 0xFF,
              mpidr >> 32 & 0xFF == value >> 48 & 0xFF else { return false }
        // RS selects which 16 Aff0 values TargetList covers.
        let aff0 = mpidr & 0xFF
        return aff0 >> 4 == value >> 44 & 0xF && value >> (aff0 & 0xF) & 1 != 0
    }
}

/// A list register (ICH_LR<n>_EL2) with `intid` pending, Group 1, `priority`, HW = 0.
func pendingListRegister(_ intid: UInt64, priority: UInt64) -> UInt64 { 1 << 62 | 1 << 60 | priority << 48 | intid }

enum VirtualSGI {
    /// The list register SGIs use; the virtual timer has LR 0.
    static let listRegisterIndex = 1
    /// ESR_EL2 of MSR ICC_SGI1R_EL1, x<t> (EC 0x18, IL, op0 3, op2 5, op1 0, CRn 12, CRm 11,
    /// write), Rt [9:5] aside.
    static let sgi1rWriteSyndrome: UInt64 = 0x18 << 26 | 1 << 25 | 3 << 20 | 5 << 17 | 12 << 10 | 11 << 1
    static let rtField: UInt64 = 0x1F << 5

    /// A SYNC exit for a system-register write: an SGI to queue for its targets.
    static func exit(_ current: Int, _ run: NonSecurePage, _ vcpus: inout InlineArray<2, VCPU>,
                     _ report: inout RunReport) {
        let esr = run.load64(at: RecRun.exitESR)
        let value = run.load64(at: RecRun.exitGPRs)
        guard esr & ~rtField == sgi1rWriteSyndrome else {
            var line = LogLine("unexpected system-register exit: ESR ")
            line.hex(esr)
            line.append(", gprs[0] ")
            line.hex(value)
            report.failure = line
            return
        }
        report.sgiExits += 1
        report.sgiESR = esr
        report.sgiValue = value
        let request = SGIRequest(value: value)
        // REC i has MPIDR affinity i (RealmVM.createRECs).
        for target in 0..<RealmVM.recCount where request.targets(UInt64(target), sender: UInt64(current)) {
            vcpus[target].pendingSGIs |= 1 << UInt16(request.intid)
            if target == current { report.sgiToSelf += 1 }
        }
    }

    /// Before REC_ENTER: the SGI list register, loaded with the lowest pending SGI when free.
    static func listRegister(_ vcpu: inout VCPU, _ report: inout RunReport) -> UInt64 {
        if vcpu.sgiListRegister == 0 && vcpu.pendingSGIs != 0 {
            let intid = UInt64(vcpu.pendingSGIs.trailingZeroBitCount)
            vcpu.pendingSGIs &= ~(1 << UInt16(intid))
            vcpu.sgiListRegister = pendingListRegister(intid, priority: UInt64(REALM_SGI_PRIORITY))
            report.sgiInjected += 1
        }
        return vcpu.sgiListRegister
    }

    /// After an exit: follow the list register the TMM hands back until the realm has ended
    /// the interrupt (state inactive).
    static func follow(_ run: NonSecurePage, _ vcpu: inout VCPU, _ report: inout RunReport) {
        guard vcpu.sgiListRegister != 0 else { return }
        let lr = run.load64(at: RecRun.exitGICLRs + 8 * listRegisterIndex)
        if lr >> 62 == 0 {
            report.sgiCompleted += 1
            report.sgiLRAfterEOI = lr
            vcpu.sgiListRegister = 0
        } else {
            vcpu.sgiListRegister = lr
        }
    }
}
