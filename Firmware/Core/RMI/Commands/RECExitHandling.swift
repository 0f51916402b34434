// The edges of RMI_REC_ENTER around the run loop: checking and applying the host's
// completion of the previous exit (TF-RMM rel0 runtime/rmi/rec.c complete_sea_insertion,
// complete_mmio_emulation, complete_set_ripas, complete_host_call, in that order), and writing
// the RmiRecExit record.

extension TMM {
    /// INJECT_SEA is only meaningful after a data abort at an unprotected IPA.
    func canInjectSEA(_ entry: RECEntry, _ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes) -> Bool {
        guard entry.flags & RECEntryFlags.injectSEA != 0 else { return true }
        guard ExceptionClass.of(rec.pointee.lastExitESR) == ExceptionClass.dataAbortLower else { return false }
        return !realm.isProtected(DataAbortSyndrome.faultingIPA(hpfar: rec.pointee.lastExitHPFAR))
    }

    /// EMUL_MMIO needs an emulatable data abort (ISV set) as the last exit; INJECT_SEA wins.
    func canEmulateMMIO(_ entry: RECEntry, _ rec: UnsafeMutablePointer<RECState>) -> Bool {
        guard entry.flags & RECEntryFlags.emulatedMMIO != 0, entry.flags & RECEntryFlags.injectSEA == 0 else { return true }
        let esr = rec.pointee.lastExitESR
        return ExceptionClass.of(esr) == ExceptionClass.dataAbortLower && DataAbortSyndrome.isValidSyndrome(esr)
    }

    /// Applies the host's answers to the previous exit. False when a pending host call's
    /// results cannot be written back yet: `record` then holds the stage-2 abort the host must
    /// resolve first, and the realm does not run.
    func completePendingExit(_ entry: RECEntry, _ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                             _ record: inout RECExitRecord) -> Bool {
        let esr = rec.pointee.lastExitESR
        if entry.flags & RECEntryFlags.injectSEA != 0 {
            // The access faults in the realm as a synchronous external abort.
            RealmException.injectSynchronousExternalAbort(&rec.pointee.cpu, esr: esr, far: rec.pointee.lastExitFAR)
        } else if entry.flags & RECEntryFlags.emulatedMMIO != 0 {
            // The host emulated the access: a read's value goes to the destination register,
            // and the realm continues after the instruction.
            if !DataAbortSyndrome.isWrite(esr) {
                let rt = DataAbortSyndrome.register(esr)
                if rt != 31 {
                    let bytes = DataAbortSyndrome.accessBytes(esr)
                    var value = entry.gprs[0] & DataAbortSyndrome.accessMask(esr)
                    if DataAbortSyndrome.signExtends(esr) && bytes < 8 {
                        let sign: UInt64 = 1 << (bytes * 8 - 1)
                        value = (value ^ sign) &- sign
                        if !DataAbortSyndrome.is64Bit(esr) { value &= 0xFFFF_FFFF }
                    }
                    rec.pointee.cpu.gprs[rt] = value
                }
            }
            rec.pointee.cpu.pc &+= 4
        }
        // RSI_IPA_STATE_SET returns: x0 = RSI_SUCCESS, x1 = how far the host got, x2 = its
        // response (only a refused change to RAM that stopped early counts as REJECT).
        let request = rec.pointee.ripasChange
        if request.isPending {
            let reject = entry.flags & RECEntryFlags.ripasResponseReject != 0
            rec.pointee.cpu.gprs[0] = RSIStatus.success.rawValue
            rec.pointee.cpu.gprs[1] = request.next
            rec.pointee.cpu.gprs[2] = request.ripas == .ram && request.next != request.top && reject ? 1 : 0
            rec.pointee.ripasChange = .none
        }
        rec.pointee.lastExitESR = 0
        rec.pointee.lastExitFAR = 0
        rec.pointee.lastExitHPFAR = 0
        return completeHostCall(entry, rec, realm, &record)
    }

    /// The host's results (RecEnter.gprs) go into the realm's RsiHostCall.gprs, and
    /// RSI_HOST_CALL returns RSI_SUCCESS.
    private func completeHostCall(_ entry: RECEntry, _ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                                  _ record: inout RECExitRecord) -> Bool {
        let call = rec.pointee.hostCall
        guard call.pending else { return true }
        let offset = Int(call.ipa & (granuleSize - 1))
        // All 31 at once: RsiHostCall.gprs and RecEnter.gprs have the same layout.
        let access = withRealmPage(realm, ipa: call.ipa) { page in
            withUnsafeBytes(of: entry.gprs) { gprs in
                (page + offset + RSIHostCallLayout.gprsOffset).copyMemory(
                    from: gprs.baseAddress!, byteCount: 8 * RSIHostCallLayout.registers)
            }
        }
        if case .unmapped(let level) = access {
            emulateStage2DataAbort(rec, ipa: call.ipa, level: level, &record)
            return false
        }
        // RIPAS EMPTY now: the results are lost, the call still completes (TF-RMM rel0
        // complete_rsi_host_call); the realm controls its own RIPAS.
        rec.pointee.cpu.gprs[0] = RSIStatus.success.rawValue
        rec.pointee.hostCall = .none
        return true
    }

    /// A REC exit that tells the host an RSI command needs the page at `ipa` mapped: a
    /// stage-2 translation fault at `level` (TF-RMM rel0 emulate_stage2_data_abort). The realm's
    /// registers and PC are left as they are, so the command runs again after the host maps it.
    func emulateStage2DataAbort(_ rec: UnsafeMutablePointer<RECState>, ipa: UInt64, level: Int, _ record: inout RECExitRecord) {
        record.reason = RECExitRecord.sync
        record.esr = DataAbortSyndrome.emulatedTranslationFault(level: level)
        record.far = 0
        record.hpfar = (ipa & ~(granuleSize - 1) & 0xFFFF_FFFF_FFFF) >> 8
        rec.pointee.lastExitESR = record.esr
        rec.pointee.lastExitFAR = 0
        rec.pointee.lastExitHPFAR = record.hpfar
    }

    /// Every exit reports the virtual interface (list registers, HCR, MISR, VMCR) and the
    /// EL1 timers (DEN0137 RmiRecExit), and remembers which timer outputs the host now knows.
    func reportInterruptsAndTimers(_ rec: UnsafeMutablePointer<RECState>, _ record: inout RECExitRecord) {
        let gic = rec.pointee.gic
        record.gicHCR = gic.reportedHCR
        for i in 0..<16 { record.setListRegister(i, i < gic.listRegisterCount ? gic.listRegisters[i] : 0) }
        record.gicMISR = gic.maintenanceStatus
        record.gicVMCR = gic.virtualMachineControl
        let timers = rec.pointee.cpu.timers
        record.cntvCTL = timers.cntvCTL
        record.cntvCVAL = timers.cntvCVAL
        record.cntpCTL = timers.cntpCTL
        record.cntpCVAL = timers.cntpCVAL
        rec.pointee.reportedTimers = TimerOutputs(timers)
    }

    /// Writes RmiRecExit, all 2 KiB in one copy of the record (which is kept in its final
    /// layout), so no stale host data or undefined field survives.
    func writeExit(_ r: RECExitRecord, to run: HostPage) -> Bool {
        memory.write(run, offset: Self.runExitOffset, from: r.image)
    }
}
