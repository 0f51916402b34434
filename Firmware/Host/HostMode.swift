import PlatformDefinitions

/// What the host does after booting, read from a word in normal-world DRAM that the QEMU
/// command line sets (`-device loader,addr=PLAT_HOST_MODE_ADDR,data=N,data-len=4`); absent, it is 0.
enum HostMode: UInt32 {
    /// Check the firmware's interfaces, then PSCI SYSTEM_OFF.
    case checks = 0
    /// Measure RMI round trips with the cycle counter, then SYSTEM_OFF.
    case benchmark = 1
    /// Call PSCI SYSTEM_RESET (QEMU with -no-reboot exits on it).
    case systemReset = 2
    /// The checks of mode 0, but the VMM only builds and destroys its realms without running
    /// them (the system tests run the test realm in a test of its own).
    case checksWithoutRealmRuns = 3
    /// Boot the Linux realm the run script placed in DRAM (LinuxRealmVMM), then SYSTEM_OFF.
    case linuxRealm = 4
    /// Boot the same Linux guest as an ordinary VM at Non-secure EL1 under the host's own
    /// stage 2 (NormalVMM), then SYSTEM_OFF.
    case linuxNormalVM = 5

    static let address = UInt64(PLAT_HOST_MODE_ADDR)

    static var requested: HostMode {
        let word = UnsafePointer<UInt32>(bitPattern: UInt(address))!.pointee
        return HostMode(rawValue: word) ?? .checks
    }
}
