// One description of a virtual machine that the VMM, the device models and the device-tree
// generator share, so that what the guest is told (its device tree) and what it finds (the
// models behind the MMIO exits) cannot disagree.
//
// Realms (Arm DEN0137 A2.2.2, "unprotected IPA space"): an IPA with the top bit of the realm's
// IPA space set, 1 << (ipaWidth - 1), is the unprotected ("shared") alias of the IPA without
// it. Linux in a realm reaches emulated devices there: its ioremap of a range whose RIPAS is
// EMPTY maps the shared alias. So for a realm every device address the guest sees (device
// tree, earlycon, MMIO exits) is `base | sharedAliasBit`; RAM stays protected.
//
// Pure Swift without allocation: built into the bare-metal host (Embedded Swift) and into the
// VMMDevices library for host tests and tools.

/// Which emulated device an MMIO access hits, and where in it.
public enum DeviceRegion: Equatable, Sendable {
    /// GICD_* frame (64 KiB).
    case distributor
    /// The redistributors, one RD_base + SGI_base pair (128 KiB) per vCPU, in vCPU order.
    case redistributor
    /// The PL011 (4 KiB).
    case uart
}

/// A kernel command line composed at run time (for instance `earlycon=pl011,<shared alias>`)
/// without a heap, for GuestDeviceTree.write. 2 KiB: keep it in static storage rather than on
/// a bare-metal stack. Not part of VMDescription for that reason: the VMM may as well hand the
/// generator a command line it already has in memory.
public struct BootArguments: Sendable {
    /// Linux's arm64 COMMAND_LINE_SIZE, terminating NUL included: the kernel keeps no more
    /// than capacity - 1 bytes.
    public static let capacity = 2048
    /// The bytes of the command line, no terminating NUL.
    public private(set) var bytes = InlineArray<2048, UInt8>(repeating: 0)
    public private(set) var count = 0
    /// False once an append did not fit; what fitted is kept.
    public private(set) var complete = true

    public init() {}

    public init(_ text: StaticString) { append(text) }

    public mutating func append(_ text: StaticString) {
        let p = text.utf8Start
        for i in 0..<text.utf8CodeUnitCount { append(byte: p[i]) }
    }

    /// The command line's bytes, for GuestDeviceTree.write.
    /// (Mutating only to reach the storage in place rather than copy 2 KiB.)
    public mutating func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let count = self.count
        return try Swift.withUnsafeBytes(of: &bytes) { (raw) throws(E) -> R in try body(UnsafeRawBufferPointer(rebasing: raw[0..<count])) }
    }

    /// Appends bytes from memory (a command line the VMM was handed).
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        for byte in bytes { append(byte: byte) }
    }

    public mutating func append(byte: UInt8) {
        // A NUL would end the bootargs string early.
        guard byte != 0, count < Self.capacity - 1 else { complete = false; return }
        bytes[count] = byte
        count += 1
    }

    /// Appends `value` as 0x-prefixed lower-case hexadecimal without leading zeros.
    public mutating func appendHex(_ value: UInt64) {
        append("0x")
        var started = false
        var shift = 60
        while shift >= 0 {
            let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift) & 0xF)
            if digit != 0 || started || shift == 0 {
                started = true
                append(byte: digit < 10 ? 0x30 + digit : 0x57 + digit)
            }
            shift -= 4
        }
    }
}

/// The four architected timer PPIs as INTIDs (16-31), in the order the arm,armv8-timer
/// binding lists them.
public struct TimerInterrupts: Equatable, Sendable {
    public var securePhysical: UInt32
    public var nonSecurePhysical: UInt32
    public var virtual: UInt32
    public var hypervisor: UInt32

    public init(securePhysical: UInt32, nonSecurePhysical: UInt32, virtual: UInt32, hypervisor: UInt32) {
        self.securePhysical = securePhysical
        self.nonSecurePhysical = nonSecurePhysical
        self.virtual = virtual
        self.hypervisor = hypervisor
    }

    /// Server Base System Architecture recommended INTIDs: 29, 30, 27, 26 (the device tree's
    /// PPI numbers 13, 14, 11, 10).
    public static let sbsa = TimerInterrupts(securePhysical: 29, nonSecurePhysical: 30, virtual: 27, hypervisor: 26)
}

public struct VMDescription: Sendable {
    public static let maxVCPUs = 4
    public static let distributorSize: UInt64 = 0x1_0000
    /// RD_base and SGI_base, 64 KiB each (GICv3 without VLPIs).
    public static let redistributorStride: UInt64 = 0x2_0000
    public static let uartSize: UInt64 = 0x1000
    /// The UART's reference clock the device tree announces (fixed-clock).
    public static let uartClockHz: UInt32 = 24_000_000

