import AArch64
import HostStorage
import PlatformDefinitions
import Synchronization

// The project's normal-world host at Non-secure EL2: the seed of the hypervisor-side driver.
// It checks the firmware's interfaces from the outside, the way a hypervisor uses them, and
// reports each check on the normal world's console.

@_cdecl("host_main")
func hostMain(_ deviceTree: UInt64) -> Never {
    enableHostMMU()
    // The console the firmware's device tree names (before the first line is printed).
    _ = HostConsoleSetup.useDeviceTreeConsole(deviceTree: deviceTree)
    console.uart.enable()
    var banner = LogLine("[host] normal-world host at NS-EL2, device tree at ")
    banner.hex(deviceTree)
    console.print(banner)

    switch HostMode.requested {
    case .benchmark:
        Benchmark.run()
        DataCreateBenchmark.run(deviceTree: deviceTree)
        RealmRoundTripBenchmark.run(deviceTree: deviceTree)
        console.print("[host] done: PSCI SYSTEM_OFF")
        PSCIClient.systemOff()
    case .systemReset:
        console.print("[host] calling PSCI SYSTEM_RESET")
        console.uart.flush()
        _ = smc(PSCIFunction.systemReset)
        console.print("[host] FAIL PSCI SYSTEM_RESET returned")
        PSCIClient.systemOff()
    case .linuxRealm:
        LinuxRealmVMM.run(deviceTree: deviceTree)
        console.print("[host] done: PSCI SYSTEM_OFF")
        PSCIClient.systemOff()
    case .linuxNormalVM:
        NormalVMM.run()
        console.print("[host] done: PSCI SYSTEM_OFF")
        PSCIClient.systemOff()
    case .checks, .checksWithoutRealmRuns:
        break
    }

    var checks = CheckRecorder()
    let tree = DeviceTreeChecks.run(&checks, deviceTree: deviceTree)
    FirmwareInterfaceChecks.run(&checks)
    CPUPowerChecks.run(&checks)
    SecureMemoryChecks.run(&checks, pool: tree.pool)
    RealmLifecycleChecks.run(&checks, pool: tree.pool)
    RealmPreemptionChecks.run(&checks, pool: tree.pool)
    NormalPageDelegationChecks.run(&checks)
    VMMChecks.run(&checks, pool: tree.pool, runRealms: HostMode.requested == .checks)

    checks.summary()
    console.print("[host] done: PSCI SYSTEM_OFF")
    PSCIClient.systemOff()
}
