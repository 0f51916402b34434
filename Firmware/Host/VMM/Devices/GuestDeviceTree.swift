// The guest's device tree, generated from the VMDescription the device models use (bindings:
// Linux Documentation/devicetree/bindings for arm,gic-v3, arm,armv8-timer, arm,psci, arm,pl011,
// fixed-clock; Devicetree Specification v0.4 chapter 3 for /memory, /cpus, /chosen). For a
// realm too, devices are described at their protected IPAs: Linux 7.2's ioremap asks
// RSI_IPA_STATE_GET about the address the tree gives and WARNs when the call fails, as it does
// for any address in the unprotected half (arch/arm64/kernel/rsi.c); at the protected IPA it
// finds RIPAS EMPTY and maps the shared alias itself (VMDescription.guestAddress), where the
// MMIO exits come from. Only earlycon, which maps before RSI is asked anything, must be told
// the alias (VMDescription.appendEarlyConsoleArgument).

public enum GuestDeviceTree {
    /// Phandles the tree's references use.
    public static let gicPhandle: UInt32 = 1
    public static let clockPhandle: UInt32 = 2

    // GIC binding interrupt specifiers: type (0 SPI, 1 PPI), number, flags.
    static let spiType: UInt32 = 0
    static let ppiType: UInt32 = 1
    static let levelHigh: UInt32 = 4
    static let levelLow: UInt32 = 8

    /// Writes the tree for `vm` with `bootArguments` as /chosen/bootargs (up to its first NUL,
    /// if any) into `buffer` and returns its size. Room: 4 KiB plus the command line is plenty.
    public static func write(_ vm: VMDescription, bootArguments: UnsafeRawBufferPointer,
                             into buffer: UnsafeMutableRawBufferPointer) throws(DeviceTreeError) -> Int {
        var w = DeviceTreeWriter(buffer: buffer)
        w.beginNode("")
        w.property("compatible", string: "linux,dummy-virt")
        w.property("model", string: "TMM realm")
        w.property("#address-cells", u32: 2)
        w.property("#size-cells", u32: 2)
        w.property("interrupt-parent", u32: gicPhandle)

        writeChosen(vm, bootArguments, &w)
        writeMemory(vm, &w)
        writeCPUs(vm, &w)
        writePSCI(&w)
        writeGIC(vm, &w)
        writeTimer(vm, &w)
        writeClock(&w)
        writeUART(vm, &w)

        w.endNode()
        return try w.finish()
    }

    static func writeChosen(_ vm: VMDescription, _ bootArguments: UnsafeRawBufferPointer, _ w: inout DeviceTreeWriter) {
        w.beginNode("chosen")
        w.beginProperty("bootargs")
        for byte in bootArguments {
            if byte == 0 { break }
            w.appendByte(byte)
        }
        w.appendByte(0)
        w.endProperty()
        w.beginProperty("stdout-path")
        w.appendBytes("/pl011@")
        w.appendHexDigits(vm.uartBase)
        w.appendByte(0)
        w.endProperty()
        if vm.hasInitrd {
            w.property("linux,initrd-start", u64: vm.initrdStart)
            w.property("linux,initrd-end", u64: vm.initrdEnd)
        }
        w.endNode()
    }

    static func writeMemory(_ vm: VMDescription, _ w: inout DeviceTreeWriter) {
        w.beginNode("memory", unitAddress: vm.ramBase)
        w.property("device_type", string: "memory")
        w.beginProperty("reg")
        w.append64(vm.ramBase)
        w.append64(vm.ramSize)
        w.endProperty()
        w.endNode()
    }

    static func writeCPUs(_ vm: VMDescription, _ w: inout DeviceTreeWriter) {
        w.beginNode("cpus")
        w.property("#address-cells", u32: 1)
        w.property("#size-cells", u32: 0)
        for index in 0..<vm.clampedVCPUCount {
            let mpidr = VMDescription.mpidr(ofVCPU: index)
            w.beginNode("cpu", unitAddress: mpidr)
            w.property("device_type", string: "cpu")
            w.property("compatible", string: "arm,armv8")
            w.property("reg", u32: UInt32(truncatingIfNeeded: mpidr))
            w.property("enable-method", string: "psci")
            w.endNode()
        }
        w.endNode()
    }

    static func writePSCI(_ w: inout DeviceTreeWriter) {
        w.beginNode("psci")
        w.property("compatible", string: "arm,psci-1.0\0arm,psci-0.2")
        w.property("method", string: "smc")
        w.endNode()
    }

    static func writeGIC(_ vm: VMDescription, _ w: inout DeviceTreeWriter) {
        let base = vm.distributorBase
        w.beginNode("intc", unitAddress: base)
        w.property("compatible", string: "arm,gic-v3")
        w.property("#interrupt-cells", u32: 3)
        w.property("#address-cells", u32: 2)
        w.property("#size-cells", u32: 2)
        w.emptyProperty("ranges")
        w.emptyProperty("interrupt-controller")
        w.property("#redistributor-regions", u32: 1)
        w.beginProperty("reg")
        w.append64(base)
        w.append64(VMDescription.distributorSize)
        w.append64(vm.redistributorBase)
        w.append64(vm.redistributorRegionSize)
        w.endProperty()
        w.property("phandle", u32: gicPhandle)
        w.endNode()
    }

    static func writeTimer(_ vm: VMDescription, _ w: inout DeviceTreeWriter) {
        w.beginNode("timer")
        w.property("compatible", string: "arm,armv8-timer")
        w.emptyProperty("always-on")
        w.beginProperty("interrupts")
        let ppis: InlineArray<4, UInt32> = [vm.timer.securePhysical, vm.timer.nonSecurePhysical, vm.timer.virtual, vm.timer.hypervisor]
        for i in 0..<4 {
            w.append32(ppiType)
            w.append32(ppis[i] &- 16)
            w.append32(levelLow)
        }
        w.endProperty()
        w.endNode()
    }

    static func writeClock(_ w: inout DeviceTreeWriter) {
        w.beginNode("apb-pclk")
        w.property("compatible", string: "fixed-clock")
        w.property("#clock-cells", u32: 0)
        w.property("clock-frequency", u32: VMDescription.uartClockHz)
        w.property("clock-output-names", string: "clk24mhz")
        w.property("phandle", u32: clockPhandle)
        w.endNode()
    }

    static func writeUART(_ vm: VMDescription, _ w: inout DeviceTreeWriter) {
        let base = vm.uartBase
        w.beginNode("pl011", unitAddress: base)
        w.property("compatible", string: "arm,pl011\0arm,primecell")
        w.beginProperty("reg")
        w.append64(base)
        w.append64(VMDescription.uartSize)
        w.endProperty()
        w.beginProperty("interrupts")
        w.append32(spiType)
        w.append32(vm.uartINTID &- 32)
        w.append32(levelHigh)
        w.endProperty()
        w.beginProperty("clocks")
        w.append32(clockPhandle)
        w.append32(clockPhandle)
        w.endProperty()
        w.property("clock-names", string: "uartclk\0apb_pclk")
        w.endNode()
    }
}
