// RMI_PSCI_COMPLETE (DEN0137 B4.3.7): the host's answer to a realm's PSCI CPU_ON or
// AFFINITY_INFO naming another REC. Checks follow TF-RMM rel0 (runtime/rmi/rec.c and
// lib/realm psci.c), except that every failure is found before anything changes.

extension TMM {
    static var psciSuccess: UInt64 { 0 }
    static var psciDenied: UInt64 { UInt64(bitPattern: -3) }
    static var psciAlreadyOn: UInt64 { UInt64(bitPattern: -4) }
    static var psciAffinityOn: UInt64 { 0 }
    static var psciAffinityOff: UInt64 { 1 }

    func psciComplete(calling callingAddr: UInt64, target targetAddr: UInt64, status: UInt64) -> RMIResult {
        guard let pair = lockPair(callingAddr, .rec, targetAddr, .rec) else { return .failure(.input) }
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
        case Self.psciCPUOn32, Self.psciCPUOn64:
            // status: the host may only accept or deny, and may not deny a CPU that is on.
            guard status == Self.psciSuccess || status == Self.psciDenied else { return .failure(.input) }
            guard !(status == Self.psciDenied && targetOn) else { return .failure(.input) }
            if targetOn {
                result = Self.psciAlreadyOn
            } else if status == Self.psciDenied {
                result = Self.psciDenied
            } else {
                targetGranule.pointee.context = RECContext(pc: request.x2)
                targetGranule.pointee.context.gprs[0] = request.x3
                targetGranule.pointee.runnable = true
                result = Self.psciSuccess
            }
        case Self.psciAffinityInfo32, Self.psciAffinityInfo64:
            guard status == Self.psciSuccess else { return .failure(.input) }
            result = targetOn ? Self.psciAffinityOn : Self.psciAffinityOff
        default:
            return .failure(.input)
        }
        calling.pointee.context.gprs[0] = result
        calling.pointee.context.gprs[1] = 0
        calling.pointee.context.gprs[2] = 0
        calling.pointee.context.gprs[3] = 0
        calling.pointee.psci.pending = false
        return .success()
    }
}
