// The ordinary (non-realm) VM the host runs for comparison with a realm (Firmware/Host/
// NormalVM): the realm's layout without a shared alias. Its guest reaches every device at the
// address the device tree gives, so the generated tree differs from the realm's only where the
// VMM writes an address outside the tree: the earlycon word of /chosen/bootargs
// (BootArguments.appendEarlyConsole).

extension VMDescription {
    public static func normalVM(ramSize: UInt64, vcpuCount: Int) -> VMDescription {
        realm(ramSize: ramSize, vcpuCount: vcpuCount, ipaWidth: 0)
    }
}
