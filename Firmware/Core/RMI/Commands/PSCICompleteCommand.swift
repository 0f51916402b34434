// RMI_PSCI_COMPLETE (DEN0137 B4.3.7): the host's answer to a realm's PSCI CPU_ON or
// AFFINITY_INFO naming another REC. Checks follow TF-RMM rel0 (runtime/rmi/rec.c and
// lib/realm psci.c), except that every failure is found before anything changes.

extension TMM {
    @inline(never)  // TMM.handle stays a jump table with a small frame
    func psciComplete(calling callingAddr: UInt64, target targetAddr: UInt64, status: UInt64) -> RMIResult {
        guard let pair = lockNamedPair(callingAddr, .rec, targetAddr, .rec) else { return .failure(.input) }
        // The calling REC must not be running: its request is only stable while it waits.
        guard pair.first.refcount == 0 else { return .failure(.input) }
        let calling = pair.first.rec
        let request = calling.pointee.psci
        // pending
        guard request.pending else { return .failure(.input) }
        // target_realm
        let targetGranule = pair.second.rec
        let targetRunning = pair.second.refcount != 0
        // A running REC's content belongs to its CPU; only its owner and index (set once at
        // REC_CREATE) are read.
        guard targetGranule.pointee.owner == calling.pointee.owner else { return .failure(.input) }
        // target_mpidr
        guard let index = RECMPIDR.index(request.x1), index == targetGranule.pointee.index else { return .failure(.input) }
        let targetOn = targetRunning || targetGranule.pointee.runnable
        let result: UInt64
        switch request.function {
        case RealmPSCI.cpuOn32, RealmPSCI.cpuOn64:
            // status: the host may only accept or deny, and may not deny a CPU that is on.
            guard status == RealmPSCI.success || status == RealmPSCI.denied else { return .failure(.input) }
            guard !(status == RealmPSCI.denied && targetOn) else { return .failure(.input) }
            if targetOn {
                result = RealmPSCI.alreadyOn
            } else if status == RealmPSCI.denied {
                result = RealmPSCI.denied
            } else {
                // The target starts as a CPU coming out of reset (TF-RMM psci_reset_rec): EL1h
                // with exceptions masked, MMU off, the caller's endianness, x0 = context ID.
                var cpu = targetGranule.pointee.cpu
                cpu.gprs = InlineArray(repeating: 0)
                cpu.gprs[0] = request.x3
                cpu.pc = request.x2
                cpu.pstate = RealmPSTATE.reset
                cpu.el1.sctlr = RealmSCTLR.reset | calling.pointee.cpu.el1.sctlr & RealmSCTLR.ee
                targetGranule.pointee.cpu = cpu
                targetGranule.pointee.runnable = true
                result = RealmPSCI.success
            }
        case RealmPSCI.affinityInfo32, RealmPSCI.affinityInfo64:
            guard status == RealmPSCI.success else { return .failure(.input) }
            result = targetOn ? RealmPSCI.affinityOn : RealmPSCI.affinityOff
        default:
            return .failure(.input)
        }
        calling.pointee.cpu.gprs[0] = result
        calling.pointee.cpu.gprs[1] = 0
        calling.pointee.cpu.gprs[2] = 0
        calling.pointee.cpu.gprs[3] = 0
        calling.pointee.psci.pending = false
        return .success()
    }
}
