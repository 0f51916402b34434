import PlatformDefinitions

/// What the host learns from the firmware's device tree.
struct HostDeviceTree {
    var pool: (base: UInt64, size: UInt64)?
}

enum DeviceTreeChecks {
    static func run(_ checks: inout CheckRecorder, deviceTree: UInt64) -> HostDeviceTree {
        guard let tree = FlattenedDeviceTree(address: deviceTree) else {
            checks.expect("device tree: valid FDT header at x0", false)
            return HostDeviceTree(pool: nil)
        }
        checks.expect("device tree: valid FDT header at x0", true)

        let memory = tree.property(path: "/memory", name: "reg").flatMap { FlattenedDeviceTree.addressSizePair($0, index: 0) }
        var memoryLine = LogLine(": ")
        if let memory {
            memoryLine.hex(memory.base)
            memoryLine.append(" size ")
            memoryLine.hex(memory.size)
        }
        checks.expect("device tree: normal-world memory", memory?.base == UInt64(PLAT_DRAM_BASE), memoryLine)

        let uart = HostConsoleSetup.stdoutUART(tree)
        var uartLine = LogLine(": ")
        if let uart { uartLine.hex(uart) }
        checks.expect("device tree: console UART (/chosen stdout-path), the one the host prints on",
                      uart != nil && uart == console.base, uartLine)

        let psciMethod = tree.property(path: "/psci", name: "method")
        checks.expect("device tree: PSCI method is smc", psciMethod.map { Self.isString($0, "smc") } ?? false)

        let pool = tree.property(path: "/firmware/tmm", name: "granule-pool")
            .flatMap { FlattenedDeviceTree.addressSizePair($0, index: 0) }
        var poolLine = LogLine(": ")
        if let pool {
            poolLine.hex(pool.base)
            poolLine.append("-")
            poolLine.hex(pool.base + pool.size - 1)
        }
        checks.expect("device tree: TMM granule pool", pool != nil && pool!.size > 0, poolLine)
        return HostDeviceTree(pool: pool)
    }

    private static func isString(_ value: UnsafeRawBufferPointer, _ expected: StaticString) -> Bool {
        guard value.count == expected.utf8CodeUnitCount + 1 else { return false }
        for i in 0..<expected.utf8CodeUnitCount where value[i] != expected.utf8Start[i] { return false }
        return value[expected.utf8CodeUnitCount] == 0
    }
}