    public var ramBase: UInt64
    public var ramSize: UInt64
    /// 1 ... maxVCPUs. vCPU n has MPIDR affinity Aff0 = n.
    public var vcpuCount: Int
    /// Device bases as protected IPAs; the guest sees `guestAddress(_:)` of them.
    public var distributorBase: UInt64
    public var redistributorBase: UInt64
    public var uartBase: UInt64
    /// INTID (32 + the device tree's SPI number) of the UART's interrupt.
    public var uartINTID: UInt32
    public var timer: TimerInterrupts
    /// Guest addresses of the initrd, [start, end); start == end: no initrd.
    public var initrdStart: UInt64 = 0
    public var initrdEnd: UInt64 = 0
    /// The realm's IPA width (RMI realm parameter s2sz); 0 for a VM that is not a realm.
    public var ipaWidth: Int

    public init(ramBase: UInt64, ramSize: UInt64, vcpuCount: Int, distributorBase: UInt64,
                redistributorBase: UInt64, uartBase: UInt64, uartINTID: UInt32,
                timer: TimerInterrupts, ipaWidth: Int) {
        self.ramBase = ramBase
        self.ramSize = ramSize
        self.vcpuCount = vcpuCount
        self.distributorBase = distributorBase
        self.redistributorBase = redistributorBase
        self.uartBase = uartBase
        self.uartINTID = uartINTID
        self.timer = timer
        self.ipaWidth = ipaWidth
    }

    /// The layout this project gives a realm, like QEMU's virt board below 4 GiB so that the
    /// addresses are familiar: GICD 0x0800_0000, GICR 0x080A_0000 (room for 4 vCPUs before
    /// 0x0900_0000), PL011 0x0900_0000 with SPI 1 (INTID 33), RAM from 0x8000_0000 (2 GiB,
    /// a 1 GiB block boundary: the realm's RAM can be mapped without sharing a level-1 table
    /// with the devices). RAM size, vCPU count and IPA width are the VMM's to choose.
    public static func realm(ramSize: UInt64, vcpuCount: Int, ipaWidth: Int) -> VMDescription {
        VMDescription(ramBase: 0x8000_0000, ramSize: ramSize, vcpuCount: vcpuCount,
                      distributorBase: 0x0800_0000, redistributorBase: 0x080A_0000,
                      uartBase: 0x0900_0000, uartINTID: 33, timer: .sbsa,
                      ipaWidth: ipaWidth)
    }

    public var isRealm: Bool { ipaWidth > 0 }

    /// 1 << (ipaWidth - 1) for a realm, else 0.
    public var sharedAliasBit: UInt64 {
        guard ipaWidth > 0 && ipaWidth <= 64 else { return 0 }
        return 1 << UInt64(ipaWidth - 1)
    }

    /// Where the guest finds a device whose base is `base`.
    public func guestAddress(_ base: UInt64) -> UInt64 { base | sharedAliasBit }

    /// Appends `earlycon=pl011,mmio32,<the UART's guest address> ` to the boot arguments:
    /// Linux maps its early console before it asks RSI anything, so in a realm it must be
    /// given the shared alias directly (the device tree describes the protected IPA).
    public func appendEarlyConsoleArgument(to arguments: inout BootArguments) {
        arguments.append("earlycon=pl011,mmio32,")
        arguments.appendHex(guestAddress(uartBase))
        arguments.append(" ")
    }

    public var redistributorRegionSize: UInt64 { UInt64(clampedVCPUCount) * Self.redistributorStride }

    /// vcpuCount limited to 1 ... maxVCPUs, for sizes that must stay in range.
    public var clampedVCPUCount: Int { min(max(vcpuCount, 1), Self.maxVCPUs) }

    /// MPIDR_EL1 affinity fields of vCPU `index` (Aff0 = index), as RMI REC parameters and
    /// the device tree's cpu@n reg carry them.
    public static func mpidr(ofVCPU index: Int) -> UInt64 { UInt64(truncatingIfNeeded: index) & 0xFF }

    /// The device and the offset in it that the guest address `ipa` falls in (the address as
    /// the guest sees it, shared alias included for a realm), or nil.
    public func region(at ipa: UInt64) -> (region: DeviceRegion, offset: UInt64)? {
        if let offset = Self.offset(ipa, in: guestAddress(distributorBase), size: Self.distributorSize) {
            return (.distributor, offset)
        }
        if let offset = Self.offset(ipa, in: guestAddress(redistributorBase), size: redistributorRegionSize) {
            return (.redistributor, offset)
        }
        if let offset = Self.offset(ipa, in: guestAddress(uartBase), size: Self.uartSize) {
            return (.uart, offset)
        }
        return nil
    }

    public var hasInitrd: Bool { initrdEnd > initrdStart }

    public var ramEnd: UInt64 {
        let (end, overflow) = ramBase.addingReportingOverflow(ramSize)
        return overflow ? UInt64.max : end
    }

    private static func offset(_ address: UInt64, in base: UInt64, size: UInt64) -> UInt64? {
        guard address >= base else { return nil }
        let offset = address &- base
        return offset < size ? offset : nil
    }
}
