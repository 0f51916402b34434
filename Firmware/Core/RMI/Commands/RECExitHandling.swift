// The parts of RMI_REC_ENTER around running the REC: completing what the previous exit asked
// of the host, and turning the new exit into REC state and an RmiRecExit record.

extension TMM {
    /// INJECT_SEA is only meaningful after a data abort at an unprotected IPA.
    func canInjectSEA(_ entry: RECEntry, _ rec: RECState) -> Bool {
        guard entry.flags & RECEntryFlags.injectSEA != 0 else { return true }
        guard DataAbortSyndrome.exceptionClass(rec.lastExitESR) == DataAbortSyndrome.classDataAbortLower else { return false }
        let ipa = (rec.lastExitHPFAR >> 4 & 0xFF_FFFF_FFFF) << 12
        guard let protected = withRealm(of: rec, { $0.isProtected(ipa) }) else { return false }
        return !protected
    }

    /// EMUL_MMIO needs an emulatable data abort (ISV set) as the last exit; INJECT_SEA wins.
    func canEmulateMMIO(_ entry: RECEntry, _ rec: RECState) -> Bool {
        guard entry.flags & RECEntryFlags.emulatedMMIO != 0, entry.flags & RECEntryFlags.injectSEA == 0 else { return true }
        return DataAbortSyndrome.exceptionClass(rec.lastExitESR) == DataAbortSyndrome.classDataAbortLower
            && DataAbortSyndrome.isValidSyndrome(rec.lastExitESR)
    }

    /// Applies the host's answers: an emulated MMIO read, the RIPAS change response.
    func completePendingExit(_ entry: RECEntry, _ rec: UnsafeMutablePointer<RECState>) {
        let esr = rec.pointee.lastExitESR
        if entry.flags & RECEntryFlags.emulatedMMIO != 0 && entry.flags & RECEntryFlags.injectSEA == 0 {
            if !DataAbortSyndrome.isWrite(esr) {
                let rt = DataAbortSyndrome.register(esr)
                if rt != 31 {
                    let bytes = DataAbortSyndrome.accessBytes(esr)
                    var value = bytes == 8 ? entry.gprs[0] : entry.gprs[0] & ((1 << (bytes * 8)) - 1)
                    if DataAbortSyndrome.signExtends(esr) && bytes < 8 {
                        let sign: UInt64 = 1 << (bytes * 8 - 1)
                        value = (value ^ sign) &- sign
                        if !DataAbortSyndrome.is64Bit(esr) { value &= 0xFFFF_FFFF }
                    }
                    rec.pointee.context.gprs[rt] = value
                }
            }
            rec.pointee.context.pc &+= 4
        }
        // RSI_IPA_STATE_SET returns: x0 = RSI_SUCCESS, x1 = progress, x2 = host response.
        let request = rec.pointee.ripasChange
        if request.isPending {
            let reject = entry.flags & RECEntryFlags.ripasResponseReject != 0
            rec.pointee.context.gprs[0] = 0
            rec.pointee.context.gprs[1] = request.next
            rec.pointee.context.gprs[2] = request.ripas == .ram && request.next != request.top && reject ? 1 : 0
            rec.pointee.ripasChange = RIPASChangeRequest(base: 0, top: 0, next: 0, ripas: .empty, changeDestroyed: false)
        }
        rec.pointee.hostCallPending = false
        rec.pointee.lastExitESR = 0
        rec.pointee.lastExitHPFAR = 0
    }

    /// PSCI function IDs the RMM forwards to the host (DEN0022).
    static var psciCPUOff: UInt64 { 0x8400_0002 }
    static var psciCPUOn32: UInt64 { 0x8400_0003 }
    static var psciCPUOn64: UInt64 { 0xC400_0003 }
    static var psciAffinityInfo32: UInt64 { 0x8400_0004 }
    static var psciAffinityInfo64: UInt64 { 0xC400_0004 }
    static var psciSystemOff: UInt64 { 0x8400_0008 }
    static var psciSystemReset: UInt64 { 0x8400_0009 }

    func recordExit(_ exit: RECExit, _ rec: UnsafeMutablePointer<RECState>) -> RECExitRecord {
        var r = RECExitRecord()
        switch exit {
        case .sync(let esr, let far, let hpfar):
            r.reason = RECExitRecord.sync
            r.esr = esr
            r.far = far
            r.hpfar = hpfar
            rec.pointee.lastExitESR = esr
            rec.pointee.lastExitHPFAR = hpfar
        case .irq:
            r.reason = RECExitRecord.irq
        case .fiq:
            r.reason = RECExitRecord.fiq
        case .serror(let esr):
            r.reason = RECExitRecord.serror
            r.esr = esr
        case .psci(let function, let x1, let x2, let x3):
            r.reason = RECExitRecord.psci
            r.gprs[0] = function
            r.gprs[1] = x1
            r.gprs[2] = x2
            r.gprs[3] = x3
            switch function {
            case Self.psciCPUOn32, Self.psciCPUOn64, Self.psciAffinityInfo32, Self.psciAffinityInfo64:
                rec.pointee.psci = PSCIRequest(pending: true, function: function, x1: x1, x2: x2, x3: x3)
            case Self.psciCPUOff:
                rec.pointee.runnable = false
            case Self.psciSystemOff, Self.psciSystemReset:
                _ = withRealm(of: rec.pointee) { $0.state = .systemOff }
            default:
                break
            }
        case .ripasChange(let base, let top, let ripasValue, let changeDestroyed):
            r.reason = RECExitRecord.ripasChange
            let par = withRealm(of: rec.pointee) { $0.ipaSize >> 1 } ?? 0
            // Only a well-formed request becomes pending; anything else leaves none.
            if let ripas = RIPAS(rawValue: ripasValue), ripas != .destroyed, base < top, top <= par,
               base & (granuleSize - 1) == 0, top & (granuleSize - 1) == 0 {
                rec.pointee.ripasChange = RIPASChangeRequest(base: base, top: top, next: base, ripas: ripas,
                                                             changeDestroyed: changeDestroyed)
                r.ripasBase = base
                r.ripasTop = top
                r.ripasValue = UInt64(ripasValue)
            }
        case .hostCall(let immediate):
            r.reason = RECExitRecord.hostCall
            r.immediate = UInt64(immediate)
            rec.pointee.hostCallPending = true
        }
        return r
    }

    func writeExit(_ r: RECExitRecord, _ rec: RECState, to run: PhysicalAddress) -> Bool {
        let base = Self.runExitOffset
        let zero = InlineArray<32, UInt64>(repeating: 0)
        var offset = 0
        while offset < 0x800 {
            guard memory.write(run, offset: base + offset, from: zero) else { return false }
            offset += 0x100
        }
        return memory.write(run, offset: base + 0x000, from: r.reason)
            && memory.write(run, offset: base + 0x100, from: r.esr)
            && memory.write(run, offset: base + 0x108, from: r.far)
            && memory.write(run, offset: base + 0x110, from: r.hpfar)
            && memory.write(run, offset: base + 0x200, from: r.gprs)
            && memory.write(run, offset: base + 0x500, from: r.ripasBase)
            && memory.write(run, offset: base + 0x508, from: r.ripasTop)
            && memory.write(run, offset: base + 0x510, from: UInt8(truncatingIfNeeded: r.ripasValue))
            && memory.write(run, offset: base + 0x600, from: r.immediate)
    }
}
