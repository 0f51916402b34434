// The manifest of a Linux realm as the host's VMM builds it (Firmware/Host/VMM, LinuxRealm),
// derived from the same code the VMM runs: the Image header parser and the placement
// (VMMDevices' Arm64LinuxImage, LinuxBootLayout) and the device-tree generator
// (GuestDeviceTree) with the same VMDescription. The realm owner thus needs only the files
// and the few choices the VMM was given (RAM, vCPUs, command line) to predict the RIM.
//
// The VMM's measured operations, in order:
//   INIT_RIPAS   all of RAM, through level-3 RTTs (one measurement per 4 KiB entry)
//   DATA_CREATE  measured, in IPA order: the DTB at RAM base, the kernel Image, the initramfs
//                (each file's pages, the last zero-padded); every other page of RAM
//                DATA_CREATE_UNKNOWN, which is not measured
//   REC_CREATE   REC 0 runnable at the kernel entry with x0 = DTB; the others not runnable

import TMMCore
import VMMDevices

/// What the realm owner knows of a Linux realm the VMM will build.
public struct LinuxRealmInputs {
    public var kernel: [UInt8]
    /// Empty: no initramfs.
    public var initrd: [UInt8]
    /// A device tree the VMM is given instead of generating one (the run script's --dtb).
    public var deviceTree: [UInt8]?
    public var memorySize: UInt64
    public var vcpus: Int
    /// Passed to the guest as /chosen/bootargs, after the earlycon argument the VMM puts first.
    public var commandLine: [UInt8]

    public init(kernel: [UInt8], initrd: [UInt8] = [], deviceTree: [UInt8]? = nil, memorySize: UInt64,
                vcpus: Int, commandLine: [UInt8]) {
        self.kernel = kernel
        self.initrd = initrd
        self.deviceTree = deviceTree
        self.memorySize = memorySize
        self.vcpus = vcpus
        self.commandLine = commandLine
    }
}

extension RealmManifest {
    /// The VM the VMM describes to the realm for `inputs` (before the initrd is placed).
    public static func linuxVM(_ inputs: LinuxRealmInputs, ipaWidth: Int) -> VMDescription {
        VMDescription.realm(ramSize: inputs.memorySize, vcpuCount: inputs.vcpus, ipaWidth: ipaWidth)
    }

    /// The bootargs the VMM gives: earlycon at the UART's shared alias, then the user's line
    /// (LinuxRealm in Firmware/Host/VMM).
    public static func bootArguments(_ vm: VMDescription, _ commandLine: [UInt8]) -> [UInt8] {
        var arguments = BootArguments()
        vm.appendEarlyConsoleArgument(to: &arguments)
        return arguments.withUnsafeBytes { Array($0) } + commandLine
    }

    /// The device tree the VMM generates for `vm` and `commandLine`.
    public static func guestDeviceTree(_ vm: VMDescription, commandLine: [UInt8]) throws(ManifestError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 0x4000)
        let result = buffer.withUnsafeMutableBytes { raw in
            commandLine.withUnsafeBytes { line in
                Result { () throws(DeviceTreeError) in try GuestDeviceTree.write(vm, bootArguments: line, into: raw) }
            }
        }
        guard case .success(let size) = result else { throw .malformed("the device tree does not fit in 16 KiB") }
        return Array(buffer[0..<size])
    }

    /// The manifest of the Linux realm the VMM builds from `inputs` with realm parameters
    /// `parameters` (s2sz is the IPA width that places the devices' shared alias).
    public static func linux(_ inputs: LinuxRealmInputs, algorithm: MeasurementAlgorithm,
                             parameters: MeasuredRealmParameters) throws(ManifestError) -> RealmManifest {
        guard inputs.vcpus >= 1 && inputs.vcpus <= VMDescription.maxVCPUs else {
            throw .malformed("a Linux realm has 1 to \(VMDescription.maxVCPUs) vCPUs")
        }
        guard inputs.memorySize % LinuxBootLayout.block == 0 else {
            throw .malformed("the realm's RAM must be a multiple of 2 MiB")
        }
        guard inputs.commandLine.count < BootArguments.capacity, !inputs.commandLine.contains(0) else {
            throw .malformed("the command line must be shorter than \(BootArguments.capacity) bytes, without NUL")
        }
        let header: Arm64LinuxImage
        switch inputs.kernel.withUnsafeBytes({ raw in Result { () throws(LinuxImageError) in try Arm64LinuxImage(parsing: raw) } }) {
        case .success(let h): header = h
        case .failure(let e): throw .malformed("\(e.message)")
        }
        let vm = linuxVM(inputs, ipaWidth: Int(parameters.s2sz))
        let layout: LinuxBootLayout
        switch Result(catching: { () throws(LinuxImageError) in
            try LinuxBootLayout(vm: vm, kernel: header, initrdSize: UInt64(inputs.initrd.count))
        }) {
        case .success(let l): layout = l
        case .failure(let e): throw .malformed("\(e.message)")
        }
        let dtb: [UInt8]
        if let given = inputs.deviceTree { dtb = given } else { dtb = try guestDeviceTree(layout.describing(vm), commandLine: bootArguments(vm, inputs.commandLine)) }
        guard UInt64(dtb.count) <= LinuxBootLayout.maxDTBSize else { throw .malformed("the device tree is larger than 2 MiB") }

        var steps: [Step] = [.initRIPAS(base: vm.ramBase, top: vm.ramEnd, level: 3)]
        steps.append(.data(ipa: layout.dtbBase, pages: pages(of: dtb), measureContent: true))
        steps.append(.data(ipa: layout.kernelBase, pages: pages(of: inputs.kernel), measureContent: true))
        if !inputs.initrd.isEmpty {
            steps.append(.data(ipa: layout.initrdBase, pages: pages(of: inputs.initrd), measureContent: true))
        }
        steps.append(.rec(runnable: true, pc: layout.entryPC, gprs: [layout.entryX0]))
        for _ in 1..<inputs.vcpus { steps.append(.rec(runnable: false, pc: 0, gprs: [])) }
        return RealmManifest(algorithm: algorithm, parameters: parameters, steps: steps)
    }
}
