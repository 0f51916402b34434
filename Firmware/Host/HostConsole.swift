import PlatformDefinitions

/// The host prints on the normal world's UART: the one the device tree names in /chosen
/// stdout-path (HostConsoleSetup), and until the tree is read the one of the platform the host
/// was built for.
nonisolated(unsafe) var console = Console(uartBase: UInt64(PLAT_NS_UART_BASE))

enum HostConsoleSetup {
    /// Switches the console to the UART the device tree names, if it names one; returns its
    /// base address.
    static func useDeviceTreeConsole(deviceTree: UInt64) -> UInt64? {
        guard let tree = FlattenedDeviceTree(address: deviceTree), let base = stdoutUART(tree) else { return nil }
        if base != console.base { console = Console(uartBase: base) }
        return base
    }

    /// The `reg` base of the node /chosen stdout-path names: a path ("/serial@60000000"), or
    /// an alias of /aliases ("serial0"), either optionally followed by ":options"
    /// (Devicetree Specification 3.6).
    static func stdoutUART(_ tree: FlattenedDeviceTree) -> UInt64? {
        guard let stdout = tree.property(path: "/chosen", name: "stdout-path") else { return nil }
        var path = pathPart(stdout)
        if path.count > 0 && path[0] != UInt8(ascii: "/") {
            guard let alias = aliasValue(tree, name: path) else { return nil }
            path = pathPart(alias)
        }
        guard path.count > 0, let reg = tree.property(pathBytes: path, name: "reg"),
              let pair = FlattenedDeviceTree.addressSizePair(reg, index: 0)
        else { return nil }
        return pair.base
    }

    /// The bytes before the first NUL or ':'.
    private static func pathPart(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var length = 0
        while length < value.count && value[length] != 0 && value[length] != UInt8(ascii: ":") { length += 1 }
        return UnsafeRawBufferPointer(rebasing: value[0..<length])
    }

    /// The value of /aliases/<name>; the tree's two aliases the host knows are tried.
    private static func aliasValue(_ tree: FlattenedDeviceTree, name: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        if equals(name, "serial0") { return tree.property(path: "/aliases", name: "serial0") }
        if equals(name, "serial1") { return tree.property(path: "/aliases", name: "serial1") }
        return nil
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        for i in 0..<bytes.count where bytes[i] != text.utf8Start[i] { return false }
        return true
    }
}
