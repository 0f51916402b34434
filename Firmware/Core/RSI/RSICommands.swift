// SMCs from the realm (DEN0137 B5, TF-RMM rel0 runtime/core/exit.c handle_realm_rsi): RSI 1.0
// commands, PSCI (RealmPSCI.swift) and SMCCC_VERSION. Function identifiers are W0 with the
// SMCCC SVE hint (bit 16) ignored; every register is the realm's and untrusted.
//
// Results follow SMCCC: x0-x3 are written (x1-x3 zero unless the command returns something
// there), higher registers are preserved except where a command returns more (MEASUREMENT_READ
// x1-x8). The PC moves past the SMC unless the command must run again once the host has
// mapped a page (stage-2 abort exit).

/// RsiHostCall (DEN0137 B5.4.4): imm (16 bits) at 0x0, gprs[31] at 0x8; 0x100 bytes.
enum RSIHostCallLayout {
    static let size: UInt64 = 0x100
    static let gprsOffset = 0x8
    static let registers = 31
}

/// RsiRealmConfig (DEN0137 B5.4.3): ipa_width at 0x0, hash_algo (8 bits) at 0x8, rpv at 0x200,
/// in a 4 KiB structure whose other bytes are reserved.
enum RSIRealmConfigLayout {
    static let ipaWidth = 0x0
    static let hashAlgorithm = 0x8
    static let rpv = 0x200
    static let size = 0x1000
}

enum RSIFunction {
    static let version: UInt64 = 0xC400_0190
    static let features: UInt64 = 0xC400_0191
    static let measurementRead: UInt64 = 0xC400_0192
    static let measurementExtend: UInt64 = 0xC400_0193
    static let attestationTokenInit: UInt64 = 0xC400_0194
    static let attestationTokenContinue: UInt64 = 0xC400_0195
    static let realmConfig: UInt64 = 0xC400_0196
    static let ipaStateSet: UInt64 = 0xC400_0197
    static let ipaStateGet: UInt64 = 0xC400_0198
    static let hostCall: UInt64 = 0xC400_0199

    static let smcccVersion: UInt64 = 0x8000_0000
    /// Mandatory from SMCCC v1.1 (DEN0028 "SMCCC_ARCH_FEATURES"), so a caller told v1.2 may
    /// rely on it.
    static let smcccArchFeatures: UInt64 = 0x8000_0001
    /// SMCCC v1.2, the version TF-RMM reports.
    static let smcccVersionNumber: UInt64 = 0x1_0002
    static let smcUnknown: UInt64 = UInt64(bitPattern: -1)
    /// RSI ABI 1.0.
    static let abiVersion: UInt64 = 0x1_0000
    static let sveHint: UInt64 = 1 << 16
}

extension TMM {
    /// Sets the SMC's results x0-x3 and moves past the SMC.
    func complete(_ rec: UnsafeMutablePointer<RECState>, _ x0: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0) {
        rec.pointee.cpu.gprs[0] = x0
        rec.pointee.cpu.gprs[1] = x1
        rec.pointee.cpu.gprs[2] = x2
        rec.pointee.cpu.gprs[3] = x3
        rec.pointee.cpu.pc &+= 4
    }

    func complete(_ rec: UnsafeMutablePointer<RECState>, _ status: RSIStatus, _ x1: UInt64 = 0, _ x2: UInt64 = 0) {
        complete(rec, status.rawValue, x1, x2)
    }

