import PlatformDefinitions

/// The host prints on the normal world's UART.
let console = Console(uartBase: UInt64(PLAT_NS_UART_BASE))
