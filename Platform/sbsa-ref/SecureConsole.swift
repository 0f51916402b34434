import PlatformDefinitions

/// Secure firmware (monitor and TMM) prints on the secure-only UART, which the normal world
/// cannot reach; the normal world has its own UART.
let console = Console(uartBase: UInt64(PLAT_SECURE_UART_BASE))
