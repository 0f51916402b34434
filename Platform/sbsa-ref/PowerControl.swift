import AArch64
import PlatformDefinitions

/// sbsa-ref's power controller: the secure embedded controller (QEMU hw/misc/sbsa_ec.c). A
/// 32-bit write of the command to its first register powers the machine off or reboots it.
enum PowerControl {
    private static let commandRegister = UInt64(PLAT_EC_BASE)

    private static func command(_ value: UInt32) -> Never {
        mmio_write32(commandRegister, value)
        while true { wfi() }
    }

    static func systemOff() -> Never {
        console.uart.flush()
        command(UInt32(PLAT_EC_POWEROFF))
    }

    static func systemReset() -> Never {
        console.uart.flush()
        command(UInt32(PLAT_EC_REBOOT))
    }
}
