// The REC run loop inside RMI_REC_ENTER (TF-RMM rel0 runtime/core/run.c rec_run_loop and
// exit.c handle_realm_exit): run the realm, handle what the TMM can handle itself (RSI and
// PSCI calls, aborts it answers with an exception, GIC register accesses) and run it again,
// until something needs the host; that becomes the REC exit.

extension TMM {
    func runLoop(_ rec: UnsafeMutablePointer<RECState>, realm: FixedRealmAttributes, info: RealmExecutionInfo,
                 entryFlags: UInt64, _ record: inout RECExitRecord) {
        var wokeFromWFI = false
        while true {
            // A timer whose output changed since the host last saw it: tell the host first
            // (TF-RMM check_pending_timers), so it can update the interrupt it injects.
            if TimerOutputs(rec.pointee.cpu.timers) != rec.pointee.reportedTimers {
                record.reason = RECExitRecord.irq
                return
            }
            // The emulated interface signals an interrupt: the realm takes it as soon as PSTATE.I
            // lets it. Unmasked now: the IRQ exception is taken at once (injected here: this
            // platform has no hardware virtual IRQ for Secure EL1). Masked: the run must stop
            // once the realm unmasks (interrupt window), and this loop looks again.
            var controls = RealmRunControls()
            if rec.pointee.gic.signalled != nil {
                if rec.pointee.cpu.pstate & RealmPSTATE.i == 0 { RealmException.injectIRQ(&rec.pointee.cpu) }
                controls.interruptWindow = rec.pointee.cpu.pstate & RealmPSTATE.i != 0
                controls.interruptWindowAfterWFI = controls.interruptWindow && wokeFromWFI
            }
            // With an interrupt waiting behind PSTATE.I, WFI must complete at once (handled
            // here, never the host's), not sleep until the window closes.
            controls.trapWFI = entryFlags & RECEntryFlags.trapWFI != 0 || controls.interruptWindow
            controls.trapWFE = entryFlags & RECEntryFlags.trapWFE != 0
            // A timer that has fired, and that the host knows about, must not keep exiting
            // the realm before its handler runs (TF-RMM CNTHCTL_EL2.CNTVMASK/CNTPMASK).
            controls.maskVirtualTimer = rec.pointee.reportedTimers.virtualAsserted
            controls.maskPhysicalTimer = rec.pointee.reportedTimers.physicalAsserted

            let exit = hardware.runRealm(&rec.pointee.cpu, realm: info, controls: controls)
            // A masked interrupt wakes WFI at once (handleSynchronous) and the realm runs on.
            wokeFromWFI = false
            if controls.interruptWindow, case .synchronous(let esr, _, _) = exit,
               ExceptionClass.of(esr) == ExceptionClass.wfx, WFxSyndrome.isWFI(esr) {
                wokeFromWFI = true
            }
            guard handleRealmExit(exit, rec, realm, &record) else { return }
        }
    }

    /// True to run the realm again; false when `record` holds a REC exit for the host.
    func handleRealmExit(_ exit: RealmHardwareExit, _ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                         _ record: inout RECExitRecord) -> Bool {
        switch exit {
        case .irq:
            record.reason = RECExitRecord.irq
            return false
        case .fiq:
            record.reason = RECExitRecord.fiq
            return false
        case .interruptWindow:
            return true
        case .serror(let esr):
            // Reported, never handled here: the host decides (TF-RMM reports the containable
            // error types; the realm learns nothing from this TMM, which injects no SError).
            record.reason = RECExitRecord.serror
            record.esr = esr & SErrorSyndrome.hostVisibleMask
            rec.pointee.lastExitESR = record.esr
            return false
        case .synchronous(let esr, let far, let hpfar):
            record.reason = RECExitRecord.sync
            return handleSynchronous(esr: esr, far: far, hpfar: hpfar, rec, realm, &record)
        }
    }

