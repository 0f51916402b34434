import PlatformDefinitions

// What the user asked the VMM to boot as a Linux realm, as the run script (Tools/run_qemu.py
// --linux-realm) leaves it in normal-world DRAM with QEMU's generic loader: a one-page manifest
// at PLAT_VMM_MANIFEST_BASE, the kernel Image at PLAT_VMM_KERNEL_BASE, the initramfs at
// PLAT_VMM_INITRD_BASE and, optionally, a device tree at PLAT_VMM_DTB_BASE.
//
// Manifest layout (little-endian, Docs/linux-realm.md):
//   0x000  magic "TMMLNXR1"
//   0x008  kernel Image size in bytes
//   0x010  initramfs size in bytes (0: none)
//   0x018  device tree size in bytes (0: the VMM describes the realm itself)
//   0x020  realm RAM in bytes (a multiple of 2 MiB)
//   0x028  vCPUs (1-4)
//   0x030  command line length in bytes (without a terminating NUL)
//   0x038  flags: bit 0 = the console is interactive (host input goes to the realm's UART)
//   0x100  command line (at most 3840 bytes)

struct LinuxBootManifest {
    static let magic: UInt64 = 0x3152_584E_4C4D_4D54   // "TMMLNXR1"
    static let commandLineOffset = 0x100
    static let commandLineMax: UInt64 = 0x1000 - 0x100
    static let maxVCPUs: UInt64 = 4
    static let minimumMemory: UInt64 = 32 << 20
    static let maximumMemory: UInt64 = 1 << 30

    let kernelSize: UInt64
    let initrdSize: UInt64
    let dtbSize: UInt64
    let memorySize: UInt64
    let vcpus: UInt64
    let commandLineLength: UInt64
    let interactive: Bool

    static var kernelAddress: UInt64 { UInt64(PLAT_VMM_KERNEL_BASE) }
    static var initrdAddress: UInt64 { UInt64(PLAT_VMM_INITRD_BASE) }
    static var dtbAddress: UInt64 { UInt64(PLAT_VMM_DTB_BASE) }
    static var commandLineAddress: UInt64 { UInt64(PLAT_VMM_MANIFEST_BASE) + UInt64(commandLineOffset) }

    var commandLine: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(Self.commandLineAddress)), count: Int(commandLineLength))
    }

    /// The manifest, or why it cannot be used (printed as it is).
    static func read() -> Result<LinuxBootManifest, LinuxRealmError> {
        let base = UnsafeRawPointer(bitPattern: UInt(PLAT_VMM_MANIFEST_BASE))!
        func word(_ offset: Int) -> UInt64 { base.load(fromByteOffset: offset, as: UInt64.self) }
        guard word(0x000) == magic else { return .failure(LinuxRealmError("no Linux realm manifest at PLAT_VMM_MANIFEST_BASE (run it with make run-realm)")) }
        let manifest = LinuxBootManifest(kernelSize: word(0x008), initrdSize: word(0x010), dtbSize: word(0x018),
                                         memorySize: word(0x020), vcpus: word(0x028), commandLineLength: word(0x030),
                                         interactive: word(0x038) & 1 != 0)
        guard manifest.kernelSize > 0 && manifest.kernelSize <= UInt64(PLAT_VMM_KERNEL_MAX_SIZE) else {
            return .failure(LinuxRealmError("the kernel Image is empty or larger than the 64 MiB load slot", manifest.kernelSize))
        }
        guard manifest.initrdSize <= UInt64(PLAT_VMM_INITRD_MAX_SIZE) else {
            return .failure(LinuxRealmError("the initramfs is larger than its load slot", manifest.initrdSize))
        }
        guard manifest.dtbSize <= UInt64(PLAT_VMM_DTB_MAX_SIZE) else {
            return .failure(LinuxRealmError("the device tree is larger than its load slot", manifest.dtbSize))
        }
        guard manifest.memorySize >= minimumMemory && manifest.memorySize <= maximumMemory
                && manifest.memorySize & (2 << 20 - 1) == 0 else {
            return .failure(LinuxRealmError("realm RAM must be a multiple of 2 MiB from 32 MiB to 1 GiB", manifest.memorySize))
        }
        guard manifest.vcpus >= 1 && manifest.vcpus <= maxVCPUs else {
            return .failure(LinuxRealmError("a realm has 1 to 4 vCPUs", manifest.vcpus))
        }
        guard manifest.commandLineLength <= commandLineMax else {
            return .failure(LinuxRealmError("the command line is longer than 3840 bytes", manifest.commandLineLength))
        }
        return .success(manifest)
    }
}

/// Why the VMM cannot boot or run the Linux realm: printed on the console, never a trap.
struct LinuxRealmError: Error {
    var line: LogLine

    init(_ text: StaticString) { line = LogLine(text) }

    init(_ text: StaticString, _ value: UInt64) {
        line = LogLine(text)
        line.append(" (")
        line.hex(value)
        line.append(")")
    }

    init(_ error: VMMError) {
        line = LogLine("RMI")
        line.append(error.detail)
    }
}
