import AArch64
import RealmLayout
import RealmSupport

// The test realm: a bare-metal program at EL1 that uses only the standard RSI and PSCI ABIs,
// the way a realm written for Arm CCA does, and checks every answer against DEN0137 1.0-rel0
// and DEN0022. It prints through an emulated UART; REC 0 runs the checks, REC 1 is started
// with PSCI CPU_ON. Realm memory layout and host conventions: realm_layout.h.

/// What the realm learns from REALM_CONFIG; the later checks depend on it.
struct RealmConfiguration {
    var ipaWidth: UInt64 = 0
    var digestSize = 32

    var unprotectedBase: UInt64 { 1 << (ipaWidth - 1) }
}

@_cdecl("realm_main")
func realmMain(_ mode: UInt64, _ layout: UInt64, _ sharedPhysical: UInt64, _ devicePhysical: UInt64) -> Never {
    // Without its address space the realm cannot even print: it stops.
    guard AddressSpace.setUp(layout: layout, sharedPhysical: sharedPhysical, devicePhysical: devicePhysical) else {
        systemOff()
    }
    if mode == UInt64(REALM_MODE_BENCHMARK) { RealmBenchmark.run() }
    var banner = LogLine("test realm at EL1: REC 0, MPIDR affinity ")
    banner.hex(read_mpidr_el1() & mpidrAffinity)
    banner.append(mode == UInt64(REALM_MODE_SECOND_REALM) ? ", second realm" : ", full run")
    say(banner)
    if AddressSpace.identityPlaced {
        var placed = LogLine("identity-placed (EL3 image, no stage 2): RAM at ")
        placed.hex(AddressSpace.ramBase)
        placed.append(", shared pages at ")
        placed.hex(AddressSpace.sharedAddress)
        placed.append(", devices at ")
        placed.hex(AddressSpace.uartAddress)
        placed.append(", both through stage-1 NS = 1")
        say(placed)
    }
    if AddressSpace.consoleByHostCall {
        say("console through RSI_HOST_CALL: the emulated UART's access took a synchronous external abort at EL1")
    }

    var checks = RealmChecks()
    let config = InterfaceChecks.run(&checks)
    if mode == UInt64(REALM_MODE_SECOND_REALM) {
        if AddressSpace.identityPlaced {
            checks.notApplicable("second realm: the first realm's secret is not visible",
                                 "without stage 2 a realm reaches any secure physical address (Docs/el3-realms.md)")
        } else {
            IsolationChecks.secretNotVisible(&checks)
        }
    } else if AddressSpace.identityPlaced {
        // The EL3 image: what a CPU without Secure EL2 cannot provide is reported, never passed
        // (Docs/el3-realms.md, "What a realm on this image can do").
        checks.notApplicable("feature ID registers: the realm's view",
                             "no HCR_EL2.TID3 in Secure state without Secure EL2: the realm reads the CPU's own ID registers")
        FeatureRegisterChecks.debugAndPMU(&checks)
        runCommonChecks(&checks, config)
        if AddressSpace.consoleByHostCall {
            checks.notApplicable("MMIO: the emulated UART and the unemulated page through the host",
                                 "this CPU took the unbacked access's external abort at EL1, not at EL3 (SCR_EL3.EA; QEMU 7.2)")
        } else {
            IsolationChecks.unemulated(&checks)
        }
        checks.notApplicable("isolation: RIPAS EMPTY, beyond the IPA space and the TMM's memory abort",
                             "no stage 2: the realm's own stage 1 reaches any physical address")
        checks.notApplicable("stage-1 NS = 1 reaches what NS = 0 reaches",
                             "on this image the NS bit selects the shared half (identity placement)")
        AttestationChecks.run(&checks, config)
    } else {
        FeatureRegisterChecks.run(&checks)
        runCommonChecks(&checks, config)
        IsolationChecks.run(&checks, config)
        NonSecureStage1Checks.run(&checks, config)
        AttestationChecks.run(&checks, config)
        IsolationChecks.leaveSecret()
    }
    checks.summary()
    HostCallChecks.report(checks)
    say("done: PSCI SYSTEM_OFF")
    systemOff()
}

/// MPIDR_EL1.Aff3-Aff0 (bit 31 is RES1, U and MT are not affinity).
let mpidrAffinity: UInt64 = 0xFF_00FF_FFFF

/// REC 1, started by REC 0 with PSCI CPU_ON: says where it runs, records its context id for
/// REC 0 to check, and turns itself off.
nonisolated(unsafe) var secondaryContextID: UInt64 = 0

@_cdecl("realm_secondary_main")
func realmSecondaryMain(_ contextID: UInt64) -> Never {
    AddressSpace.setUpSecondary()
    var line = LogLine("REC 1 online at EL1 (second vCPU): MPIDR affinity ")
    line.hex(read_mpidr_el1() & mpidrAffinity)
    line.append(", context id ")
    line.hex(contextID)
    line.append("; calling PSCI CPU_OFF")
    say(line)
    secondaryContextID = contextID
    SecondaryHandshake.waitUntilAllowed()
    _ = psci(PSCIFunction.cpuOff)
    say("FAIL REC 1: PSCI CPU_OFF returned")
    while true { wfi() }
}

/// Reads and writes of realm memory and shared pages. Realm code runs with the MMU off, where
/// every access is Device memory: single, aligned accesses only.
enum Memory {
    static func load(_ address: UInt64) -> UInt64 { mmio_read64(address) }
    static func store(_ address: UInt64, _ value: UInt64) { mmio_write64(address, value) }
    static func load8(_ address: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: mmio_read64(address & ~7) >> (8 * (address & 7)))
    }

    static func fill(_ address: UInt64, bytes: UInt64, _ value: UInt64) {
        var offset: UInt64 = 0
        while offset < bytes {
            store(address + offset, value)
            offset += 8
        }
    }
}

/// What a realm checks the same way on both images: FP/SIMD, measurements, RIPAS, host calls,
/// shared memory, PSCI and interrupts.
private func runCommonChecks(_ checks: inout RealmChecks, _ config: RealmConfiguration) {
    FPSIMDChecks.run(&checks)
    MeasurementChecks.run(&checks, config)
    MemoryStateChecks.run(&checks, config)
    HostCallChecks.run(&checks)
    SharedMemoryChecks.run(&checks)
    PSCIChecks.run(&checks)
    InterruptChecks.run(&checks)
}