    private func handleSynchronous(esr: UInt64, far: UInt64, hpfar: UInt64, _ rec: UnsafeMutablePointer<RECState>,
                                   _ realm: FixedRealmAttributes, _ record: inout RECExitRecord) -> Bool {
        switch ExceptionClass.of(esr) {
        case ExceptionClass.wfx:
            // WFI completes when the CPU interface signals an interrupt, even one PSTATE.I masks
            // (Arm ARM D1 "Wait for Interrupt"; Linux idles that way): no need for the host.
            if WFxSyndrome.isWFI(esr) && rec.pointee.gic.signalled != nil {
                rec.pointee.cpu.pc &+= 4
                return true
            }
            // Otherwise the host decides what waiting means; the instruction is done when the
            // realm runs again.
            record.esr = esr & WFxSyndrome.hostVisibleMask
            rec.pointee.lastExitESR = record.esr
            rec.pointee.cpu.pc &+= 4
            return false
        case ExceptionClass.hvc64, ExceptionClass.hvc32:
            // Realms have no hypervisor to call: HVC is an undefined instruction. ELR_EL2 of an
            // HVC is the next instruction; the undefined instruction is the HVC itself.
            RealmException.injectUndefined(&rec.pointee.cpu, at: rec.pointee.cpu.pc &- 4)
            return true
        case ExceptionClass.smc64:
            return handleSMC(rec, realm, &record)
        case ExceptionClass.systemRegister:
            return handleSystemRegisterTrap(esr, rec, &record)
        case ExceptionClass.sve, ExceptionClass.sme:
            // Realms get no SVE or SME (RMI FEATURES reports SVE_EN = 0).
            RealmException.injectUndefined(&rec.pointee.cpu, at: rec.pointee.cpu.pc)
            return true
        case ExceptionClass.dataAbortLower:
            return handleDataAbort(esr: esr, far: far, hpfar: hpfar, rec, realm, &record)
        case ExceptionClass.instructionAbortLower:
            return handleInstructionAbort(esr: esr, far: far, hpfar: hpfar, rec, realm, &record)
        default:
            // Nothing the TMM expects the hardware to trap. The host learns only that the
            // REC stopped (TF-RMM rel0 reports such exits with ESR, FAR and HPFAR zero).
            rec.pointee.lastExitESR = 0
            return false
        }
    }

    /// A trapped MSR/MRS or system instruction (ESR EC 0x18). Feature ID reads get the
    /// realm's view (RealmFeatureRegisters); ICC_* accesses go to the emulated GIC interface;
    /// CPACR_EL1 is the realm's with only FPEN implemented (RealmCPACR); everything else the TMM traps (debug, PMU, LORegion, auxiliary and implementation
    /// defined registers, set/way cache maintenance) is RAZ/WI, as TF-RMM rel0 treats it: these
    /// features are not given to realms, and an OS that touches them at boot (Linux writes
    /// MDSCR_EL1 and OSLAR_EL1 in its CPU set-up) must carry on, not take UNDEFINED.
    /// An SGI register write is the one access the host emulates: a SYNC exit with the trap's
    /// syndrome and the value written in gprs[0] (TF-RMM rel0 handle_icc_el1_sysreg_trap,
    /// emulate_sysreg_access_ns), the PC past the MSR; being a write, REC_ENTER has nothing to
    /// write back. True to run the realm again.
    private func handleSystemRegisterTrap(_ esr: UInt64, _ rec: UnsafeMutablePointer<RECState>,
                                          _ record: inout RECExitRecord) -> Bool {
        let access = SystemRegisterAccess(esr: esr)
        let written = access.rt == 31 ? 0 : rec.pointee.cpu.gprs[access.rt]
        var read: UInt64 = 0
        switch access.group {
        case .featureID:
            // The ID registers are read-only: an MSR to one is UNDEFINED.
            guard access.isRead else {
                RealmException.injectUndefined(&rec.pointee.cpu, at: rec.pointee.cpu.pc)
                return true
            }
            read = RealmFeatureRegisters.value(crm: access.crm, op2: access.op2, cpu: capabilities.featureRegisters)
        case .gicCPUInterface:
            switch rec.pointee.gic.access(access, value: written) {
            case .undefined:
                RealmException.injectUndefined(&rec.pointee.cpu, at: rec.pointee.cpu.pc)
                return true
            case .value(let v):
                read = v
            case .forwardToHost:
                record.esr = esr & SystemRegisterSyndrome.hostVisibleMask
                record[gpr: 0] = written
                rec.pointee.lastExitESR = record.esr
                rec.pointee.cpu.pc &+= 4
                return false
            }
        case .architecturalFeatureAccessControl:
            // CPACR_EL1: the realm owns FPEN; the rest stays zero (RealmCPACR).
            if access.isRead {
                read = rec.pointee.cpu.el1.cpacr & RealmCPACR.realmBits
            } else {
                rec.pointee.cpu.el1.cpacr = RealmCPACR.written(written)
            }
        case .other:
            read = 0
        }
        if access.isRead && access.rt != 31 { rec.pointee.cpu.gprs[access.rt] = read }
        rec.pointee.cpu.pc &+= 4
        return true
    }