    /// True to run the realm again; false when `record` holds a REC exit.
    func handleSMC(_ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes, _ record: inout RECExitRecord) -> Bool {
        let fid = rec.pointee.cpu.gprs[0] & 0xFFFF_FFFF & ~RSIFunction.sveHint
        if RealmPSCI.isPSCI(fid) { return handlePSCI(fid, rec, realm, &record) }
        switch fid {
        case RSIFunction.smcccVersion:
            complete(rec, RSIFunction.smcccVersionNumber)
        case RSIFunction.smcccArchFeatures:
            // w1 names an Arm Architecture Service function: only these two are implemented
            // (no CPU workaround functions: the realm gets SMCCC NOT_SUPPORTED for those).
            let queried = rec.pointee.cpu.gprs[1] & 0xFFFF_FFFF
            let implemented = queried == RSIFunction.smcccVersion || queried == RSIFunction.smcccArchFeatures
            complete(rec, implemented ? 0 : RSIFunction.smcUnknown)
        case RSIFunction.version:
            // The caller names the revision it wants; 1.0 is the only one (x1 lower, x2 higher).
            let requested = rec.pointee.cpu.gprs[1]
            complete(rec, requested == RSIFunction.abiVersion ? .success : .errorInput,
                     RSIFunction.abiVersion, RSIFunction.abiVersion)
        case RSIFunction.features:
            // No feature register defines any bit in RSI 1.0.
            complete(rec, .success, 0)
        case RSIFunction.measurementRead:
            measurementRead(rec)
        case RSIFunction.measurementExtend:
            measurementExtend(rec)
        case RSIFunction.attestationTokenInit:
            attestationTokenInit(rec)
        case RSIFunction.attestationTokenContinue:
            return attestationTokenContinue(rec, realm, &record)
        case RSIFunction.realmConfig:
            return realmConfig(rec, realm, &record)
        case RSIFunction.ipaStateSet:
            return ipaStateSet(rec, realm, &record)
        case RSIFunction.ipaStateGet:
            ipaStateGet(rec, realm)
        case RSIFunction.hostCall:
            return hostCall(rec, realm, &record)
        default:
            complete(rec, RSIFunction.smcUnknown)
        }
        return true
    }

    // MARK: measurements

    /// RSI_MEASUREMENT_READ: slot x1 (0 = RIM, 1-4 = REMs) in x1-x8, little-endian.
    private func measurementRead(_ rec: UnsafeMutablePointer<RECState>) {
        let slot = rec.pointee.cpu.gprs[1]
        guard slot < UInt64(realmMeasurementSlots),
              let value = withRealm(of: rec, { $0.measurement(slot: Int(slot)) }) ?? nil
        else { return complete(rec, .errorInput) }
        complete(rec, .success)
        withUnsafeBytes(of: value.bytes) { bytes in
            for i in 0..<8 { rec.pointee.cpu.gprs[1 + i] = bytes.load(fromByteOffset: 8 * i, as: UInt64.self) }
        }
    }

    /// RSI_MEASUREMENT_EXTEND: REM slot x1 (1-4) with the first x2 (<= 64) bytes of x3-x10.
    private func measurementExtend(_ rec: UnsafeMutablePointer<RECState>) {
        let slot = rec.pointee.cpu.gprs[1]
        let size = rec.pointee.cpu.gprs[2]
        guard slot >= 1, slot < UInt64(realmMeasurementSlots), size <= UInt64(MeasurementValue.size) else {
            return complete(rec, .errorInput)
        }
        var value = MeasurementValue()
        withUnsafeMutableBytes(of: &value.bytes) { bytes in
            for i in 0..<8 { bytes.storeBytes(of: rec.pointee.cpu.gprs[3 + i], toByteOffset: 8 * i, as: UInt64.self) }
        }
        let done = withRealm(of: rec) { $0.extendREM(slot: Int(slot), value: value, size: Int(size)) } ?? false
        complete(rec, done ? .success : .errorInput)
    }

    // MARK: realm configuration and memory state

    /// RSI_REALM_CONFIG: fills RsiRealmConfig in the granule at x1.
    private func realmConfig(_ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                             _ record: inout RECExitRecord) -> Bool {
        let ipa = rec.pointee.cpu.gprs[1]
        guard ipa & (granuleSize - 1) == 0, realm.isProtected(ipa) else {
            complete(rec, .errorInput)
            return true
        }
        // The RPV, read under the RD lock before the walk takes RTT locks (lock order: RD first).
        guard let rpv = withRealm(of: rec, { $0.rpv }) else {
            complete(rec, .errorUnknown)
            return true
        }
        let access = withRealmPage(realm, ipa: ipa) { page in
            // Reserved bytes read as zero, so hash_algo is also right for a realm that reads it
            // as a 64-bit word (TF-RMM rel0 and early Linux realm code declare it so).
            page.initializeMemory(as: UInt8.self, repeating: 0, count: RSIRealmConfigLayout.size)
            page.storeBytes(of: UInt64(realm.ipaWidth), toByteOffset: RSIRealmConfigLayout.ipaWidth, as: UInt64.self)
            page.storeBytes(of: realm.hashAlgorithm.rawValue, toByteOffset: RSIRealmConfigLayout.hashAlgorithm, as: UInt8.self)
            withUnsafeBytes(of: rpv) { (page + RSIRealmConfigLayout.rpv).copyMemory(from: $0.baseAddress!, byteCount: 64) }
        }
        return finish(access, rec, ipa: ipa, &record)
    }

