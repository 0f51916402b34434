// The contract between the core's REC run loop and the hardware that runs a REC for one
// stretch: what the hardware loads before entering the realm, what it saves when the realm
// stops, and why it stopped. Everything a realm can observe lives in `RealmCPUState`, kept in
// the REC granule; the core decides everything (RSI, PSCI, aborts, interrupt emulation,
// exception injection) and the hardware only switches state and runs.
//
// `TMMHardware.runRealm(_:realm:controls:)` runs the realm once:
//   1. load every field of `RealmCPUState` into the CPU exactly as it is (the core has already
//      injected any synchronous exception by editing PC, PSTATE and the EL1 registers: the
//      hardware never changes the state before entry);
//   2. run the realm at EL1 under the realm's stage 2 (`RealmExecutionInfo`), with WFI/WFE
//      trapped as `RealmRunControls` says, SMC and HVC trapped, the realm kept off the
//      physical GIC CPU interface (its ICC_* accesses trap as system-register accesses, EC
//      0x18), SVE/SME trapped, and the timers masked as the controls say;
//   3. at the first exception taken to the TMM, save every field back: `pc` is ELR_EL2 as the
//      architecture sets it (the trapping instruction for SMC, WFx and system-register traps,
//      the next instruction for HVC, the faulting one for aborts), `pstate` is SPSR_EL2;
//      timer CVALs are in the host's counter view (any CNTVOFF the hardware applies removed);
//      and return why as a `RealmHardwareExit`.
// The core decodes everything else from the syndrome; the hardware reports, never decides.
//
// Docs/realm-execution.md explains how the S-EL2 image implements this on TrustZone.

/// The realm's EL1 system registers (the ones a realm at EL1/EL0 can read or write and that
/// differ per vCPU). Names as in the Arm ARM.
public struct RealmEL1Registers: Equatable, Sendable {
    public var sctlr: UInt64 = 0
    public var cpacr: UInt64 = 0
    public var csselr: UInt64 = 0
    public var ttbr0: UInt64 = 0
    public var ttbr1: UInt64 = 0
    public var tcr: UInt64 = 0
    public var mair: UInt64 = 0
    public var amair: UInt64 = 0
    public var vbar: UInt64 = 0
    public var contextidr: UInt64 = 0
    public var tpidrEL0: UInt64 = 0
    public var tpidrroEL0: UInt64 = 0
    public var tpidrEL1: UInt64 = 0
    public var spEL0: UInt64 = 0
    public var spEL1: UInt64 = 0
    public var elr: UInt64 = 0
    public var spsr: UInt64 = 0
    public var esr: UInt64 = 0
    public var far: UInt64 = 0
    public var afsr0: UInt64 = 0
    public var afsr1: UInt64 = 0
    public var par: UInt64 = 0
    public var mdscr: UInt64 = 0
    public var cntkctl: UInt64 = 0

    public init() {}
}

/// The realm's EL1 virtual and physical timers (CNTV_*_EL0, CNTP_*_EL0).
public struct RealmTimerRegisters: Equatable, Sendable {
    public var cntvCTL: UInt64 = 0
    public var cntvCVAL: UInt64 = 0
    public var cntpCTL: UInt64 = 0
    public var cntpCVAL: UInt64 = 0

    public init() {}
}

/// The realm's FP/SIMD registers: Q0-Q31 as 64 little-endian doublewords, FPSR, FPCR.
public struct FPSIMDRegisters: Equatable, Sendable {
    public var q: InlineArray<64, UInt64> = InlineArray(repeating: 0)
    public var fpsr: UInt64 = 0
    public var fpcr: UInt64 = 0

    public init() {}

    public static func == (a: FPSIMDRegisters, b: FPSIMDRegisters) -> Bool {
        guard a.fpsr == b.fpsr, a.fpcr == b.fpcr else { return false }
        for i in 0..<64 where a.q[i] != b.q[i] { return false }
        return true
    }
}

/// Everything the realm can observe of its CPU, loaded before each run and saved after it.
public struct RealmCPUState: Equatable, Sendable {
    public var gprs: InlineArray<31, UInt64> = InlineArray(repeating: 0)
    public var pc: UInt64 = 0
    /// PSTATE in SPSR_EL2 format (M[3:0], DAIF, NZCV, ...).
    public var pstate: UInt64 = 0
    public var el1 = RealmEL1Registers()
    public var timers = RealmTimerRegisters()
    public var fpsimd = FPSIMDRegisters()

    public init() {}

    public static func == (a: RealmCPUState, b: RealmCPUState) -> Bool {
        guard a.pc == b.pc, a.pstate == b.pstate, a.el1 == b.el1, a.timers == b.timers,
              a.fpsimd == b.fpsimd else { return false }
        for i in 0..<31 where a.gprs[i] != b.gprs[i] { return false }
        return true
    }
}

