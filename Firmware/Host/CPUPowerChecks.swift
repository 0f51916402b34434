import AArch64
import HostStorage
import PlatformDefinitions
import Synchronization

// PSCI CPU power management seen from the normal world: start a second CPU, watch it run,
// turn it off and on again, and the error codes for CPUs that do not exist or are already on.

/// Incremented by each CPU that starts at host_secondary_entry.
let secondaryCheckIns = Atomic<UInt32>(0)
/// Set by the boot CPU to ask the secondary CPU to call PSCI CPU_OFF.
let secondaryShouldTurnOff = Atomic<UInt32>(0)

@_cdecl("host_secondary_main")
func hostSecondaryMain(_ contextID: UInt64) -> Never {
    enableHostMMU()
    var line = LogLine("[host] CPU ")
    line.decimal(read_mpidr_el1() & 0xFF)
    line.append(" running at NS-EL2, context id ")
    line.hex(contextID)
    console.print(line)
    secondaryCheckIns.add(1, ordering: .releasing)
    while secondaryShouldTurnOff.load(ordering: .acquiring) == 0 { wfe() }
    secondaryShouldTurnOff.store(0, ordering: .relaxed)
    let result = smc(PSCIFunction.cpuOff)
    // CPU_OFF returns only on failure.
    var failure = LogLine("[host] FAIL CPU_OFF returned ")
    failure.decimal(signed: result.signed)
    console.print(failure)
    while true { wfi() }
}

enum CPUPowerChecks {
    private static let success: UInt64 = 0
    private static let invalidParameters = UInt64(bitPattern: -2)
    private static let alreadyOn = UInt64(bitPattern: -4)
    private static let invalidAddress = UInt64(bitPattern: -9)
    private static let affinityOn: UInt64 = 0
    private static let affinityOff: UInt64 = 1

    static func run(_ checks: inout CheckRecorder) {
        let entry = host_secondary_entry_address()
        checks.expectEqual("PSCI CPU_ON(CPU 1)", smc(PSCIFunction.cpuOn, 1, entry, 0xC1).x0, success)
        checks.expect("CPU 1 runs the host's code", waitForCheckIns(1))
        checks.expectEqual("PSCI AFFINITY_INFO(CPU 1) is ON", smc(PSCIFunction.affinityInfo, 1, 0).x0, affinityOn)
        checks.expectEqual("PSCI CPU_ON(CPU 1) again: ALREADY_ON", smc(PSCIFunction.cpuOn, 1, entry, 0).x0, alreadyOn)
        checks.expectEqual("PSCI CPU_ON(CPU 0, the caller): ALREADY_ON", smc(PSCIFunction.cpuOn, 0, entry, 0).x0, alreadyOn)
        checks.expectEqual("PSCI CPU_ON(MPIDR 0x7, no such CPU): INVALID_PARAMETERS",
                           smc(PSCIFunction.cpuOn, 0x7, entry, 0).x0, invalidParameters)
        checks.expectEqual("PSCI CPU_ON(MPIDR 0x100, no such cluster): INVALID_PARAMETERS",
                           smc(PSCIFunction.cpuOn, 0x100, entry, 0).x0, invalidParameters)
        checks.expectEqual("PSCI CPU_ON(CPU 2, entry in secure memory): INVALID_ADDRESS",
                           smc(PSCIFunction.cpuOn, 2, UInt64(PLAT_SECURE_RAM_BASE), 0).x0, invalidAddress)
        checks.expectEqual("PSCI AFFINITY_INFO(CPU 2) is OFF", smc(PSCIFunction.affinityInfo, 2, 0).x0, affinityOff)
        checks.expectEqual("PSCI AFFINITY_INFO(MPIDR 0x7): INVALID_PARAMETERS",
                           smc(PSCIFunction.affinityInfo, 0x7, 0).x0, invalidParameters)

        secondaryShouldTurnOff.store(1, ordering: .releasing)
        sev()
        checks.expect("CPU 1 turns itself off (PSCI CPU_OFF, AFFINITY_INFO OFF)", waitForAffinity(1, affinityOff))
        checks.expectEqual("PSCI CPU_ON(CPU 1) after CPU_OFF", smc(PSCIFunction.cpuOn, 1, entry, 0xC1).x0, success)
        checks.expect("CPU 1 runs the host's code again", waitForCheckIns(2))
    }

    /// Waits up to ten seconds of the generic timer for `count` check-ins: the counter runs in
    /// host time, and on a loaded host QEMU may not schedule the new CPU's thread for a while.
    private static func waitForCheckIns(_ count: UInt32) -> Bool {
        let deadline = read_cntpct_el0() + 10 * read_cntfrq_el0()
        while read_cntpct_el0() < deadline {
            if secondaryCheckIns.load(ordering: .acquiring) >= count { return true }
        }
        return false
    }

    private static func waitForAffinity(_ cpu: UInt64, _ state: UInt64) -> Bool {
        let deadline = read_cntpct_el0() + 10 * read_cntfrq_el0()
        while read_cntpct_el0() < deadline {
            if smc(PSCIFunction.affinityInfo, cpu, 0).x0 == state { return true }
        }
        return false
    }
}