    /// Data aborts (DEN0137 A5.2 "realm access to memory", TF-RMM rel0 exit.c
    /// handle_data_abort): outside the IPA space or at a protected IPA with RIPAS EMPTY the
    /// realm gets a synchronous external abort; at a protected IPA otherwise the host must map
    /// or refuse the page and learns only the fault; at an unprotected IPA the host may emulate
    /// the access and learns its size, direction and (for a write) the value.
    private func handleDataAbort(esr: UInt64, far: UInt64, hpfar: UInt64, _ rec: UnsafeMutablePointer<RECState>,
                                 _ realm: FixedRealmAttributes, _ record: inout RECExitRecord) -> Bool {
        if DataAbortSyndrome.isExternalAbort(esr) { return reportExternalAbort(esr: esr, far: far, rec, &record) }
        let ipa = DataAbortSyndrome.faultingIPA(hpfar: hpfar)
        if ipa >= realm.ipaSize || (realm.isProtected(ipa) && ripasRun(realm, from: ipa, end: ipa &+ granuleSize)?.ripas == .empty) {
            RealmException.injectSynchronousExternalAbort(&rec.pointee.cpu, esr: esr, far: far)
            return true
        }
        record.hpfar = DataAbortSyndrome.sanitizedHPFAR(hpfar)
        rec.pointee.lastExitHPFAR = record.hpfar
        rec.pointee.lastExitFAR = far
        // AArch32 accesses are never emulated (TF-RMM fixup_aarch32_data_abort).
        if realm.isProtected(ipa) || rec.pointee.cpu.pstate & RealmPSTATE.aarch32 != 0 {
            record.esr = esr & DataAbortSyndrome.nonEmulatedMask
            rec.pointee.lastExitESR = esr & ~DataAbortSyndrome.isv
            return false
        }
        if DataAbortSyndrome.isWrite(esr) && DataAbortSyndrome.isValidSyndrome(esr) {
            let rt = DataAbortSyndrome.register(esr)
            record[gpr: 0] = rt == 31 ? 0 : rec.pointee.cpu.gprs[rt] & DataAbortSyndrome.accessMask(esr)
        }
        record.esr = esr & DataAbortSyndrome.emulatedMask
        // Only the offset within the page: the page itself is in HPFAR.
        record.far = far & (granuleSize - 1)
        rec.pointee.lastExitESR = esr
        return false
    }

    /// Instruction aborts (TF-RMM rel0 handle_instruction_abort): a realm executing outside
    /// its protected RAM gets a synchronous external abort; a protected page the host has not
    /// mapped is reported like a non-emulatable data abort.
    private func handleInstructionAbort(esr: UInt64, far: UInt64, hpfar: UInt64, _ rec: UnsafeMutablePointer<RECState>,
                                        _ realm: FixedRealmAttributes, _ record: inout RECExitRecord) -> Bool {
        if DataAbortSyndrome.isExternalAbort(esr) { return reportExternalAbort(esr: esr, far: far, rec, &record) }
        let ipa = DataAbortSyndrome.faultingIPA(hpfar: hpfar)
        if ipa >= realm.ipaSize || !realm.isProtected(ipa)
            || ripasRun(realm, from: ipa, end: ipa &+ granuleSize)?.ripas == .empty {
            RealmException.injectSynchronousExternalAbort(&rec.pointee.cpu, esr: esr, far: far)
            return true
        }
        rec.pointee.lastExitESR = 0
        // Anything but a translation fault cannot happen with the RMM's mappings; the host
        // learns only that the REC stopped (TF-RMM rel0).
        guard DataAbortSyndrome.isTranslationFault(esr) else { return false }
        record.esr = esr & DataAbortSyndrome.nonEmulatedMask
        record.hpfar = DataAbortSyndrome.sanitizedHPFAR(hpfar)
        rec.pointee.lastExitESR = record.esr
        rec.pointee.lastExitHPFAR = record.hpfar
        return false
    }

    /// A synchronous external abort is always reported (class, error type, fault status; FAR
    /// and HPFAR are not meaningful for it). Unless the error is restartable, the realm also
    /// takes it as a synchronous external abort (TF-RMM rel0 handle_sync_external_abort; an
    /// uncontainable error, which TF-RMM treats as fatal to the system, is handled like a
    /// recoverable one here: firmware does not stop the machine on the realm's behalf).
    private func reportExternalAbort(esr: UInt64, far: UInt64, _ rec: UnsafeMutablePointer<RECState>,
                                     _ record: inout RECExitRecord) -> Bool {
        if esr & DataAbortSyndrome.setMask != DataAbortSyndrome.setRestartable {
            RealmException.injectSynchronousExternalAbort(&rec.pointee.cpu, esr: esr, far: far)
        }
        record.esr = esr & DataAbortSyndrome.nonEmulatedMask
        rec.pointee.lastExitESR = record.esr & ~DataAbortSyndrome.isv
        return false
    }
}