/// How the hardware must run the realm this time.
public struct RealmRunControls: Equatable, Sendable {
    /// RmiRecEnter.flags TRAP_WFI / TRAP_WFE: WFI/WFE exit to the core instead of waiting.
    public var trapWFI = false
    public var trapWFE = false
    /// Keep the realm's virtual / physical EL1 timer from raising its physical interrupt while
    /// it runs (TF-RMM's CNTHCTL_EL2.CNTVMASK / CNTPMASK): set when the timer has fired and the
    /// host already knows, so the realm can run its handler instead of exiting at once.
    public var maskVirtualTimer = false
    public var maskPhysicalTimer = false
    /// The emulated GIC CPU interface signals an interrupt that PSTATE.I masks: end the run
    /// (`RealmHardwareExit.interruptWindow`) once the realm may have unmasked IRQs, so that the
    /// core takes the interrupt into it then, as a CPU interface would (VMX calls this
    /// "interrupt-window exiting"). Ideally exactly at the unmask; a platform that cannot stops
    /// the run periodically while this is set and the core looks again (Docs/realm-execution.md:
    /// QEMU 7.2 gives Secure EL1 no usable hardware virtual IRQ).
    public var interruptWindow = false
    /// With `interruptWindow`: the realm has just been woken from WFI by the interrupt it
    /// masks. An OS idle loop (Linux do_idle) unmasks IRQs a few instructions later and masks
    /// them again before its next WFI, which traps long before a full period: a platform that
    /// polls must look within a few instructions, at a different point each time, or it only
    /// ever sees the realm masked (under QEMU -icount the phase never drifts, and the realm
    /// idles with its timer interrupt pending for ever).
    public var interruptWindowAfterWFI = false

    public init() {}
}

/// Realm-wide values the hardware needs to run a REC of the realm. All of them are fixed for
/// the realm's life (set at REALM_CREATE / REC_CREATE).
public struct RealmExecutionInfo: Equatable, Sendable {
    public var vmid: UInt16
    /// Physical address of the first starting-level RTT (VSTTBR_EL2/VTTBR_EL2.BADDR).
    public var rttBase: PhysicalAddress
    /// The realm's IPA width (VSTCR_EL2.T0SZ = 64 - ipaWidth) and RTT starting level (SL0).
    public var ipaWidth: UInt8
    public var startLevel: Int8
    /// Number of concatenated starting-level tables at `rttBase`.
    public var rootTableCount: UInt8
    public var recIndex: UInt64
    /// The REC's MPIDR (RmiRecMpidr encoding, RmiRecParams.mpidr).
    public var mpidr: UInt64

    /// What the realm reads as MPIDR_EL1 (the VMPIDR_EL2 value): the REC's affinity fields
    /// with bit 31 set, which MPIDR_EL1 defines as RES1 (Arm ARM D24.2 MPIDR_EL1; TF-RMM rel0
    /// sets VMPIDR_EL2_RES1 the same way). U (bit 30) and MT (bit 24) stay 0: a realm's vCPUs
    /// are a multiprocessor system of single-threaded PEs.
    public var mpidrEL1: UInt64 { mpidr | 1 << 31 }

    public init(vmid: UInt16, rttBase: PhysicalAddress, ipaWidth: UInt8, startLevel: Int8, rootTableCount: UInt8,
                recIndex: UInt64, mpidr: UInt64) {
        self.vmid = vmid
        self.rttBase = rttBase
        self.ipaWidth = ipaWidth
        self.startLevel = startLevel
        self.rootTableCount = rootTableCount
        self.recIndex = recIndex
        self.mpidr = mpidr
    }
}

/// Why the realm stopped, as the hardware saw it. The core turns it into a REC exit or handles
/// it and runs the realm again.
public enum RealmHardwareExit: Equatable, Sendable {
    /// A synchronous exception taken to the TMM: ESR_EL2, FAR_EL2, HPFAR_EL2 at the time.
    case synchronous(esr: UInt64, far: UInt64, hpfar: UInt64)
    /// A physical interrupt that must go to the host, named as the host's world would take it
    /// (RMI_EXIT_IRQ / RMI_EXIT_FIQ): its own Non-secure Group 1 interrupts are IRQs even
    /// where the CPU signals them as FIQ while a realm runs (TrustZone's Secure state).
    case irq
    case fiq
    /// A physical SError: ESR_EL2.
    case serror(esr: UInt64)
    /// The run ended because `RealmRunControls.interruptWindow` asked for it; nothing for the
    /// host.
    case interruptWindow
}