    /// The common tail of commands that touch realm memory: success, RSI_ERROR_INPUT for
    /// RIPAS EMPTY, or a stage-2 abort exit so the host maps the page first.
    private func finish(_ access: RealmPageAccess<Void>, _ rec: UnsafeMutablePointer<RECState>, ipa: UInt64,
                        _ record: inout RECExitRecord) -> Bool {
        switch access {
        case .done: complete(rec, .success)
        case .empty: complete(rec, .errorInput)
        case .unmapped(let level):
            emulateStage2DataAbort(rec, ipa: ipa, level: level, &record)
            return false
        }
        return true
    }

    /// RSI_IPA_STATE_SET (x1 base, x2 top, x3 RIPAS, x4 flags): checked, then the host is asked
    /// with a RIPAS_CHANGE exit; the result (x1 progress, x2 response) is set at the next
    /// REC_ENTER (TF-RMM rel0 runtime/rsi/memory.c).
    private func ipaStateSet(_ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                             _ record: inout RECExitRecord) -> Bool {
        let base = rec.pointee.cpu.gprs[1]
        let top = rec.pointee.cpu.gprs[2]
        let value = rec.pointee.cpu.gprs[3]
        let flags = rec.pointee.cpu.gprs[4]
        guard value <= UInt64(RIPAS.ram.rawValue), let ripas = RIPAS(rawValue: UInt8(value)),
              base & (granuleSize - 1) == 0, top & (granuleSize - 1) == 0, base < top,
              realm.isProtected(base), realm.isProtected(top - 1)
        else {
            complete(rec, .errorInput)
            return true
        }
        rec.pointee.ripasChange = RIPASChangeRequest(base: base, top: top, next: base, ripas: ripas,
                                                     changeDestroyed: flags & 1 != 0)
        record.reason = RECExitRecord.ripasChange
        record.ripasBase = base
        record.ripasTop = top
        record.ripasValue = ripas.rawValue
        complete(rec, .success, top)
        return false
    }

    /// RSI_IPA_STATE_GET (x1 base, x2 end): x1 = end of the run of base's RIPAS (at most
    /// `end`), x2 = that RIPAS.
    private func ipaStateGet(_ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes) {
        let base = rec.pointee.cpu.gprs[1]
        let end = rec.pointee.cpu.gprs[2]
        guard base & (granuleSize - 1) == 0, end & (granuleSize - 1) == 0, base < end,
              realm.isProtected(base), realm.isProtected(end - 1),
              let run = ripasRun(realm, from: base, end: end)
        else { return complete(rec, .errorInput) }
        complete(rec, .success, run.top, UInt64(run.ripas.rawValue))
    }

    // MARK: host call

    /// RSI_HOST_CALL (x1 = IPA of RsiHostCall): its imm and gprs go to the host in a HOST_CALL
    /// exit; the host's results come back at the next REC_ENTER (completeHostCall).
    private func hostCall(_ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                          _ record: inout RECExitRecord) -> Bool {
        let ipa = rec.pointee.cpu.gprs[1]
        // Aligned to its size, so it cannot cross a granule.
        guard ipa & (RSIHostCallLayout.size - 1) == 0, realm.isProtected(ipa) else {
            complete(rec, .errorInput)
            return true
        }
        let offset = Int(ipa & (granuleSize - 1))
        // Written straight into the record: `body` runs only when the page is mapped, so an
        // exit for any other outcome carries none of it.
        let access = withRealmPage(realm, ipa: ipa) { page in
            record.immediate = UInt64(page.load(fromByteOffset: offset, as: UInt16.self))
            record.setGPRs(from: page + offset + RSIHostCallLayout.gprsOffset, count: RSIHostCallLayout.registers)
        }
        switch access {
        case .done:
            record.reason = RECExitRecord.hostCall
            rec.pointee.hostCall = HostCallRequest(pending: true, ipa: ipa)
            // x0 stays as it is until the host completes the call.
            rec.pointee.cpu.pc &+= 4
            return false
        case .empty:
            complete(rec, .errorInput)
            return true
        case .unmapped(let level):
            emulateStage2DataAbort(rec, ipa: ipa, level: level, &record)
            return false
        }
    }
}
