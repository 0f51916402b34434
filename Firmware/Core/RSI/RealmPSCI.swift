// PSCI calls from the realm (DEN0137 A4.3.7 and B5.3 "PSCI"; answers as TF-RMM rel0
// runtime/rsi/psci.c gives them). The TMM answers what it can itself; CPU_ON and
// AFFINITY_INFO naming another REC wait for the host's RMI_PSCI_COMPLETE; CPU_OFF,
// CPU_SUSPEND, SYSTEM_OFF and SYSTEM_RESET are reported to the host in a PSCI exit.

enum RealmPSCI {
    static let version: UInt64 = 0x8400_0000
    static let cpuSuspend32: UInt64 = 0x8400_0001
    static let cpuSuspend64: UInt64 = 0xC400_0001
    static let cpuOff: UInt64 = 0x8400_0002
    static let cpuOn32: UInt64 = 0x8400_0003
    static let cpuOn64: UInt64 = 0xC400_0003
    static let affinityInfo32: UInt64 = 0x8400_0004
    static let affinityInfo64: UInt64 = 0xC400_0004
    static let systemOff: UInt64 = 0x8400_0008
    static let systemReset: UInt64 = 0x8400_0009
    static let features: UInt64 = 0x8400_000A

    static let success: UInt64 = 0
    static let notSupported: UInt64 = UInt64(bitPattern: -1)
    static let invalidParameters: UInt64 = UInt64(bitPattern: -2)
    static let denied: UInt64 = UInt64(bitPattern: -3)
    static let alreadyOn: UInt64 = UInt64(bitPattern: -4)
    static let invalidAddress: UInt64 = UInt64(bitPattern: -9)
    static let affinityOn: UInt64 = 0
    static let affinityOff: UInt64 = 1
    /// PSCI 1.1.
    static let versionNumber: UInt64 = 0x1_0001

    /// The PSCI function ranges of the SMC32 and SMC64 calling conventions (0x00-0x1F).
    static func isPSCI(_ fid: UInt64) -> Bool { fid & ~0x1F == 0x8400_0000 || fid & ~0x1F == 0xC400_0000 }

    /// SMC32 calls pass 32-bit arguments: the upper halves of the registers are ignored.
    static func argument(_ value: UInt64, fid: UInt64) -> UInt64 { fid & 1 << 30 == 0 ? value & 0xFFFF_FFFF : value }
}

extension TMM {
    func handlePSCI(_ fid: UInt64, _ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                    _ record: inout RECExitRecord) -> Bool {
        let x1 = RealmPSCI.argument(rec.pointee.cpu.gprs[1], fid: fid)
        let x2 = RealmPSCI.argument(rec.pointee.cpu.gprs[2], fid: fid)
        let x3 = RealmPSCI.argument(rec.pointee.cpu.gprs[3], fid: fid)
        switch fid {
        case RealmPSCI.version:
            complete(rec, RealmPSCI.versionNumber)
            return true
        case RealmPSCI.features:
            switch x1 & 0xFFFF_FFFF {
            case RealmPSCI.cpuSuspend32, RealmPSCI.cpuSuspend64, RealmPSCI.cpuOff, RealmPSCI.cpuOn32, RealmPSCI.cpuOn64,
                 RealmPSCI.affinityInfo32, RealmPSCI.affinityInfo64, RealmPSCI.systemOff, RealmPSCI.systemReset,
                 RealmPSCI.features, RSIFunction.smcccVersion:
                complete(rec, RealmPSCI.success)
            default:
                complete(rec, RealmPSCI.notSupported)
            }
            return true
        case RealmPSCI.cpuSuspend32, RealmPSCI.cpuSuspend64:
            // Every power state is treated as standby: the host only learns the REC waits, and
            // the call has already succeeded when the REC runs again.
            reportPSCI(fid, &record)
            complete(rec, RealmPSCI.success)
            return false
        case RealmPSCI.cpuOff:
            rec.pointee.runnable = false
            reportPSCI(fid, &record)
            complete(rec, RealmPSCI.success)
            return false
        case RealmPSCI.cpuOn32, RealmPSCI.cpuOn64:
            // x1 target MPIDR, x2 entry point (a protected IPA), x3 context ID.
            guard realm.isProtected(x2) else {
                complete(rec, RealmPSCI.invalidAddress)
                return true
            }
            return targetOtherREC(fid, target: x1, x2: x2, x3: x3, whenSelf: RealmPSCI.alreadyOn, rec, &record)
        case RealmPSCI.affinityInfo32, RealmPSCI.affinityInfo64:
            // x1 target affinity, x2 lowest affinity level (only level 0 is supported).
            guard x2 == 0 else {
                complete(rec, RealmPSCI.invalidParameters)
                return true
            }
            return targetOtherREC(fid, target: x1, x2: x2, x3: x3, whenSelf: RealmPSCI.affinityOn, rec, &record)
        case RealmPSCI.systemOff, RealmPSCI.systemReset:
            // The realm is off for good: no REC of it runs again (a reset is a new realm, made
            // by the host). Registers stay as they are.
            _ = withRealm(of: rec) { $0.state = .systemOff }
            reportPSCI(fid, &record)
            rec.pointee.cpu.pc &+= 4
            return false
        default:
            complete(rec, RealmPSCI.notSupported)
            return true
        }
    }

    /// CPU_ON / AFFINITY_INFO: the target must be one of the realm's RECs; the calling REC
    /// itself is answered at once; any other waits for PSCI_COMPLETE (the REC cannot run until
    /// then). The realm's x0-x3 stay as they are until PSCI_COMPLETE writes the result.
    private func targetOtherREC(_ fid: UInt64, target: UInt64, x2: UInt64, x3: UInt64, whenSelf selfResult: UInt64,
                                _ rec: UnsafeMutablePointer<RECState>, _ record: inout RECExitRecord) -> Bool {
        let count = withRealm(of: rec) { $0.recCount } ?? 0
        guard let index = RECMPIDR.index(target), index < count else {
            complete(rec, RealmPSCI.invalidParameters)
            return true
        }
        if index == rec.pointee.index {
            complete(rec, selfResult)
            return true
        }
        rec.pointee.psci = PSCIRequest(pending: true, function: fid, x1: target, x2: x2, x3: x3)
        reportPSCI(fid, &record)
        record[gpr: 1] = target
        rec.pointee.cpu.pc &+= 4
        return false
    }

    /// A PSCI exit: gprs[0] = function ID; CPU_ON and AFFINITY_INFO add the target MPIDR in
    /// gprs[1]. The entry point and context ID stay private (TF-RMM forward_args_to_host).
    private func reportPSCI(_ fid: UInt64, _ record: inout RECExitRecord) {
        record.reason = RECExitRecord.psci
        record[gpr: 0] = fid
    }
}
