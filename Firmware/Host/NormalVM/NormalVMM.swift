import AArch64
import NormalVMSupport
import PlatformDefinitions

// Host mode 5: the Linux guest the run script placed for a realm (LinuxBootManifest: the same
// kernel Image, initramfs and command line), booted instead as an ordinary VM at Non-secure
// EL1 under the host's own stage 2. The baseline a realm is compared with (`make bench-linux`).
//
// What the guest gets, and how it differs from the realm LinuxRealmVMM builds:
//   - the same VMDescription layout (RAM at 0x8000_0000, GICD, GICR, PL011 at their plain
//     addresses), the same LinuxBootLayout placement and the same device-tree generator. A
//     normal VM has no shared alias (ipaWidth 0), so the one difference in the tree is the
//     earlycon address in /chosen/bootargs: 0x9000000 here, the alias 0x8009000000 in a realm;
//   - its RAM copied into DRAM pages (no measurement, nothing delegated);
//   - one vCPU (the VMM switches no EL1 state between vCPUs);
//   - the same device models (VMDevices) behind stage-2 faults instead of REC exits.

enum NormalVMM {
    static let timeLimitSeconds: UInt64 = 1800

    /// Room for the bootargs: 2 KiB, out of the host's 16 KiB stack.
    nonisolated(unsafe) static var bootArguments = BootArguments()

    static func run() {
        let manifest: LinuxBootManifest
        switch LinuxBootManifest.read() {
        case .success(let m): manifest = m
        case .failure(let e): return fail(e.line)
        }
        guard manifest.vcpus == 1 else {
            return fail(LogLine("the normal VM runs one vCPU; run it with CPUS=1"))
        }
        var vm = VMDescription.normalVM(ramSize: manifest.memorySize, vcpuCount: 1)
        guard let stage2 = NormalVMStage2(ramBase: vm.ramBase, ramSize: vm.ramSize) else {
            var line = LogLine("the guest's RAM does not fit the normal VM's backing DRAM (at most ")
            line.decimal((UInt64(PLAT_NVM_BACKING_SIZE) - NormalVMStage2.block) >> 20)
            line.append(" MiB); lower MEM")
            return fail(line)
        }
        let image = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(LinuxBootManifest.kernelAddress)),
                                           count: Int(manifest.kernelSize))
        let layout: LinuxBootLayout
        do throws(LinuxImageError) {
            let header = try Arm64LinuxImage(parsing: image)
            layout = try LinuxBootLayout(vm: vm, kernel: header, initrdSize: manifest.initrdSize)
        } catch {
            var line = LogLine("the kernel cannot be booted: ")
            line.append(error.message)
            return fail(line)
        }
        vm = layout.describing(vm)

        // The guest's RAM: zero, then the kernel, initramfs and device tree where the realm
        // has them.
        stage2.install()
        UnsafeMutableRawPointer(bitPattern: UInt(stage2.hostAddress(vm.ramBase)))!
            .initializeMemory(as: UInt64.self, repeating: 0, count: Int(vm.ramSize / 8))
        copy(from: LinuxBootManifest.kernelAddress, to: stage2.hostAddress(layout.kernelBase), manifest.kernelSize)
        copy(from: LinuxBootManifest.initrdAddress, to: stage2.hostAddress(layout.initrdBase), manifest.initrdSize)
        var dtbSize: UInt64
        if manifest.dtbSize > 0 {
            dtbSize = manifest.dtbSize
            copy(from: LinuxBootManifest.dtbAddress, to: stage2.hostAddress(layout.dtbBase), dtbSize)
        } else {
            bootArguments = BootArguments()
            bootArguments.appendEarlyConsole(of: vm)
            for i in 0..<Int(manifest.commandLineLength) { bootArguments.append(byte: manifest.commandLine[i]) }
            guard bootArguments.complete else { return fail(LogLine("the command line is longer than the device tree holds")) }
            let buffer = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(stage2.hostAddress(layout.dtbBase))),
                                                       count: Int(LinuxBootLayout.maxDTBSize))
            let described = vm
            do throws(DeviceTreeError) {
                dtbSize = UInt64(try bootArguments.withUnsafeBytes { (line) throws(DeviceTreeError) in
                    try GuestDeviceTree.write(described, bootArguments: line, into: buffer)
                })
            } catch {
                return fail(LogLine("the VMM could not write the guest's device tree"))
            }
        }
        // booting.rst: the loaded image cleaned to the point of coherency (the guest starts
        // with its MMU and caches off).
        cleanToPoC(stage2.hostAddress(vm.ramBase), vm.ramSize)

        var line = LogLine("[nvm] Linux as an ordinary VM at NS-EL1: ")
        line.decimal(vm.ramSize >> 20)
        line.append(" MiB RAM at IPA ")
        line.hex(vm.ramBase)
        line.append(" backed by DRAM at ")
        line.hex(stage2.backing)
        line.append(", 1 vCPU, device tree ")
        line.decimal(dtbSize)
        line.append(manifest.dtbSize > 0 ? " bytes (given)" : " bytes (generated)")
        console.print(line)
        var placed = LogLine("[nvm] kernel Image ")
        placed.decimal(manifest.kernelSize)
        placed.append(" bytes at ")
        placed.hex(layout.kernelBase)
        placed.append(", initramfs ")
        placed.decimal(manifest.initrdSize)
        placed.append(" bytes at ")
        placed.hex(layout.initrdBase)
        placed.append(", device tree at ")
        placed.hex(layout.dtbBase)
        placed.append("; entering the guest")
        console.print(placed)

        var loop = NormalVMRunLoop(vm: vm, entry: layout.entryPC, deviceTree: layout.entryX0)
        let outcome = loop.run(timeLimitSeconds: timeLimitSeconds)
        GuestBenchmark.report("normal-vm")
        var ended = LogLine("\r\n[nvm] guest ")
        switch outcome {
        case .poweredOff, .reset:
            ended.append(outcome == .reset ? "asked for SYSTEM_RESET" : "powered off (PSCI SYSTEM_OFF)")
        case .failed(let why):
            ended.append("run stopped: ")
            ended.append(why)
        }
        console.print(ended)
        loop.stats.print()
    }

    static func copy(from source: UInt64, to destination: UInt64, _ size: UInt64) {
        guard size > 0 else { return }
        UnsafeMutableRawPointer(bitPattern: UInt(destination))!
            .copyMemory(from: UnsafeRawPointer(bitPattern: UInt(source))!, byteCount: Int(size))
    }

    static func cleanToPoC(_ base: UInt64, _ size: UInt64) {
        var address = base & ~63
        while address < base + size {
            dc_cvac(address)
            address += 64
        }
        dsb_sy()
    }

    static func fail(_ why: LogLine) {
        var line = LogLine("[nvm] FAIL ")
        line.append(why)
        console.print(line)
    }
}
