import AArch64
import PlatformDefinitions
import RealmRun

// The part of running a REC that both images do alike (SEL2/RealmRunner.swift,
// EL3/RECExecution.swift): loading and saving the realm's EL1 registers, EL1 timers and
// FP/SIMD, and keeping a timer the host already knows about from ending the run.

/// PPIs of the EL1 virtual and physical timers (INTID 27 and 30).
private let virtualTimerPPI: UInt32 = 27
private let physicalTimerPPI: UInt32 = 30

func withFPSIMDWords(_ registers: inout FPSIMDRegisters, _ body: (UnsafeMutablePointer<UInt64>) -> Void) {
    withUnsafeMutableBytes(of: &registers) { raw in
        body(raw.baseAddress!.assumingMemoryBound(to: UInt64.self))
    }
}

func saveFPSIMD(into area: UnsafeMutablePointer<tmm_cpu>) {
    withUnsafeMutableBytes(of: &area.pointee.ns_fpsimd) { fpsimd_save_state($0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
}

func restoreFPSIMD(from area: UnsafeMutablePointer<tmm_cpu>) {
    withUnsafeMutableBytes(of: &area.pointee.ns_fpsimd) { fpsimd_restore_state($0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
}

/// The SGI/PPI frame of `cpu`'s redistributor (GICv3: the second 64 KiB frame).
func redistributorSGIFrame(cpu: UInt64) -> UInt64 {
    UInt64(PLAT_GICR_BASE) + cpu * UInt64(PLAT_GICR_STRIDE) + 0x1_0000
}

/// Keeps an EL1 timer whose interrupt the host has already been told about from ending the run
/// at once (Docs/realm-execution.md, "Timers"): its PPI is disabled at this CPU's
/// redistributor for the run and re-enabled afterwards if the host had it enabled.
struct TimerInterruptMask {
    private let enableSet: UInt64
    private let enableClear: UInt64
    private let disabled: UInt32

    init(cpu: UInt64, controls: RealmRunControls) {
        let sgiFrame = redistributorSGIFrame(cpu: cpu)
        enableSet = sgiFrame + 0x100     // GICR_ISENABLER0
        enableClear = sgiFrame + 0x180   // GICR_ICENABLER0
        var mask: UInt32 = 0
        if controls.maskVirtualTimer { mask |= 1 << virtualTimerPPI }
        if controls.maskPhysicalTimer { mask |= 1 << physicalTimerPPI }
        let wereEnabled = mask == 0 ? 0 : mmio_read32(enableSet) & mask
        disabled = wereEnabled
        if wereEnabled != 0 {
            mmio_write32(enableClear, wereEnabled)
            dsb_sy()
        }
    }

    func restore() {
        if disabled != 0 { mmio_write32(enableSet, disabled) }
    }
}

extension RealmEL1Registers {
    static func current() -> RealmEL1Registers {
        var r = RealmEL1Registers()
        r.sctlr = read_sctlr_el1(); r.cpacr = read_cpacr_el1(); r.csselr = read_csselr_el1()
        r.ttbr0 = read_ttbr0_el1(); r.ttbr1 = read_ttbr1_el1(); r.tcr = read_tcr_el1()
        r.mair = read_mair_el1(); r.amair = read_amair_el1(); r.vbar = read_vbar_el1()
        r.contextidr = read_contextidr_el1(); r.tpidrEL0 = read_tpidr_el0(); r.tpidrroEL0 = read_tpidrro_el0()
        r.tpidrEL1 = read_tpidr_el1(); r.spEL0 = read_sp_el0(); r.spEL1 = read_sp_el1()
        r.elr = read_elr_el1(); r.spsr = read_spsr_el1(); r.esr = read_esr_el1(); r.far = read_far_el1()
        r.afsr0 = read_afsr0_el1(); r.afsr1 = read_afsr1_el1(); r.par = read_par_el1()
        r.mdscr = read_mdscr_el1(); r.cntkctl = read_cntkctl_el1()
        return r
    }

    func load() {
        write_sctlr_el1(sctlr); write_cpacr_el1(cpacr); write_csselr_el1(csselr)
        write_ttbr0_el1(ttbr0); write_ttbr1_el1(ttbr1); write_tcr_el1(tcr)
        write_mair_el1(mair); write_amair_el1(amair); write_vbar_el1(vbar)
        write_contextidr_el1(contextidr); write_tpidr_el0(tpidrEL0); write_tpidrro_el0(tpidrroEL0)
        write_tpidr_el1(tpidrEL1); write_sp_el0(spEL0); write_sp_el1(spEL1)
        write_elr_el1(elr); write_spsr_el1(spsr); write_esr_el1(esr); write_far_el1(far)
        write_afsr0_el1(afsr0); write_afsr1_el1(afsr1); write_par_el1(par)
        write_mdscr_el1(mdscr); write_cntkctl_el1(cntkctl)
    }
}

extension RealmTimerRegisters {
    static func current() -> RealmTimerRegisters {
        var t = RealmTimerRegisters()
        t.cntvCTL = read_cntv_ctl_el0(); t.cntvCVAL = read_cntv_cval_el0()
        t.cntpCTL = read_cntp_ctl_el0(); t.cntpCVAL = read_cntp_cval_el0()
        return t
    }

    /// Compare values first, so that enabling a timer never fires it against a stale one.
    func load() {
        write_cntv_ctl_el0(0); write_cntp_ctl_el0(0)
        write_cntv_cval_el0(cntvCVAL); write_cntp_cval_el0(cntpCVAL)
        write_cntv_ctl_el0(cntvCTL); write_cntp_ctl_el0(cntpCTL)
    }
}
