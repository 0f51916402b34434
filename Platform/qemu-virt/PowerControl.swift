import AArch64
import PlatformDefinitions

/// QEMU virt's power controller: the secure PL061 GPIO drives `gpio-poweroff` (pin 0) and
/// `gpio-restart` (pin 1); a rising edge makes QEMU power off or reset the machine.
enum PowerControl {
    private static let gpioBase = UInt64(PLAT_SECURE_GPIO_BASE)
    private static let directionRegister: UInt64 = 0x400

    private static func raise(pin: UInt64) -> Never {
        let bit = UInt32(1) << UInt32(pin)
        mmio_write32(gpioBase + directionRegister, mmio_read32(gpioBase + directionRegister) | bit)
        // PL061 GPIODATA: address bits [9:2] select which pins a write changes.
        mmio_write32(gpioBase + (UInt64(bit) << 2), 0)
        mmio_write32(gpioBase + (UInt64(bit) << 2), bit)
        while true { wfi() }
    }

    static func systemOff() -> Never {
        console.uart.flush()
        raise(pin: UInt64(PLAT_GPIO_POWEROFF_PIN))
    }

    static func systemReset() -> Never {
        console.uart.flush()
        raise(pin: UInt64(PLAT_GPIO_RESET_PIN))
    }
}
